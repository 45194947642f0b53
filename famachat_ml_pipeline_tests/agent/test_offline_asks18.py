"""Offline answers the sixth buyer review left wrong or weak (agent23): "relatório da semana" is the summary;
"qual o orçamento diário total?" sums the active campaigns' daily budgets; "quanto falta gastar no mês?" says
first that no monthly budget is stored; "o pior CTR em novembro" ranks that month's CTR; "top 3" lists three;
"no ano" is the year so far; "o que é CPL?", "o que significa HIGH_PERFORMER?", "como vocês calculam a
previsão?" and "o que é uma anomalia de frequência?" are defined first; decisions on the advice ("ignora a
recomendação de pausar", "quais recomendações eu já descartei?", "já aumentei o orçamento da campanha N")
say how to record them, never pretending; "oi", "obrigado", "asdfgh" are answered as such; a long message
with two asks gets both; and four short threads through the API's path.

Every figure is computed here from the cleaned source and the tables on their own."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.core.recommendations import format_money, format_number
from famachat_ml_pipeline.db.user_decisions import dismiss_recommendation
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, cleaned_daily
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source, _sums
from famachat_ml_pipeline_tests.agent.test_offline_asks16 import _numbered
from famachat_ml_pipeline_tests.agent.test_offline_asks17 import _active_recs
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _thread

pytestmark = pytest.mark.timeout(1200)
DAY = dt.timedelta(days=1)
HELP = "Posso responder sobre esta conta"
NOT_RECORDED = "Não consigo registrar decisões por aqui"
INACTIVE = {"PAUSED", "DELETED", "ARCHIVED", "CAMPAIGN_PAUSED", "ADSET_PAUSED"}
MONTHS_PT = (
    *("janeiro", "fevereiro", "março", "abril", "maio", "junho"),
    *("julho", "agosto", "setembro", "outubro", "novembro", "dezembro"),
)


def _one(db: DemoDb, question: str) -> tuple[str, list[str]]:
    ((intent, lines),) = _thread(db, db.now, [question])
    return intent, lines


def _budgets(db: DemoDb) -> tuple[dict[str, float], int]:
    """The active campaigns' daily budgets (major unit, those with one) and how many are active."""
    with db.engine.connect() as c:
        rows = c.execute(
            sa.text(
                "select campaign_id, status, effective_status, daily_budget from "
                "sistema_facebook_ads_campaigns where config_id = :a"
            ),
            {"a": ACCOUNT},
        ).all()
    active = [r for r in rows if r[1] not in INACTIVE and r[2] not in INACTIVE]
    return {r[0]: float(r[3]) / 100 for r in active if r[3] is not None and float(r[3]) > 0}, len(active)


def _month_first(db: DemoDb) -> tuple[dt.date, dt.date]:
    """The as_of's month, from its first day the source covers to the as_of."""
    through = db.as_of
    d = _source(db, ACCOUNT, through - 120 * DAY, through, db.now)
    return max(through.replace(day=1), d["date"].min()), through


def _per_campaign(db: DemoDb, first: dt.date, last: dt.date) -> pl.DataFrame:
    daily = cleaned_daily(db.engine, [ACCOUNT], last, (last - first).days + 1, now=db.now)
    return (
        daily.filter(pl.col("date").is_between(first, last))
        .group_by("campaign_id")
        .agg(pl.col("spend", "leads", "impressions", "clicks").sum())
    )


# ------------------------------------------------------------ 1. the account at a glance
def test_a_weekly_report_is_the_summary_of_the_7_days(demo_db: DemoDb) -> None:
    """ "relatório da semana": the account's summary (7 days' spend, leads, CPL), not the help menu."""
    through = demo_db.as_of
    s = _sums(_source(demo_db, ACCOUNT, through - 6 * DAY, through, demo_db.now), through - 6 * DAY, through)
    intent, lines = _one(demo_db, "relatório da semana")
    assert intent == "summary", lines
    assert lines[0].startswith(f"Resumo da conta (7 dias até {_d(through)}): {format_money(s['spend'])}"), (
        lines
    )
    assert f"{s['leads']} leads" in lines[0], lines[0]
    assert not any(HELP in x for x in lines), lines


# ------------------------------------------------------------ 2. inventory: the daily budgets
def test_the_daily_budget_total_sums_the_active_campaigns(demo_db: DemoDb) -> None:
    """ "qual o orçamento diário total?": the active campaigns' daily budgets summed, with how many have one,
    the largest listed; not the recommendations."""
    budgets, active = _budgets(demo_db)
    assert budgets
    intent, lines = _one(demo_db, "qual o orçamento diário total?")
    assert intent == "budget", lines
    assert lines[0] == (
        f"Orçamento diário total das campanhas ativas: {format_money(sum(budgets.values()))} por dia "
        f"({len(budgets)} de {active} campanhas ativas com orçamento diário na campanha)."
    ), lines[0]
    top = max(budgets, key=lambda c: (budgets[c], -int(c)))
    assert any(f"({top}): {format_money(budgets[top])}/dia" in x for x in lines), lines


def test_what_is_left_to_spend_in_the_month_says_no_monthly_budget_first(demo_db: DemoDb) -> None:
    """ "quanto falta gastar no mês?": no monthly budget is stored, said first; then the daily budgets' pace
    over the month's days left and the month's close from the forecast, never the CPL's factors."""
    budgets, _ = _budgets(demo_db)
    today = demo_db.as_of + DAY
    month_last = (today.replace(day=28) + 4 * DAY).replace(day=1) - DAY
    left = (month_last - today).days + 1 if today.month == demo_db.as_of.month else 0
    intent, lines = _one(demo_db, "quanto falta gastar no mês?")
    assert intent == "forecast", lines
    assert lines[0].startswith("Não há orçamento mensal nos dados"), lines[0]
    if left:
        total = sum(budgets.values())
        assert f"({format_money(total)}/dia)" in lines[1], lines[1]
        assert lines[1].endswith(f"até {format_money(total * left)}."), lines[1]
        assert any("deve fechar em" in x for x in lines), lines
    assert not any(x.startswith("CPL da conta:") for x in lines), lines


# ------------------------------------------------------------ 3. rankings by another figure and period
def test_the_worst_ctr_of_a_month_ranks_that_months_clicks_over_impressions(demo_db: DemoDb) -> None:
    """ "qual teve o pior CTR em <mês>?": the campaigns by that month's CTR (clicks ÷ impressions of its
    days), the lowest first, with the month's days; not the 7 days."""
    first, last = _month_first(demo_db)
    per = _per_campaign(demo_db, first, last).filter(pl.col("impressions") > 0)
    per = per.with_columns(ctr=100 * pl.col("clicks") / pl.col("impressions")).sort(["ctr", "campaign_id"])
    worst = per.row(0, named=True)
    month = MONTHS_PT[last.month - 1]
    intent, lines = _one(demo_db, f"qual teve o pior CTR em {month}?")
    assert intent == "cpl_rank", lines
    assert lines[0].startswith(f"A campanha com o menor CTR em {month} de {last.year} ("), lines[0]
    assert f"({worst['campaign_id']}): CTR {format_number(worst['ctr'], 2)}%" in lines[0], lines[0]
    assert f"{_d(first)} a {_d(last)}" in lines[0], lines[0]


def test_top_3_by_leads_of_the_month_lists_exactly_three(demo_db: DemoDb) -> None:
    """ "top 3 por leads no mês": the month's three campaigns with most leads, in order, and no more."""
    first, last = _month_first(demo_db)
    per = _per_campaign(demo_db, first, last).filter(pl.col("leads") > 0)
    top = per.sort(["leads", "campaign_id"], descending=[True, False])["campaign_id"].to_list()[:3]
    intent, lines = _one(demo_db, "top 3 por leads no mês")
    assert intent == "top", lines
    assert lines[0].startswith("A campanha com mais leads em "), lines[0]
    ranked = [lines[0], *(x for x in lines if x.startswith("- "))]
    assert len(ranked) == 3, lines
    for line, cid in zip(ranked, top, strict=True):
        assert f"({cid}):" in line, (line, cid)


def test_the_year_is_the_year_so_far(demo_db: DemoDb) -> None:
    """ "quanto gastei no ano?": the year of the last complete day, from its first day the source covers,
    its spend first; not the 7 days' CPL factors."""
    through = demo_db.as_of
    jan = through.replace(month=1, day=1)
    d = _source(demo_db, ACCOUNT, jan, through, demo_db.now)
    s = _sums(d, jan, through)
    intent, lines = _one(demo_db, "quanto gastei no ano?")
    assert intent == "performance", lines
    assert lines[0].startswith(f"O ano de {through.year} ({_d(max(jan, d['date'].min()))} a {_d(through)}"), (
        lines
    )
    assert f"{format_money(s['spend'])} investidos" in lines[0], lines[0]


# ------------------------------------------------------------ 4. explanations
@pytest.mark.parametrize(
    ("question", "start", "inside"),
    [
        ("o que é CPL?", "CPL (custo por lead) é", ["gasto do período dividido pelos leads"]),
        ("o que significa HIGH_PERFORMER?", "HIGH_PERFORMER (alta performance)", ["0,70x", "pelo menos 4"]),
        ("como vocês calculam a previsão?", "A previsão é feita por campanha", ["mediana", "95%"]),
        ("o que é uma anomalia de frequência?", "Uma anomalia de frequência (FREQUENCY_ALERT", ["3,50"]),
        ("o que é CTR", "CTR (taxa de cliques)", ["cliques ÷ impressões"]),
    ],
)
def test_a_term_asked_is_defined_first(demo_db: DemoDb, question: str, start: str, inside: list[str]) -> None:
    """ "o que é CPL?": the definition the pipeline computes, first; not the account's figures."""
    intent, lines = _one(demo_db, question)
    assert intent == "explain", lines
    assert lines[0].startswith(start), lines[0]
    for part in inside:
        assert part in lines[0], (part, lines[0])


# ------------------------------------------------------------ 5. acting on advice
def test_ignoring_the_pause_advice_says_how_to_dismiss_it_with_its_id(demo_db: DemoDb) -> None:
    """ "ignora a recomendação de pausar": the chat cannot dismiss, said first, with the API's dismiss; the
    pause advice listed by id (all the advice when there is none)."""
    recs = _active_recs(demo_db)
    pauses = [r for r in recs if r["recommendation_type"] == "PAUSE_CAMPAIGN"] or recs
    intent, lines = _one(demo_db, "ignora a recomendação de pausar")
    assert intent == "decisions", lines
    assert lines[0].startswith(NOT_RECORDED), lines[0]
    rid = str(pauses[0]["id"]) if len(pauses) == 1 else "{id}"
    assert f"/api/v1/recommendations/{rid}/dismiss" in lines[0], lines[0]
    listed = [x for x in lines if x.startswith("- #")]
    assert [int(x[3:].split()[0]) for x in listed] == [r["id"] for r in pauses][:10], lines
    assert lines[-1].startswith("Descartada ou marcada como aplicada"), lines[-1]


def test_the_dismissed_advice_is_listed_from_the_users_columns(demo_db: DemoDb) -> None:
    """ "quais recomendações eu já descartei?": none said so; after one is dismissed (the API's function),
    that one with its reason. The dismissal is undone after, as FamaChat never does but the session needs."""
    intent, lines = _one(demo_db, "quais recomendações eu já descartei?")
    assert intent == "decisions", lines
    assert lines[0] == "Nenhuma recomendação desta conta foi descartada nem marcada como aplicada até agora."
    rec = _active_recs(demo_db)[0]
    row = dismiss_recommendation(demo_db.engine, ACCOUNT, rec["id"], None, "já pausei no gerenciador")
    assert row is not None
    try:
        _, lines = _one(demo_db, "quais recomendações eu já descartei?")
        assert lines[0] == "1 recomendação descartada:", lines
        assert lines[1].startswith(f"- #{rec['id']} {rec['title']} — "), lines[1]
        when = row["dismissed_at"] if isinstance(row["dismissed_at"], dt.datetime) else None
        if when is not None:
            assert f"descartada em {_d(when.date())}" in lines[1], lines[1]
        assert lines[1].endswith("; motivo: já pausei no gerenciador"), lines[1]
    finally:
        with demo_db.engine.begin() as c:
            c.execute(
                sa.text(
                    "update ml_recommendations set dismissed = :f, dismissed_at = null, dismissed_by = null, "
                    "dismissed_reason = null where id = :i"
                ),
                {"f": False, "i": rec["id"]},
            )


def test_a_budget_already_raised_says_to_mark_the_advice_applied(demo_db: DemoDb) -> None:
    """ "já aumentei o orçamento da campanha N, e agora?": mark its advice applied (its id in the call), the
    cooldown, and to wait for the data before the next step; never "done"."""
    recs = _active_recs(demo_db)
    numbered = _numbered(demo_db)
    by_campaign = {c: [r for r in recs if r["entity_id"] == c] for c in numbered.values()}
    n = next(n for n, c in sorted(numbered.items()) if len(by_campaign[c]) == 1)
    (rec,) = by_campaign[numbered[n]]
    intent, lines = _one(demo_db, f"já aumentei o orçamento da campanha {n}, e agora?")
    assert intent == "decisions", lines
    assert lines[0].startswith("Ótimo. Não consigo registrar isso por aqui"), lines[0]
    assert f"/api/v1/recommendations/{rec['id']}/apply" in lines[0], lines[0]
    assert lines[2].startswith(f"- #{rec['id']} {rec['title']}"), lines
    assert any(x.startswith("O efeito só aparece nos dados") for x in lines), lines


# ------------------------------------------------------------ 6. chit-chat and noise
@pytest.mark.parametrize(
    ("message", "first", "menu"),
    [
        ("oi", "Olá! Sou o assistente de dados desta conta de anúncios.", True),
        ("bom dia", "Olá! Sou o assistente de dados desta conta de anúncios.", True),
        ("obrigado!", "De nada!", False),
        ("?", "Não entendi a pergunta.", True),
        ("asdfgh", "Não entendi a pergunta.", True),
    ],
)
def test_small_talk_is_answered_as_such(demo_db: DemoDb, message: str, first: str, menu: bool) -> None:
    intent, lines = _one(demo_db, message)
    assert intent == "help", lines
    assert lines[0].startswith(first), lines
    assert any(HELP in x for x in lines) is menu, lines


def test_a_long_message_with_two_asks_answers_both_in_order(demo_db: DemoDb) -> None:
    """A greeting, yesterday's spend and which campaigns to pause, with a reason: yesterday's figures
    first, then the pause advice as it is asked alone; not the CPL's day move."""
    yesterday = demo_db.as_of
    s = _sums(_source(demo_db, ACCOUNT, yesterday, yesterday, demo_db.now), yesterday, yesterday)
    _, alone = _one(demo_db, "quais campanhas você acha que eu devo pausar agora")
    _, lines = _one(
        demo_db,
        "Oi, tudo bem? Queria saber quanto eu gastei ontem na conta inteira e também quais campanhas você "
        "acha que eu devo pausar agora porque estou preocupado com o CPL que subiu muito nos últimos dias",
    )
    assert lines[0].startswith(f"Em {_d(yesterday)}: {format_money(s['spend'])} investidos"), lines[0]
    start = lines.index(alone[0])
    assert lines[start : start + len(alone)] == alone, lines


# ------------------------------------------------------------ 7. threads (the API passes the earlier turns)
def test_thread_a_term_then_another(demo_db: DemoDb) -> None:
    """ "o que é CPL?" then "e o CTR?": the CTR defined, not the CPL again nor the CTR's figures."""
    (_, first), (intent, second) = _thread(demo_db, demo_db.now, ["o que é CPL?", "e o CTR?"])
    assert first[0].startswith("CPL (custo por lead)"), first
    assert intent == "explain", second
    assert second[0].startswith("CTR (taxa de cliques)"), second


def test_thread_ignore_the_pause_then_the_cut(demo_db: DemoDb) -> None:
    """ "ignora a recomendação de pausar" then "e a de reduzir?": the same how-to, now of the budget cuts."""
    recs = _active_recs(demo_db)
    cuts = [r["id"] for r in recs if r["recommendation_type"] == "BUDGET_DECREASE"] or [r["id"] for r in recs]
    _, (intent, lines) = _thread(demo_db, demo_db.now, ["ignora a recomendação de pausar", "e a de reduzir?"])
    assert intent == "decisions", lines
    assert lines[0].startswith(NOT_RECORDED), lines[0]
    assert [int(x[3:].split()[0]) for x in lines if x.startswith("- #")] == cuts[:10], lines


def test_thread_the_worst_ctr_of_a_month_then_another_month(demo_db: DemoDb) -> None:
    """ "qual teve o pior CTR em <mês>?" then "e em <mês anterior>?": the CTR ranking of that month."""
    first, last = _month_first(demo_db)
    before_last = first - DAY
    before_first = max(
        before_last.replace(day=1),
        _source(demo_db, ACCOUNT, first - 40 * DAY, first, demo_db.now)["date"].min(),
    )
    assert before_first <= before_last
    per = _per_campaign(demo_db, before_first, before_last).filter(pl.col("impressions") > 0)
    per = per.with_columns(ctr=100 * pl.col("clicks") / pl.col("impressions")).sort(["ctr", "campaign_id"])
    worst = per.row(0, named=True)
    month, previous = MONTHS_PT[last.month - 1], MONTHS_PT[before_last.month - 1]
    _, (intent, lines) = _thread(
        demo_db, demo_db.now, [f"qual teve o pior CTR em {month}?", f"e em {previous}?"]
    )
    assert intent == "cpl_rank", lines
    assert lines[0].startswith(f"A campanha com o menor CTR em {previous} de {before_last.year} ("), lines[0]
    assert f"({worst['campaign_id']}): CTR {format_number(worst['ctr'], 2)}%" in lines[0], lines[0]


def test_thread_greeting_summary_thanks(demo_db: DemoDb) -> None:
    """ "oi", "me dá um resumo da conta", "obrigado": greeted, the summary, thanked; the summary unchanged by
    the greeting before it."""
    through = demo_db.as_of
    (_, hello), (intent, summary), (_, thanks) = _thread(
        demo_db, demo_db.now, ["oi", "me dá um resumo da conta", "obrigado"]
    )
    assert hello[0].startswith("Olá!"), hello
    assert intent == "summary" and summary[0].startswith(f"Resumo da conta (7 dias até {_d(through)})"), (
        summary
    )
    assert thanks == [
        "De nada! Se quiser, é só perguntar mais sobre a conta (ex.: “me dá um resumo da conta”)."
    ]
