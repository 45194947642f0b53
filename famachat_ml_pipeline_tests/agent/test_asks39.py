"""The twenty-second buyer review (agent42): two periods or two campaigns compared with the change or the
verdict said last ("semana passada vs retrasada", "essa semana vs semana passada", "ontem vs o mesmo dia
da semana passada", "compara a 12 com a 17"), "leads últimos 14 dias vs os 7 anteriores" ("Campanha 7"
not found), "tem algum alerta?" with none open (no "Não" first), changes without their sign ("(11%)",
"(215%)"), "o cpl tá a 30?" (the 30 ignored), "como estão as campanhas?" (the help menu), "e se eu pausar a
9?" on a campaign that spends nothing ("economia de R$ 0,00", then "pausar só corta gasto") and "qto devo
investir amanhã?" (the advice list, no amount). Figures from the cleaned source, the stored anomalies and
advice, read here on their own. SQLite only: the answers add no SQL of their own (the reads are the ones
every answer shares, tested on both backends elsewhere)."""

from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline.db.agent_queries import read_recent_anomalies
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_asks32 import _one
from famachat_ml_pipeline_tests.agent.test_asks38 import _account, _numbered, _sums, all_acknowledged
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT

# the demo built once for the session, its SQLite side only
pytestmark = pytest.mark.timeout(600)

DAY = dt.timedelta(days=1)
__all__ = ["all_acknowledged"]  # the fixture, imported for the tests here


def _pct(new: float, old: float) -> str:
    """A change as the answers write it, here on its own: rounded to the unit, a rise signed "+"."""
    v = round((new - old) / old * 100)
    return f"+{v}%" if v > 0 else f"{v}%"


def _changes(new: tuple[float, int], old: tuple[float, int]) -> str:
    (s1, l1), (s0, l0) = new, old
    return f"gasto {_pct(s1, s0)}, leads {_pct(l1, l0)}, CPL {_pct(s1 / l1, s0 / l0)}."


# ------------------------------------------------------------ 1. the change or the verdict first
def test_two_weeks_compared_lead_with_the_change(demo_db: DemoDb) -> None:
    """Was each week's line, then "Variação de ..." last: how much it moved is the answer, said first."""
    sunday = demo_db.as_of  # today is Monday 30/11: last week is 23/11 to 29/11
    last = _account(demo_db, sunday - 6 * DAY, sunday)
    before = _account(demo_db, sunday - 13 * DAY, sunday - 7 * DAY)
    intent, lines = _one(demo_db, "semana passada vs retrasada")
    assert intent == "performance", lines
    assert lines[0] == f"Variação de semana retrasada para semana passada: {_changes(last, before)}", lines
    assert lines[1].startswith(f"Semana retrasada, de segunda a domingo ({_d(sunday - 13 * DAY)} a "), lines
    # the calendar weeks asked with "essa semana" (on a Monday, last week whole against the one before)
    intent, lines = _one(demo_db, "quanto gastei essa semana vs semana passada?")
    assert intent == "trends", lines
    assert lines[0] == f"Variação da semana retrasada para a passada: {_changes(last, before)}", lines
    assert lines[1].startswith("Hoje (30/11/2026) é segunda"), lines


def test_two_days_compared_lead_with_the_change(demo_db: DemoDb) -> None:
    """ "ontem vs o mesmo dia da semana passada": the change first, then each day."""
    new, old = demo_db.as_of, demo_db.as_of - 7 * DAY
    intent, lines = _one(demo_db, "ontem vs o mesmo dia da semana passada")
    assert intent == "performance", lines
    changes = _changes(_account(demo_db, new, new), _account(demo_db, old, old))
    assert lines[0] == f"Variação de {_d(old)} (domingo) para {_d(new)} (domingo): {changes}", lines
    assert lines[1].startswith(f"Em {_d(new)}: "), lines


def test_two_campaigns_compared_lead_with_the_better(demo_db: DemoDb) -> None:
    """ "compara a 12 com a 17" was "Comparação (7 dias):" with "Menor CPL" at the end: the better by the CPL
    first, each CPL summed here; with no id, so "dela" next still names neither. A comparison that names
    another figure ("gastou mais") gets no CPL verdict put first."""
    last = demo_db.as_of
    (a, a_name), (b, b_name) = (_numbered(demo_db, ACCOUNT, n) for n in (12, 17))
    cpl = {cid: s / n for cid in (a, b) for s, n in [_sums(demo_db, cid, last - 6 * DAY, last)]}
    (best, best_name), (other, other_name) = sorted(((a, a_name), (b, b_name)), key=lambda x: cpl[x[0]])
    intent, lines = _one(demo_db, "compara a 12 com a 17")
    assert intent == "compare", lines
    assert lines[0] == (
        f"Melhor pelo CPL: “{best_name}”, CPL {format_money(cpl[best])} nos 7 dias, contra CPL "
        f"{format_money(cpl[other])} de “{other_name}”."
    ), lines
    assert lines[1] == "Comparação (7 dias):", lines
    # the spend's Sim/Não first (agent44, its figures in test_asks41), no verdict by the CPL
    spent = _one(demo_db, "a 12 gastou mais que a 17?")[1]
    assert spent[0].startswith(("Sim: ", "Não: ")) and spent[1] == "Comparação (7 dias):", spent


# ------------------------------------------------------------ 2. the last N days against M before them
@pytest.mark.parametrize(("n", "m"), [(14, 7), (7, 14)])
def test_the_last_n_days_against_a_different_number_before(demo_db: DemoDb, n: int, m: int) -> None:
    """ "leads ultimos 14 dias vs os 7 anteriores" was "Não encontrei a Campanha 7": now the m days right
    before the last n, compared per day (the sides have different lengths)."""
    last = demo_db.as_of
    now_first, old_last = last - (n - 1) * DAY, last - n * DAY
    old_first = old_last - (m - 1) * DAY
    (s_now, l_now), (s_old, l_old) = (
        _account(demo_db, now_first, last),
        _account(demo_db, old_first, old_last),
    )
    intent, lines = _one(demo_db, f"leads ultimos {n} dias vs os {m} anteriores")
    assert intent == "performance", lines
    assert lines[0].startswith(
        f"Como os períodos têm tamanhos diferentes ({m} contra {n} dias com dados), comparo por dia, não "
        f"pelos totais. De {m} dias anteriores aos últimos {n} para últimos {n} dias: gasto por dia "
        f"{format_money(s_old / m)} contra {format_money(s_now / n)} ({_pct(s_now / n, s_old / m)})"
    ), lines
    assert lines[1].startswith(
        f"{m} dias anteriores aos últimos {n} ({_d(old_first)} a {_d(old_last)}, {m} dias): "
        f"{format_money(s_old)} investidos, {leads_of(l_old)}"
    ), lines
    assert lines[2].startswith(
        f"De {_d(now_first)} a {_d(last)} ({n} dias): {format_money(s_now)} investidos, {leads_of(l_now)}"
    ), lines


# ------------------------------------------------------------ 3. "tem algum alerta?" with none open
@pytest.mark.parametrize("question", ["tem algum alerta?", "teve alguma anomalia?"])
def test_alerts_asked_with_none_open_say_nao_first(
    demo_db: DemoDb, all_acknowledged: sa.Engine, question: str
) -> None:
    """Was "Nenhuma anomalia aberta desde ..." with no verdict (as "esse alerta é grave?" was, agent41)."""
    since = demo_db.as_of - 6 * DAY
    assert not read_recent_anomalies(all_acknowledged, ACCOUNT, since), "none open in the copy"
    settings = Settings(database_url=str(all_acknowledged.url))
    agent = open_agent(all_acknowledged, ACCOUNT, settings, mode="offline", now=demo_db.now)
    reply = agent.ask(question, [])
    assert reply.intent == "anomalies", reply.text
    assert reply.text.splitlines()[0] == f"Não: nenhuma anomalia aberta desde {_d(since)}.", reply.text


# ------------------------------------------------------------ 4. every change signed
def test_changes_are_signed_in_the_alerts_and_the_trend(demo_db: DemoDb) -> None:
    """ "contra R$ 14,83 na semana anterior (11%)" and an alert's "(215%)" had no sign, where the other
    answers write "+11%": each change signed, the 7 days' figures summed here."""
    last = demo_db.as_of
    now = _account(demo_db, last - 6 * DAY, last)
    before = _account(demo_db, last - 13 * DAY, last - 7 * DAY)
    cpl, cpl0 = now[0] / now[1], before[0] / before[1]
    assert cpl > cpl0 * 1.01, "the account's CPL rose in the demo's last 7 days"
    intent, lines = _one(demo_db, "tem algum alerta?")
    assert intent == "anomalies", lines
    assert (
        f"CPL da conta: {format_money(cpl)} nos 7 dias até {_d(last)}, contra {format_money(cpl0)} na semana "
        f"anterior ({_pct(cpl, cpl0)}); gasto {format_money(now[0])} ({_pct(now[0], before[0])}), leads "
        f"{leads_of(now[1]).removesuffix(' leads')} ({_pct(now[1], before[1])})."
    ) in lines, lines
    # the alerts: observed against expected, the rise signed (the demo has a spend spike)
    rises = [
        m.group(1) for x in lines for m in re.finditer(r"esperado \(([^)]*)\)", x) if m.group(1)[0].isdigit()
    ]
    assert not rises, lines
    assert any(re.search(r"esperado \(\+\d", x) for x in lines), lines
    _, why = _one(demo_db, "por que o cpl subiu?")
    assert any(x.startswith(f"Por que o CPL mudou ({_pct(cpl, cpl0)} em 7 dias)") for x in why), why


# ------------------------------------------------------------ 5. "o cpl tá a 30?"
@pytest.mark.parametrize("question", ["o cpl ta a {x}?", "o cpl chegou a {x}?", "o cpl passou de {x}?"])
@pytest.mark.parametrize("above", [True, False])
def test_the_cpl_at_a_level_is_answered_yes_or_no(demo_db: DemoDb, question: str, above: bool) -> None:
    """ "o cpl tá a 30?" was the 7 days' trend with the 30 ignored: now as "o cpl tá acima de 30?", the
    account's CPL against it first (summed here), Sim when at or past it."""
    last = demo_db.as_of
    spend, leads = _account(demo_db, last - 6 * DAY, last)
    cpl = spend / leads
    level = int(cpl) - 8 if above else int(cpl) + 14  # a level the CPL is clearly past, or clearly under
    # "a 14" would name the account's Campanha 14 (its campaigns are 9 to 17)
    names = demo_db.data.campaigns.filter(pl.col("config_id") == ACCOUNT)["name"]
    assert level > 0 and not any(f"Campanha {level} " in x for x in names), level
    intent, lines = _one(demo_db, question.format(x=level))
    assert intent == "cpl_rank", lines
    word, side = ("Sim", "acima") if above else ("Não", "abaixo")
    assert lines[0] == (
        f"{word}: o CPL da conta nos 7 dias até {_d(last)} foi {format_money(cpl)}, {side} de "
        f"{format_money(level)}. Por campanha:"
    ), lines


# ------------------------------------------------------------ 6. "como estão as campanhas?"
@pytest.mark.parametrize(
    "question", ["como estão as campanhas?", "como tão minhas campanhas", "como andam as campanhas"]
)
def test_how_the_campaigns_are_is_their_list(demo_db: DemoDb, question: str) -> None:
    """Was "Não entendi a pergunta." and the help menu: now each campaign with its 7 days, status, tier."""
    n = demo_db.data.campaigns.filter(pl.col("config_id") == ACCOUNT).height
    intent, lines = _one(demo_db, question)
    assert intent == "list_campaigns", lines
    assert lines[0] == f"{n} campanhas nesta conta (mais gasto nos 7 dias até {_d(demo_db.as_of)} primeiro):"
    assert len(lines) == n + 1, lines


# ------------------------------------------------------------ 7. a pause of a campaign that spends nothing
def test_pausing_a_campaign_that_spends_nothing_saves_nothing(demo_db: DemoDb) -> None:
    """ "e se eu pausar a 9?" (active, nothing spent in the 7 days) was "a economia seria de cerca de R$ 0,00
    por semana", then "pausar só corta gasto": now that there is nothing to save, first."""
    last = demo_db.as_of
    cid, name = _numbered(demo_db, ACCOUNT, 9)
    spend, _ = _sums(demo_db, cid, last - 6 * DAY, last)
    assert spend == 0 and _sums(demo_db, cid, last - 29 * DAY, last)[0] > 0, "9 spent before, not in 7 days"
    intent, lines = _one(demo_db, "e se eu pausar a 9?")
    assert intent == "pause_savings", lines
    assert lines[0].startswith(
        f"Nada a economizar: “{name}” ({cid}) está ativa, mas não gastou nada nos últimos 7 dias "
        f"({_d(last - 6 * DAY)} a {_d(last)}), então pausar não corta gasto agora"
    ), lines
    assert not any("pausar só corta gasto" in x for x in lines), lines


# ------------------------------------------------------------ 8. "qto devo investir amanhã?"
@pytest.mark.parametrize("question", ["qto devo investir amanhã?", "quanto eu deveria gastar amanha"])
def test_how_much_to_invest_tomorrow_says_no_target_then_the_pace(demo_db: DemoDb, question: str) -> None:
    """Was the list of active advice with no amount at all: now that no budget target is stored (so no
    amount is advised as right), the active campaigns' daily budgets, what the active budget cuts save a
    day (their current - suggested budget, read here from the stored advice), then tomorrow's forecast."""
    c = demo_db.data.campaigns.filter((pl.col("config_id") == ACCOUNT) & (pl.col("status") == "ACTIVE"))
    budgets = float(c["daily_budget"].fill_null(0).sum()) / 100  # minor units in the source
    with demo_db.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "select recommendation_type, suggested_action from ml_recommendations "
                "where config_id = :a and is_active = 1"
            ),
            {"a": ACCOUNT},
        ).all()
    actions = [(t, json.loads(a) if isinstance(a, str) else a) for t, a in rows]
    assert not any(t == "PAUSE_CAMPAIGN" for t, _ in actions), "only budget cuts among the demo's advice"
    cuts = [a["current"] - a["suggested"] for t, a in actions if t == "BUDGET_DECREASE"]
    assert len(cuts) >= 2, actions
    intent, lines = _one(demo_db, question)
    assert intent == "forecast", lines
    assert lines[0].startswith(
        "Não há orçamento-alvo nos dados, então não tenho um valor certo para amanhã."
    ), lines
    assert lines[1] == f"- Orçamentos diários das campanhas ativas: {format_money(budgets)}/dia no total.", (
        lines
    )
    assert lines[2].startswith(
        f"- Seguindo as {len(cuts)} recomendações de corte ativas, cerca de {format_money(sum(cuts))} a "
        f"menos por dia (estimativa do pipeline: {format_money(sum(cuts) * 7)}/semana)"
    ), lines
    tomorrow = demo_db.as_of + 2 * DAY
    assert lines[3].startswith(f"Previsão para {_d(tomorrow)} (só esse dia): cerca de R$ "), lines


# ------------------------------------------------------------ 9. "o mês passado foi melhor q esse?"
@pytest.mark.parametrize("question", ["o mes passado foi melhor q esse?", "mês passado foi melhor que este?"])
def test_last_month_judged_against_this_one_named_by_esse_alone(demo_db: DemoDb, question: str) -> None:
    """ "esse" with its noun understood was no period: the answer was October's campaigns ranked by their
    CPL. Now the two months, the verdict by their CPLs (summed here) first."""
    last = demo_db.as_of  # 29/11: November so far against October
    oct_first, oct_last = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    s_oct, l_oct = _account(demo_db, oct_first, oct_last)
    s_nov, l_nov = _account(demo_db, last.replace(day=1), last)
    cpl_oct, cpl_nov = s_oct / l_oct, s_nov / l_nov
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    verdict = "Sim" if cpl_oct < cpl_nov else "Não"  # was last month the better (the lower CPL)?
    assert lines[0].startswith(
        f"{verdict}: o CPL em novembro de 2026 até agora é {format_money(cpl_nov)}, contra "
        f"{format_money(cpl_oct)} em outubro de 2026 ({_pct(cpl_nov, cpl_oct)})"
    ), lines
