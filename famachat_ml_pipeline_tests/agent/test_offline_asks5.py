"""A media buyer's "essa semana" (agent9): the calendar week, Monday to the last complete day, not the
rolling 7 days; on a Monday (no complete day yet) last week, Monday to Sunday, said so. "qnts leads essa
semana?" leads with the leads. Each figure is computed here from the cleaned source, on its own, for the
same "today" the agent uses (the suite runs on any weekday; fixed clocks cover a Monday and a Thursday)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from famachat_ml_pipeline.agent import intents, intents_periods
from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_offline_asks4 import _d, _sums

pytestmark = pytest.mark.timeout(1200)

DAY_NAMES = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")


def _this_week(through: dt.date) -> tuple[dt.date, dt.date, str, str | None]:
    """(first, last, label, the Monday sentence or None) of "essa semana" asked the day after `through`,
    written here on its own."""
    today = through + dt.timedelta(days=1)
    monday = today - dt.timedelta(days=today.weekday())
    if today == monday:  # no complete day this week yet: last week whole, said so
        note = (
            f"Hoje ({_d(today)}) é segunda: esta semana ainda não tem dia completo, então respondo com a "
            "semana passada, de segunda a domingo."
        )
        return monday - dt.timedelta(days=7), through, "Semana passada, de segunda a domingo", note
    label = (
        "Esta semana, só segunda"
        if through == monday
        else f"Esta semana, de segunda a {DAY_NAMES[through.weekday()]}"
    )
    return monday, through, label, None


def _span(first: dt.date, last: dt.date) -> str:
    n = (last - first).days + 1
    return f"{_d(first)}, 1 dia" if n == 1 else f"{_d(first)} a {_d(last)}, {n} dias"


# ------------------------------------------------------------------ 1. the period read


@pytest.mark.parametrize(
    "words", ["essa semana", "esta semana", "nessa semana", "nesta semana", "dessa semana"]
)
def test_this_week_alone_is_the_calendar_week_up_to_the_last_complete_day(words: str) -> None:
    ref = intents.classify_intent(f"qnts leads {words}?").period_ref
    saturday = intents_periods.resolve_period(ref, dt.date(2026, 11, 28))  # asked on Sunday 29/11
    assert saturday is not None
    assert (saturday.first, saturday.last) == (dt.date(2026, 11, 23), dt.date(2026, 11, 28))
    assert (saturday.label, saturday.note) == ("esta semana, de segunda a sábado", "")
    tuesday = intents_periods.resolve_period(ref, dt.date(2026, 11, 24))
    assert tuesday is not None and (tuesday.first, tuesday.last) == (
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 24),
    )
    assert tuesday.label == "esta semana, de segunda a terça"
    # asked on Tuesday: Monday is the one complete day
    monday = intents_periods.resolve_period(ref, dt.date(2026, 11, 23))
    assert monday is not None and (monday.first, monday.last, monday.label) == (
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 23),
        "esta semana, só segunda",
    )


def test_this_week_asked_on_a_monday_is_last_week_whole_and_says_why() -> None:
    ref = intents.classify_intent("quanto gastei essa semana").period_ref
    period = intents_periods.resolve_period(ref, dt.date(2026, 11, 29))  # asked on Monday 30/11
    assert period is not None
    assert (period.first, period.last) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert period.label == "semana passada, de segunda a domingo"
    assert period.note == (
        "Hoje (30/11/2026) é segunda: esta semana ainda não tem dia completo, então respondo com a semana "
        "passada, de segunda a domingo."
    )


def test_the_last_7_days_stay_rolling_and_this_week_against_last_stays_the_comparison() -> None:
    period = intents_periods.resolve_period(
        intents.classify_intent("leads dos ultimos 7 dias").period_ref, dt.date(2026, 11, 28)
    )
    assert period is not None and (period.first, period.last) == (
        dt.date(2026, 11, 22),
        dt.date(2026, 11, 28),
    )
    intent = intents.classify_intent("essa semana vs semana passada")
    assert (intent.name, intent.metric) == ("trends", "calendar_week")
    assert intents.classify_intent("quantos leads vou ter na próxima semana?").name == "forecast"


# ------------------------------------------------------------------ 2. the answers, on the demo's clock


def _lines_after_note(text: str, note: str | None) -> list[str]:
    lines = text.splitlines()
    if note is not None:
        assert lines[0] == note, lines[0]
        return lines[1:]
    return lines


def _check_leads_first(db: DemoDb, now: dt.datetime, cid: int) -> None:
    through = now.date() - dt.timedelta(days=1)
    first, last, label, note = _this_week(through)
    s = _sums(db, cid, first, last)
    reply = open_agent(db.engine, cid, db.settings, mode="offline", now=now).ask("qnts leads essa semana?")
    assert reply.intent == "performance"
    line = _lines_after_note(reply.text, note)[0]
    spend, cpl = format_money(s["spend"]), format_money(s["spend"] / s["leads"])
    head = f"{label} ({_span(first, last)}): {leads_of(int(s['leads']))}"
    assert line.startswith(f"{head}, {spend} investidos, CPL {cpl}"), line
    assert "7 dias até" not in reply.text.splitlines()[0]  # not led by the rolling week


@pytest.mark.parametrize("cid", [1, 2])
def test_how_many_leads_this_week_leads_with_the_weeks_leads(demo_db: DemoDb, cid: int) -> None:
    _check_leads_first(demo_db, demo_db.now, cid)  # whatever weekday the suite runs on


@pytest.mark.parametrize("weekday", [0, 1, 3])  # asked on a Monday, a Tuesday and a Thursday
def test_how_many_leads_this_week_on_a_fixed_weekday(demo_db: DemoDb, weekday: int) -> None:
    today = demo_db.as_of - dt.timedelta(days=7)  # a week before the demo's last day: all days have data
    today -= dt.timedelta(days=(today.weekday() - weekday) % 7)
    now = dt.datetime.combine(today, dt.time(12), ZoneInfo("America/Sao_Paulo"))
    _check_leads_first(demo_db, now, 1)


def test_how_much_did_i_spend_this_week_is_the_weeks_spend(demo_db: DemoDb) -> None:
    first, last, label, note = _this_week(demo_db.as_of)
    s = _sums(demo_db, 2, first, last)
    text = (
        open_agent(demo_db.engine, 2, demo_db.settings, mode="offline", now=demo_db.now)
        .ask("quanto gastei essa semana")
        .text
    )
    line = _lines_after_note(text, note)[0]
    assert line.startswith(
        f"{label} ({_span(first, last)}): {format_money(s['spend'])} investidos, {leads_of(int(s['leads']))}"
    ), line
