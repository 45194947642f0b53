"""The tenth buyer review (agent30): "cpl ta subindo?" says yes or no first; "sem lead desde <dia>" with
days outside the data says there is no data for them (and which days the data covers), not the 7 days;
the week's forecast says "cerca de" for the spend as for the leads. Then the review's own findings
(multi-turn follow-ups, anomalies, recommendations, forecasts per campaign, rates, typos). Figures from the
cleaned source, summed here on their own."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline.core.vocab import GOOD_NEWS_ANOMALIES
from famachat_ml_pipeline.source.read import first_insight_day
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source, _sums
from famachat_ml_pipeline_tests.agent.test_offline_asks18 import _one
from famachat_ml_pipeline_tests.agent.test_offline_asks21 import _names
from famachat_ml_pipeline_tests.agent.test_offline_asks22 import DAY
from famachat_ml_pipeline_tests.agent.test_offline_asks25 import _number
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _figures_text, _thread

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


# ------------------------------------------------------------ review 1. "vai trazer": a campaign's forecast
def _most_leads(db: DemoDb) -> str:
    last = db.as_of
    src = _source(db, ACCOUNT, last - 6 * DAY, last, db.now)
    per = (
        src.group_by("campaign_id").agg(pl.col("leads").sum()).sort(["leads", "campaign_id"], descending=True)
    )
    return per["campaign_id"][0]


def test_a_campaigns_leads_it_will_bring_this_week_are_its_forecast(demo_db: DemoDb) -> None:
    """ "quantos leads a 20 vai trazer essa semana?" answered last week's actual leads, not the forecast."""
    cid = _most_leads(demo_db)
    intent, lines = _one(demo_db, f"quantos leads a {_number(demo_db, cid)} vai trazer essa semana?")
    assert intent == "forecast", lines
    _, forecast = _one(demo_db, f"previsão da campanha {cid}")
    ahead = [x for x in forecast if " leads no total nos próximos " in x]
    assert ahead and ahead[0] in lines, (lines, forecast)


# ------------------------------------------------------------ review 2. "e a segunda melhor?" in a thread
def _ids(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(x for line in lines for x in re.findall(r"\((\d{6,})\)", line)))


def test_the_second_best_is_the_second_of_the_ranking_just_answered(demo_db: DemoDb) -> None:
    """it was read as Monday ("segunda") and answered that day's best CPL"""
    day = demo_db.as_of
    (_, first), (intent, second) = _thread(
        demo_db, demo_db.now, ["qual campanha teve mais leads ontem?", "e a segunda melhor?"]
    )
    assert intent == "campaign_details", second
    listed = _ids(first)
    src = _source(demo_db, ACCOUNT, day, day, demo_db.now)
    per = dict(src.group_by("campaign_id").agg(pl.col("leads").sum()).iter_rows())
    ranked = sorted(per.values(), reverse=True)
    assert per[listed[1]] == ranked[1], (first, ranked)  # the 2nd listed has the 2nd most leads that day
    name = _names(demo_db)[listed[1]]
    assert second[0].startswith(f"Em {_d(day)}, “{name}”: "), second
    assert not any(f"({listed[0]})" in x for x in second), second


def test_an_ordinal_before_a_rank_word_is_no_weekday() -> None:
    from famachat_ml_pipeline.agent.intents import classify_intent

    for question in ("e a segunda melhor?", "qual a quarta pior?", "e a sexta maior?"):
        assert classify_intent(question).day_ref is None, question
    assert classify_intent("quanto gastei segunda?").day_ref == "segunda"


# ------------------------------------------------------------ review 3. "por quê?" after a ranking
def test_why_after_the_best_campaign_is_about_that_campaign(demo_db: DemoDb) -> None:
    """it was the account's CPL factors and anomalies; then her card (agent45: the reason of the tier that
    ranked her best, as "por quê?" after her card gives it)"""
    (_, first), (intent, why) = _thread(demo_db, demo_db.now, ["qual a melhor campanha?", "por quê?"])
    assert intent == "tier", why
    best = _ids(first)[0]
    assert why[0].startswith(f"“{_names(demo_db)[best]}” ({best}) está no tier alta performance"), why


# ------------------------------------------------------------ review 4. "comparado com o dia anterior?"
def test_compared_with_the_day_before_after_a_days_cpl(demo_db: DemoDb) -> None:
    """it asked for 2 to 5 campaigns to compare"""
    day = demo_db.as_of
    before, week = day - DAY, day - 7 * DAY
    src = _source(demo_db, ACCOUNT, week, day, demo_db.now)
    f1, f0, fw = (_sums(src, x, x) for x in (day, before, week))
    _, (intent, lines) = _thread(
        demo_db, demo_db.now, ["qual o cpl de ontem?", "comparado com o dia anterior?"]
    )
    assert intent == "anomalies", lines
    assert lines[1] == (
        f"Em {_d(day)}: {_figures_text(f1)}; em {_d(before)} (dia anterior): {_figures_text(f0)}; em "
        f"{_d(week)} (mesmo dia da semana anterior): {_figures_text(fw)}."
    ), lines


# ------------------------------------------------------------ review 5. what worries most, the gravest
def test_what_worries_most_is_the_most_urgent_advice(demo_db: DemoDb) -> None:
    """it was "não entendi a pergunta"; said as what worries (agent45: the most urgent advice that fixes a
    problem, here the most urgent of all, a budget cut; test_asks42 has one where a budget increase leads)"""
    intent, lines = _one(demo_db, "o que mais preocupa?")
    assert intent == "recommendations", lines
    _, urgent = _one(demo_db, "qual a recomendação mais urgente?")
    assert urgent[0].startswith("A mais urgente: Reduzir orçamento"), urgent
    assert lines == [urgent[0].replace("A mais urgente:", "O que mais preocupa:", 1), *urgent[1:]], lines


def test_the_gravest_after_the_critical_anomalies_lists_them_without_yes_or_no(demo_db: DemoDb) -> None:
    """it was "não entendi a pergunta" """
    (_, critical), (intent, gravest) = _thread(
        demo_db, demo_db.now, ["quais anomalias criticas tem?", "e a mais grave?"]
    )
    assert intent == "anomalies", gravest
    assert not gravest[0].startswith(("Sim", "Não")), gravest
    head = critical[0].removeprefix("Sim: ").replace("Não: nenhuma", "Nenhuma", 1)
    assert gravest[0] == head, (critical, gravest)


# ------------------------------------------------------------ review 6. "o alerta de ontem é sério?"
def test_whether_a_days_alert_is_serious_is_said_first_by_its_severity(demo_db: DemoDb) -> None:
    """it listed the day's anomalies with no verdict; the latest day with a problem anomaly is asked"""
    with demo_db.engine.connect() as c:
        rows = c.execute(
            sa.text("select anomaly_type, severity, anomaly_date from ml_anomalies where config_id = :a"),
            {"a": ACCOUNT},
        ).all()
    problems = [(str(r[2])[:10], r[1]) for r in rows if r[0] not in GOOD_NEWS_ANOMALIES]
    recent = [p for p in problems if p[0] >= str(demo_db.as_of - 6 * DAY)]
    assert recent, "the demo account has a problem anomaly in its last 7 days"
    day = dt.date.fromisoformat(max(p[0] for p in recent))
    serious = sum(1 for d, s in problems if d == day.isoformat() and s in {"CRITICAL", "HIGH"})
    intent, lines = _one(demo_db, f"o alerta de {day:%d/%m/%Y} é sério?")
    assert intent == "anomalies", lines
    if serious:
        assert lines[0].startswith(f"Sim: em {_d(day)} houve "), lines
        assert lines[0].endswith(": é o nível que pede ação já."), lines
    else:
        assert lines[0] == f"Não: nenhuma anomalia de severidade CRITICAL ou HIGH em {_d(day)}.", lines
