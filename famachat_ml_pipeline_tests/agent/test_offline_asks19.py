"""Offline answers four leftovers of the buyer reviews left wrong or weak (agent24): a count of 1.000 or more
written with pt-BR grouping ("2.660 leads"); a day's or period's figures not followed by the 7 days' CPL move
(kept where the CPL's move is asked); "as 2 piores / as 3 melhores campanhas em <mês>" ranked by that
month's CPL, N respected, the ones without a lead said apart; the summed daily 95 % bounds of the older
forecast lines said to be no 95 % interval of the total.

Every figure is computed here from the cleaned source on its own."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from famachat_ml_pipeline.agent.wording import leads_text
from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline_tests.agent.conftest import DemoDb
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source, _sums
from famachat_ml_pipeline_tests.agent.test_offline_asks18 import MONTHS_PT, _one, _per_campaign
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT

pytestmark = pytest.mark.timeout(1200)
DAY = dt.timedelta(days=1)
TREND_HEAD = "CPL da conta:"  # the 7 days' CPL move, as `_trend_lines` writes it


def _grouped(n: int) -> str:
    """ "2.660": a count as pt-BR writes it, written here on its own."""
    return f"{n:,}".replace(",", ".")


def _last_month(db: DemoDb) -> tuple[dt.date, dt.date]:
    """The whole month before the as_of's (the demo's 70 days cover it)."""
    last = db.as_of.replace(day=1) - DAY
    return last.replace(day=1), last


# ------------------------------------------------------------ 1. counts of 1.000 or more, grouped
def test_leads_text_groups_thousands() -> None:
    """The one formatter of a leads count: "2.660 leads", "1 lead", "- leads" (none)."""
    assert leads_text(2660) == "2.660 leads"
    assert leads_text(1234567) == "1.234.567 leads"
    assert leads_text(999) == "999 leads"
    assert leads_text(1) == "1 lead"
    assert leads_text(None) == "- leads"


def test_the_years_leads_are_written_with_the_thousands_separator(demo_db: DemoDb) -> None:
    """ "quantos leads no ano?": the year so far's leads first, "2.660 leads", never "2660 leads"."""
    through = demo_db.as_of
    jan = through.replace(month=1, day=1)
    s = _sums(_source(demo_db, ACCOUNT, jan, through, demo_db.now), jan, through)
    assert s["leads"] >= 1000, s  # the demo account's year holds more than a thousand leads
    intent, lines = _one(demo_db, "quantos leads no ano?")
    assert intent == "performance", lines
    head = lines[0].split("): ", 1)[1]
    assert head.startswith(f"{_grouped(s['leads'])} leads, {format_money(s['spend'])} investidos"), lines[0]
    assert f"{s['leads']} leads" not in lines[0], lines[0]


# ------------------------------------------------------------ 2. a day or period: its figures only
@pytest.mark.parametrize(
    "question",
    [
        *("semana retrasada", "últimos 30 dias", "quanto gastei no ano?"),
        *("quanto gastei ontem?", "ontem e anteontem"),
    ],
)
def test_a_day_or_period_is_not_followed_by_the_7_days_cpl_move(demo_db: DemoDb, question: str) -> None:
    """The figures of the day or period asked, and nothing of the 7 days' CPL move nor its campaigns'
    CPL rises: that block answers "por que o CPL subiu?", which still gets it."""
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    assert "investidos" in lines[0], lines
    assert not any(x.startswith(TREND_HEAD) for x in lines), lines
    assert not any(x.startswith("- CPL subiu") for x in lines), lines
    asked_why = _one(demo_db, "por que o CPL subiu?")[1]
    assert any(x.startswith(TREND_HEAD) for x in asked_why), asked_why


# ------------------------------------------------------------ 3. the best / worst of a month, by its CPL
def _month_ranking(db: DemoDb) -> tuple[str, dt.date, dt.date, pl.DataFrame, list[str]]:
    """The last whole month's name, days, the campaigns with leads in it (with their CPL) and the ones
    that spent in it without a lead (most spent first)."""
    first, last = _last_month(db)
    per = _per_campaign(db, first, last)
    priced = per.filter(pl.col("leads") > 0).with_columns(cpl=pl.col("spend") / pl.col("leads"))
    idle = per.filter((pl.col("leads") == 0) & (pl.col("spend") > 0)).sort("spend", descending=True)
    return MONTHS_PT[last.month - 1], first, last, priced, idle["campaign_id"].to_list()


@pytest.mark.parametrize(("words", "n", "worst"), [("piores", 2, True), ("melhores", 3, False)])
def test_the_n_best_or_worst_of_a_month_are_ranked_by_that_months_cpl(
    demo_db: DemoDb, words: str, n: int, worst: bool
) -> None:
    """ "as 2 piores campanhas em <mês>": that month's campaigns by its CPL (spend ÷ leads of its days),
    exactly N, the worst (or best) first with its figures; the ones that spent without a lead said apart,
    not ranked; not the 7 days' tiers."""
    month, first, last, priced, idle = _month_ranking(demo_db)
    ranked = priced.sort(["cpl", "campaign_id"], descending=[worst, False]).head(n).to_dicts()
    assert len(ranked) == n
    intent, lines = _one(demo_db, f"as {n} {words} campanhas em {month}")
    assert intent == ("underperformers" if worst else "top"), lines
    which = "pior" if worst else "melhor"
    assert lines[0].startswith(
        f"A campanha com o {which} CPL em {month} de {last.year} ({_d(first)} a {_d(last)}, "
    ), lines[0]
    shown = [lines[0], *(x for x in lines if x.startswith("- "))]
    assert len(shown) == n, lines
    for line, c in zip(shown, ranked, strict=True):
        assert f"({c['campaign_id']}): {format_money(c['spend'])} gastos, " in line, (line, c)
        assert f"CPL {format_money(c['cpl'])}" in line, (line, c)
    apart = [x for x in lines if x.startswith("Gastaram sem nenhum lead")]
    assert len(apart) == (1 if idle else 0), lines
    for cid in idle:
        assert f"({cid}, " in apart[0], (cid, apart)
        assert not any(f"({cid}):" in x for x in shown), (cid, shown)
    assert not any("7 dias até" in x for x in lines), lines


def test_the_worst_campaign_of_yesterday_is_that_days_and_says_the_idle_apart(demo_db: DemoDb) -> None:
    """ "qual a pior campanha ontem?": yesterday's highest CPL, not the 7 days' critical tier; the
    campaigns that spent that day without a lead said apart."""
    day = demo_db.as_of
    per = _per_campaign(demo_db, day, day)
    priced = per.filter(pl.col("leads") > 0).with_columns(cpl=pl.col("spend") / pl.col("leads"))
    worst = priced.sort(["cpl", "campaign_id"], descending=[True, False]).row(0, named=True)
    idle = per.filter((pl.col("leads") == 0) & (pl.col("spend") > 0))["campaign_id"].to_list()
    intent, lines = _one(demo_db, "qual a pior campanha ontem?")
    assert intent == "underperformers", lines
    assert lines[0].startswith(f"A campanha com o pior CPL em {_d(day)}: "), lines[0]
    assert f"({worst['campaign_id']}): " in lines[0], lines[0]
    assert f"CPL {format_money(worst['cpl'])}" in lines[0], lines[0]
    apart = [x for x in lines if x.startswith(f"Gastaram sem nenhum lead em {_d(day)}")]
    assert len(apart) == (1 if idle else 0), lines
    assert all(f"({cid}, " in apart[0] for cid in idle), (idle, apart)


# ------------------------------------------------------------ 4. the summed daily bounds, said as such
def test_the_account_forecasts_range_is_said_to_be_no_95_interval_of_the_total(demo_db: DemoDb) -> None:
    """ "quantos leads vou ter na próxima semana?": the range in parentheses is the sum of the daily 95 %
    bounds, and that is no 95 % interval of the week's total (as the worst-case lines say)."""
    intent, lines = _one(demo_db, "quantos leads vou ter na próxima semana?")
    assert intent == "forecast", lines
    assert lines[-1] == (
        "Entre parênteses, a faixa = soma dos limites diários do intervalo de 95%, que não é um intervalo "
        "de 95% do total."
    ), lines


def test_a_campaigns_forecast_says_its_ranges_are_no_95_intervals(demo_db: DemoDb) -> None:
    """ "previsão da campanha N": its leads' range is no 95 % interval of the total, its CPL's (the mean of
    the daily bounds) none of the mean CPL."""
    per = _per_campaign(demo_db, demo_db.as_of - 6 * DAY, demo_db.as_of).filter(pl.col("leads") > 0)
    cid = per.sort("leads", descending=True)["campaign_id"][0]
    intent, lines = _one(demo_db, f"previsão da campanha {cid}")
    assert intent == "forecast", lines
    leads = [x for x in lines if " leads no total nos próximos " in x]
    cpl = [x for x in lines if " de CPL médio por dia nos próximos " in x]
    assert leads and cpl, lines
    assert leads[0].endswith(
        "faixa = soma dos limites diários do intervalo de 95%, que não é um intervalo de 95% do total."
    ), leads
    assert cpl[0].endswith(
        "faixa = média dos limites diários do intervalo de 95%, que não é um intervalo de 95% do CPL médio."
    ), cpl
