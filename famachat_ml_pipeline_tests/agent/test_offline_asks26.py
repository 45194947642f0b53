"""The tenth buyer review (agent30): "cpl ta subindo?" says yes or no first; "sem lead desde <dia>" with
days outside the data says there is no data for them (and which days the data covers), not the 7 days;
the week's forecast says "cerca de" for the spend as for the leads. Then the review's own findings
(multi-turn follow-ups, anomalies, recommendations, forecasts per campaign, rates, typos). Figures from the
cleaned source, summed here on their own."""

from __future__ import annotations

import re

import pytest

from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline.source.read import first_insight_day
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source, _sums
from famachat_ml_pipeline_tests.agent.test_offline_asks18 import _one
from famachat_ml_pipeline_tests.agent.test_offline_asks22 import DAY
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT

pytestmark = pytest.mark.timeout(1200)


def _weeks(db: DemoDb) -> tuple[dict, dict]:
    """The account's last 7 days and the 7 before, summed here."""
    last = db.as_of
    src = _source(db, ACCOUNT, last - 13 * DAY, last, db.now)
    return _sums(src, last - 6 * DAY, last), _sums(src, last - 13 * DAY, last - 7 * DAY)


# ------------------------------------------------------------ 1. "cpl ta subindo?": yes or no first
@pytest.mark.parametrize(
    ("question", "figure", "up"),
    [
        ("cpl ta subindo?", "cpl", True),
        ("o cpl ta aumentando?", "cpl", True),
        ("os leads estão caindo?", "leads", False),
        ("o gasto ta subindo?", "spend", True),
    ],
)
def test_a_figures_move_asked_of_the_account_is_answered_yes_or_no_first(
    demo_db: DemoDb, question: str, figure: str, up: bool
) -> None:
    now, before = _weeks(demo_db)
    intent, lines = _one(demo_db, question)
    assert intent == "trends", lines
    rose = now[figure] > before[figure]
    assert lines[0].startswith("Sim: " if rose == up else "Não: "), lines
    what = {
        "cpl": "o CPL da conta está",
        "leads": "os leads da conta estão",
        "spend": "o gasto da conta está",
    }
    assert f"{what[figure]} {'subindo' if rose else 'caindo'}: " in lines[0], lines
    shown = {
        "cpl": lambda v: format_money(v),
        "spend": lambda v: format_money(v),
        "leads": lambda v: leads_of(v).split(" ")[0],
    }[figure]
    assert (
        f": {shown(now[figure])} nos 7 dias até {_d(demo_db.as_of)}, contra {shown(before[figure])} nos 7 "
        "anteriores (" in lines[0]
    ), lines


# ------------------------------------------------------------ 2. "sem lead desde <dia>" outside the data
def _covered(db: DemoDb) -> str:
    first = first_insight_day(db.engine, ACCOUNT)
    return f"Os dados desta conta vão de {_d(first)} a {_d(db.as_of)} (último dia completo)"


def test_days_without_leads_after_the_data_are_said_to_have_no_data(demo_db: DemoDb) -> None:
    later = demo_db.as_of + 10 * DAY
    for question, days in (
        (f"estou gastando sem lead desde {later:%d/%m/%Y}?", f"de {_d(later)} em diante"),
        (f"quais campanhas gastaram sem lead em {later:%d/%m/%Y}?", f"de {_d(later)}"),
    ):
        intent, lines = _one(demo_db, question)
        assert intent == "underperformers", lines
        assert lines[0].startswith(f"Não há dados {days}: ainda não chegou. {_covered(demo_db)}"), lines
        assert not any("nos 7 dias" in x for x in lines), lines


def test_days_without_leads_before_the_data_are_said_to_have_no_data(demo_db: DemoDb) -> None:
    first = first_insight_day(demo_db.engine, ACCOUNT)
    earlier = first - 20 * DAY
    intent, lines = _one(demo_db, f"quais campanhas gastaram sem lead em {earlier:%d/%m/%Y}?")
    assert intent == "underperformers", lines
    assert lines == [
        f"Não há dados de {_d(earlier)}: é antes do primeiro dia dos dados. {_covered(demo_db)}, então não "
        "sei quais campanhas gastaram sem lead nesse dia."
    ], lines
    # begun before the data: the days covered, said partial
    intent, lines = _one(demo_db, f"estou gastando sem lead desde {earlier:%d/%m/%Y}?")
    days = (demo_db.as_of - first).days + 1
    assert (
        f"de {_d(first)} a {_d(demo_db.as_of)} (desde {earlier:%d/%m/%Y}, {days} dias; parcial: os dados "
        in (lines[0])
    ), lines
    assert f"começam em {_d(first)})" in lines[0], lines


def test_an_invalid_day_without_leads_is_said_invalid(demo_db: DemoDb) -> None:
    """a day that does not exist is no reason to answer the 7 days instead"""
    intent, lines = _one(demo_db, "estou gastando sem lead desde 31/02?")
    assert intent == "underperformers", lines
    assert lines[0].startswith("31/02 não é uma data válida"), lines
    assert not any("nos 7 dias" in x for x in lines), lines


# ------------------------------------------------------------ 3. the week's forecast: both figures "cerca de"
@pytest.mark.parametrize(
    ("question", "pattern"),
    [
        ("quanto vou gastar essa semana?", r"cerca de R\$ [\d.]+,\d\d de gasto e cerca de [\d.]+ leads"),
        ("quantos leads vou ter essa semana?", r"cerca de [\d.]+ leads e cerca de R\$ [\d.]+,\d\d de gasto"),
    ],
)
def test_the_weeks_forecast_says_about_for_the_spend_too(
    demo_db: DemoDb, question: str, pattern: str
) -> None:
    intent, lines = _one(demo_db, question)
    assert intent == "forecast", lines
    (head,) = [x for x in lines if x.startswith("Previsão do pipeline")]
    assert re.search(rf": {pattern} na conta\.$", head), head
