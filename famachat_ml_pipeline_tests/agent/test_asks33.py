"""The sixteenth buyer review (agent36): "quais campanhas tão com ctr ruim?" (the tiers by CPL), "cpl do
fim de semana ta pior que dia de semana?" (last weekend's campaigns), "qual o cpl ideal pra essa conta?"
(the 7 days' CPL, as if that were the answer), "qual o dia mais barato da semana?" (single dates), a partial
month's raw % changes, and the online answer on an account not in reais. Figures from the cleaned source,
read here on their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from famachat_ml_pipeline.agent.online import OnlineAgent
from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.core.recommendations import format_money, format_number, format_pct
from famachat_ml_pipeline.core.recommendations.text_ptbr import WEEKDAYS_PT
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.fake_anthropic import Reply, fake_anthropic, text
from famachat_ml_pipeline_tests.agent.test_asks32 import CLP_ACCOUNT, _one
from famachat_ml_pipeline_tests.agent.test_offline_asks7 import _figures
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT

pytestmark = pytest.mark.timeout(1200)

DAY = dt.timedelta(days=1)


def _pct(new: float, old: float) -> str:
    """A change to the unit, "+" when it rose ("0%" and "-13%" as they are)."""
    v = (new - old) / old * 100
    text_ = format_pct(abs(v), 0)
    return text_ if text_ == "0%" else ("+" if v > 0 else "-") + text_


def _names(db: DemoDb) -> dict[str, str]:
    return {r["campaign_id"]: r["name"] for r in db.data.campaigns.iter_rows(named=True)}


def _per_campaign(db: DemoDb, first: dt.date, last: dt.date) -> pl.DataFrame:
    """Each campaign's spend, leads, clicks and impressions of first..last, summed here."""
    return (
        _source(db, ACCOUNT, first, last, db.now)
        .filter(pl.col("date").is_between(first, last))
        .group_by("campaign_id")
        .agg(
            pl.col("spend").sum(), pl.col("leads").sum(), pl.col("clicks").sum(), pl.col("impressions").sum()
        )
    )


# ------------------------------------------------------------ 1. the campaigns with a bad CTR
@pytest.mark.parametrize(
    "question",
    [
        "quais campanhas tão com ctr ruim?",
        "qual campanha tem ctr baixo?",
        "qual campanha tem ctr abaixo da média?",
    ],
)
def test_a_bad_ctr_ranks_the_campaigns_by_ctr(demo_db: DemoDb, question: str) -> None:
    """Was the underperformers by their CPL. Now the campaigns by their 7-day CTR, lowest first, and the
    account's CTR of the same days as the reference, how many are below it; summed here."""
    intent, lines = _one(demo_db, question)
    assert intent == "cpl_rank", lines
    through = demo_db.as_of
    c = _per_campaign(demo_db, through - 6 * DAY, through).filter(pl.col("impressions") > 0)
    c = c.with_columns(ctr=pl.col("clicks") / pl.col("impressions") * 100).sort("ctr")
    lowest = c.row(0, named=True)
    assert lines[0].startswith(
        f"Campanha com o menor CTR nos 7 dias até {_d(through)}: “{_names(demo_db)[lowest['campaign_id']]}” "
        f"({lowest['campaign_id']}): CTR {format_pct(lowest['ctr'], 2)}"
    ), lines
    account = _figures(demo_db, ACCOUNT, through - 6 * DAY, through)["ctr"]
    below = c.filter(pl.col("ctr") < account).height
    assert lines[-1] == (
        f"CTR da conta nos mesmos 7 dias: {format_pct(account, 2)}; {below} de {c.height} campanhas com "
        f"impressões abaixo dele."
    ), lines
    assert not any("UNDERPERFORMER" in line for line in lines), lines


def test_a_good_ctr_ranks_the_highest_first(demo_db: DemoDb) -> None:
    intent, lines = _one(demo_db, "quais campanhas tem ctr bom?")
    assert intent == "cpl_rank", lines
    through = demo_db.as_of
    c = _per_campaign(demo_db, through - 6 * DAY, through).filter(pl.col("impressions") > 0)
    top = c.with_columns(ctr=pl.col("clicks") / pl.col("impressions") * 100).sort("ctr").row(-1, named=True)
    assert lines[0].startswith(f"Campanha com o maior CTR nos 7 dias até {_d(through)}: "), lines
    assert f"({top['campaign_id']}): CTR {format_pct(top['ctr'], 2)}" in lines[0], lines


# ------------------------------------------------------------ 2. the weekend against Monday to Friday
def _four_weeks(db: DemoDb) -> tuple[dt.date, dt.date]:
    return db.as_of - 27 * DAY, db.as_of  # the demo ends on a Sunday: 4 whole weeks, Monday to Sunday


def _weekend_sides(db: DemoDb) -> dict[str, dict[str, Any]]:
    """Saturday+Sunday and Monday-Friday of the 4 weeks: sums, CPM, spend and leads per day, summed here."""
    first, last = _four_weeks(db)
    d = _source(db, ACCOUNT, first, last, db.now).with_columns(end=pl.col("date").dt.weekday() >= 6)
    out = {}
    for key, flag in (("end", True), ("work", False)):
        w = d.filter(pl.col("end") == flag)
        spend, leads, n = float(w["spend"].sum()), int(w["leads"].sum()), w["date"].n_unique()
        imps = int(w["impressions"].sum())
        out[key] = {
            "spend": spend,
            "leads": leads,
            "days": n,
            "cpl": spend / leads,
            "cpm": spend / imps * 1000,
            "spend_day": spend / n,
            "leads_day": leads / n,
        }
    return out


def _side_text(x: dict[str, Any]) -> str:
    return (
        f"CPL {format_money(x['cpl'])}, {format_number(x['leads'] / x['days'], 1)} leads/dia, "
        f"{format_money(x['spend'] / x['days'])}/dia de gasto ({x['days']} dias, {leads_of(x['leads'])}, "
        f"{format_money(x['spend'])})"
    )


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("cpl do fim de semana ta pior que dia de semana?", "worse"),
        ("fds converte melhor que dia útil?", "better"),
        ("compara fim de semana com dia de semana", ""),
        # part 2: the weekend judged alone is judged against the rest of the week (was Saturday's place)
        ("sábado e domingo vale a pena anunciar?", "better"),
        ("vale a pena anunciar no fds?", "better"),
        ("fds converte mal?", "worse"),
    ],
)
def test_the_weekend_against_the_weekdays(demo_db: DemoDb, question: str, asked: str) -> None:
    """Was last weekend's campaigns ranked. Now Saturday and Sunday of the last 4 full weeks against
    Monday to Friday: the verdict by their CPLs (the yes or no of the side asked), then each per day."""
    intent, lines = _one(demo_db, question)
    assert intent == "weekday", lines
    s = _weekend_sides(demo_db)
    first, last = _four_weeks(demo_db)
    gap = (s["end"]["cpl"] - s["work"]["cpl"]) / s["work"]["cpl"] * 100
    when = f"nas últimas 4 semanas completas ({_d(first)} a {_d(last)}, 28 dias"
    if abs(gap) < 5:
        assert lines[0].startswith("Praticamente igual: o CPL do fim de semana fica "), lines
    else:
        word = "pior (mais caro)" if gap > 0 else "melhor (mais barato)"
        yes = {"worse": gap > 0, "better": gap < 0}.get(asked)
        head = "O" if yes is None else "Sim: o" if yes else "Não: o"
        assert lines[0].startswith(
            f"{head} fim de semana está {word} que os dias úteis, CPL {format_pct(abs(gap))} "
            f"{'acima' if gap > 0 else 'abaixo'} {when}"
        ), lines
    assert lines[1] == f"- Sábado e domingo: {_side_text(s['end'])}.", lines
    assert lines[2] == f"- Segunda a sexta: {_side_text(s['work'])}.", lines


# ------------------------------------------------------------ 3. an ideal CPL asked
@pytest.mark.parametrize(
    "question",
    [
        "qual o cpl ideal pra essa conta?",
        "qual deveria ser meu cpl?",
        "qual a meta de cpl?",
        "quanto devo pagar por lead?",
    ],
)
def test_an_ideal_cpl_is_not_invented(demo_db: DemoDb, question: str) -> None:
    """Was the 7 days' CPL move, as if that were a target. Now that no target is stored (nor a benchmark),
    then the account's 7-day CPL and the CPL range of its 3 cheapest campaigns with 5 leads or more."""
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    assert lines[0] == (
        "Não há meta de CPL guardada para esta conta, nem referência de mercado (benchmark) nos dados: não "
        "tenho um CPL ideal para dizer. O que os dados da própria conta mostram:"
    ), lines
    through = demo_db.as_of
    cpl = _figures(demo_db, ACCOUNT, through - 6 * DAY, through)["cpl"]
    assert lines[1].startswith(f"- CPL da conta nos 7 dias até {_d(through)}: {format_money(cpl)}; "), lines
    best = (
        _per_campaign(demo_db, through - 6 * DAY, through)
        .filter(pl.col("leads") >= 5)
        .with_columns(cpl=pl.col("spend") / pl.col("leads"))
        .sort("cpl")
        .head(3)
    )
    cpls = [format_money(v) for v in best["cpl"]]
    assert any(
        line.startswith(
            f"- As 3 campanhas de menor CPL nos mesmos 7 dias (com pelo menos 5 leads): de {cpls[0]} a "
            f"{cpls[-1]}: “{_names(demo_db)[best['campaign_id'][0]]}”"
        )
        for line in lines
    ), lines
    assert lines[-1].startswith("Se você tem uma meta de CPL, me diga o valor"), lines


# ------------------------------------------------------------ 4. the cheapest weekday
@pytest.mark.parametrize(
    ("question", "cheap"),
    [("qual o dia mais barato da semana?", True), ("qual o dia mais caro da semana?", False)],
)
def test_the_cheapest_day_of_the_week_is_a_weekday(demo_db: DemoDb, question: str, cheap: bool) -> None:
    """Was single dates of the last 30 days. Now the weekdays of the last 4 full weeks by their CPL."""
    intent, lines = _one(demo_db, question)
    assert intent == "weekday", lines
    first, last = _four_weeks(demo_db)
    by_day = (
        _source(demo_db, ACCOUNT, first, last, demo_db.now)
        .group_by(pl.col("date").dt.weekday().alias("wd"))
        .agg(pl.col("spend").sum(), pl.col("leads").sum())
        .with_columns(cpl=pl.col("spend") / pl.col("leads"))
        .sort("cpl", descending=not cheap)
    )
    day = by_day.row(0, named=True)
    head = "Melhor dia da semana (menor CPL)" if cheap else "Pior dia da semana (maior CPL)"
    assert lines[0].startswith(
        f"{head} nas últimas 4 semanas completas ({_d(first)} a {_d(last)}, 28 dias: cada dia da semana 4 "
        f"vezes): {WEEKDAYS_PT[day['wd'] - 1]}, CPL {format_money(day['cpl'])}"
    ), lines


# ------------------------------------------------------------ 5. a partial month compared per day
def test_a_partial_month_is_compared_per_day(demo_db: DemoDb) -> None:
    """September's data begin on the 21st (10 days): "gasto +201%" against October read as growth. Now
    spend and leads per day with data and their changes, the CPL's, and no raw % of the totals."""
    intent, lines = _one(demo_db, "compara setembro com outubro")
    assert intent == "performance", lines
    sep_first = _source(demo_db, ACCOUNT, dt.date(2026, 9, 1), dt.date(2026, 9, 30), demo_db.now)[
        "date"
    ].min()
    assert sep_first > dt.date(2026, 9, 1)
    sides = []
    for a, b in ((sep_first, dt.date(2026, 9, 30)), (dt.date(2026, 10, 1), dt.date(2026, 10, 31))):
        d = _source(demo_db, ACCOUNT, a, b, demo_db.now)
        spend, leads, n = float(d["spend"].sum()), int(d["leads"].sum()), d["date"].n_unique()
        sides.append({"spend": spend / n, "leads": leads / n, "cpl": spend / leads, "days": n})
    o, n_ = sides
    assert lines[0] == (  # the change first (agent42)
        f"Como um lado é parcial ({o['days']} contra {n_['days']} dias com dados), comparo por dia, não "
        f"pelos totais. De setembro de 2026 para outubro de 2026: gasto por dia {format_money(o['spend'])} "
        f"contra {format_money(n_['spend'])} ({_pct(n_['spend'], o['spend'])}), leads por dia "
        f"{format_number(o['leads'], 1)} contra {format_number(n_['leads'], 1)} "
        f"({_pct(n_['leads'], o['leads'])}), "
        f"CPL {_pct(n_['cpl'], o['cpl'])}."
    ), lines
    assert not any(line.startswith("Variação de") for line in lines), lines


# ------------------------------------------------------------ 6. the online answer on a CLP account
def _online(db: DemoDb, url: str, account: int = CLP_ACCOUNT) -> OnlineAgent:
    settings = Settings(
        database_url=db.url,
        AGENT_ANTHROPIC_API_KEY="sk-ant-test-key",
        anthropic_base_url=url,
        agent_max_retries=0,
        agent_timeout_seconds=5.0,
    )
    agent = open_agent(db.engine, account, settings, now=db.now)
    assert isinstance(agent, OnlineAgent)
    return agent


def test_the_online_answer_in_reais_on_a_clp_account_says_clp(clp_db: DemoDb) -> None:  # noqa: F811
    """The offline answer said the account's currency first; the online one did not, and its prompt told the
    model to write "R$ 1.234,56" on a CLP account. Now the prompt's example is in CLP with a rule against
    "reais", and the reply starts with the same note as the offline answer."""
    with fake_anthropic([Reply([text("Você gastou CLP 1.000 na semana.")])]) as fake:
        reply = _online(clp_db, fake.url).ask("quanto gastei em reais?")
    system = fake.requests[0]["body"]["system"]
    system = system if isinstance(system, str) else " ".join(b["text"] for b in system)
    assert '"CLP 1.235"' in system and "R$ 1.234,56" not in system, system
    assert "A conta NÃO é em reais" in system, system
    assert reply.text == (
        "A conta é em CLP (peso chileno), não em reais: os valores abaixo estão em CLP, sem conversão (os "
        "dados não trazem câmbio).\n\nVocê gastou CLP 1.000 na semana."
    ), reply.text


def test_the_online_answer_with_no_currency_named_has_no_note(clp_db: DemoDb) -> None:  # noqa: F811
    with fake_anthropic([Reply([text("Gasto de CLP 1.000.")])]) as fake:
        reply = _online(clp_db, fake.url).ask("quanto gastei?")
    assert reply.text == "Gasto de CLP 1.000.", reply.text


# ------------------------------------------------------------ 7. a goal asked as if stored
GOAL = (
    "Não há meta guardada para esta conta: os dados não trazem metas de leads, de gasto ou de CPL. Se você "
    "tem uma, me diga o valor (ex.: “quanto falta pra bater 2000 leads no mês?”)."
)


def test_a_goal_of_leads_asked_is_said_not_stored(demo_db: DemoDb) -> None:
    """ "qual a meta de leads do mês?" was the month's figures, as if they were the goal. Now that no goal
    is stored first, then the month so far, its leads summed here."""
    _, lines = _one(demo_db, "qual a meta de leads do mês?")
    assert lines[0] == f"{GOAL} O que os dados mostram:", lines
    first, through = demo_db.as_of.replace(day=1), demo_db.as_of
    leads = _figures(demo_db, ACCOUNT, first, through)["leads"]
    assert lines[1].startswith(f"Novembro de 2026 ({_d(first)} a {_d(through)}, "), lines
    assert leads_of(leads) in lines[1], lines


@pytest.mark.parametrize("question", ["tem meta cadastrada?", "qual é a minha meta?"])
def test_a_goal_asked_alone_is_said_not_stored(demo_db: DemoDb, question: str) -> None:
    """Was "Não entendi a pergunta." and the help menu."""
    _, lines = _one(demo_db, question)
    assert lines[0].startswith(GOAL), lines
    assert not any("Não entendi" in line for line in lines), lines


@pytest.mark.parametrize(
    "question", ["qual o objetivo dessa campanha?", "quanto falta pra bater 2000 leads no mês?"]
)
def test_no_goal_note_where_no_stored_goal_is_asked(demo_db: DemoDb, question: str) -> None:
    """A campaign's objective, or a goal the buyer gives, is no stored goal asked."""
    _, lines = _one(demo_db, question)
    assert not any(line.startswith("Não há meta") for line in lines), lines


def test_a_greeting_before_the_weekend_is_last_weekend(demo_db: DemoDb) -> None:
    """ "bom dia" is a greeting, not a weekday judged: last weekend's figures, after its verdict (agent39:
    "como foi o fds?" is judged against the weekends before it, test_asks36)."""
    intent, lines = _one(demo_db, "bom dia, como foi o fds?")
    assert intent != "weekday", lines
    sunday = demo_db.as_of
    assert lines[1].startswith(
        f"Fim de semana, sábado e domingo ({_d(sunday - DAY)} a {_d(sunday)}, 2 dias): "
    ), lines
