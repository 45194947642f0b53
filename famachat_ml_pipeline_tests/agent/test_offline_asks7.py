"""The calendar week for a why and for the rates (agent11): "por que o CPL subiu essa semana?" explains this
calendar week's complete days against the same weekdays of last week (on a Monday, last week whole against
the one before) by the CPL's factors (CPM, CTR, leads per click) on those two periods, both date ranges
said; "o CTR caiu essa semana?", "o CPM subiu essa semana?", "o CPC subiu essa semana?" lead with that
rate's move over the same weeks; "o CPL da campanha 13 subiu essa semana?" gives that campaign's figures
only. Every figure is computed here from the cleaned source, on its own, for the "today" the agent uses;
fixed clocks cover a Monday, a Tuesday, a Thursday and a Sunday, so the suite holds on any weekday."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from famachat_ml_pipeline.agent import intents
from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.core.recommendations import format_money, format_pct
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, cleaned_daily, leads_of
from famachat_ml_pipeline_tests.agent.cpl_factors import weighed_most
from famachat_ml_pipeline_tests.agent.test_offline_asks4 import SHORT
from famachat_ml_pipeline_tests.agent.test_offline_asks6 import _span, _weeks

pytestmark = pytest.mark.timeout(1200)

WEEKDAYS = [0, 1, 3, 6]  # asked on a Monday, a Tuesday, a Thursday, a Sunday


def _clock(db: DemoDb, weekday: int) -> dt.datetime:
    """Noon of that weekday a week or more before the demo's last day: every day compared has data."""
    today = db.as_of - dt.timedelta(days=7)
    today -= dt.timedelta(days=(today.weekday() - weekday) % 7)
    return dt.datetime.combine(today, dt.time(12), ZoneInfo("America/Sao_Paulo"))


def _figures(
    db: DemoDb, cid: int, first: dt.date, last: dt.date, campaign: str | None = None
) -> dict[str, float | None]:
    """The account's (or one campaign's) sums of first..last from the cleaned source, and their rates."""
    daily = cleaned_daily(db.engine, [cid], last, (last - first).days + 1, now=db.now)
    d = daily.filter(pl.col("date").is_between(first, last))
    if campaign is not None:
        d = d.filter(pl.col("campaign_id") == campaign)
    spend, leads = float(d["spend"].sum() or 0), float(d["leads"].sum() or 0)
    clicks, imps = float(d["clicks"].sum() or 0), float(d["impressions"].sum() or 0)
    return {
        "spend": spend,
        "leads": leads,
        "cpl": spend / leads if leads else None,
        "ctr": clicks / imps * 100 if imps else None,
        "cpm": spend / imps * 1000 if imps else None,
        "cpc": spend / clicks if clicks else None,
        "cvr": leads / clicks * 100 if clicks else None,
    }


TEXT = {  # how each figure is written
    "spend": format_money,
    "cpl": format_money,
    "cpm": format_money,
    "cpc": format_money,
    "leads": lambda v: f"{int(v)}",
    "ctr": lambda v: format_pct(v, 2),
    "cvr": lambda v: format_pct(v, 2),
}
NAME = {
    "cpl": "o CPL",
    "leads": "os leads",
    "spend": "o gasto",
    "ctr": "o CTR",
    "cpm": "o CPM",
    "cpc": "o CPC",
}


def _pct(now: float, before: float, decimals: int, signed: bool) -> tuple[str, str]:
    """(the change written, "up"/"down"/"flat"): a rise signed "+" when `signed`."""
    text = format_pct((now - before) / before * 100, decimals)
    if not any(ch in "123456789" for ch in text):
        return text, "flat"
    up = not text.startswith("-")
    return ("+" + text if up and signed else text), ("up" if up else "down")


def _change_line(now_f: dict, before_f: dict, through: dt.date, figure: str, move: str, whose: str) -> str:
    """The answer's line for "o <figure> <move> essa semana?", written here on its own."""
    now, before, on_monday = _weeks(through)
    x, y = now_f[figure], before_f[figure]
    none = "sem leads" if figure == "cpl" else "-"
    x_text, y_text = (TEXT[figure](v) if v is not None else none for v in (x, y))
    if on_monday:
        when = "na semana passada"  # why is said once, in the note (agent12)
        sides = f"{x_text} de seg a dom ({_span(now)}), contra {y_text} na semana retrasada ({_span(before)})"
    else:
        when, days = "esta semana", SHORT[0] if now[0] == now[1] else f"seg a {SHORT[now[1].weekday()]}"
        sides = (
            f"{x_text} de {days} ({_span(now)}), contra {y_text} nos mesmos dias da semana passada "
            f"({_span(before)})"
        )
    what = NAME[figure]
    if x is None or not y:
        return f"{what[0].upper()}{what[1:]}{whose} não tem comparação {when}: {sides}."
    change, went = _pct(x, y, 1 if figure in {"ctr", "cpm", "cpc"} else 0, signed=True)
    plural = figure == "leads"
    verb = {"up": "subiram" if plural else "subiu", "down": "caíram" if plural else "caiu"}.get(
        went, "ficaram estáveis" if plural else "ficou estável"
    )
    answer = "" if went == "flat" else ("Sim: " if went == move else "Não: ")
    head = f"{answer}{what}{whose} {verb}"
    head = head if answer else head[0].upper() + head[1:]
    if plural and x != y:  # the leads lost or gained, counted first (agent33)
        who = "a conta" if whose == " da conta" else whose.removeprefix(" de ")
        who = who if answer else who[0].upper() + who[1:]
        head = f"{answer}{who} {'perdeu' if x < y else 'ganhou'} {leads_of(abs(x - y))}"
    return f"{head} {when}: {sides} ({change})."


FACTOR = {"cpm": "CPM", "ctr": "CTR", "cvr": "conversão (leads por clique)"}


def _why_line(now_f: dict, before_f: dict, through: dt.date) -> str:
    """ "Por que o CPL mudou": CPL = CPM / (CTR x leads per click), so log CPL moves by +log CPM - log CTR
    - log cvr; each factor's share of the move, the largest first, on the two calendar-week periods."""
    now, before, on_monday = _weeks(through)
    total = math.log(now_f["cpl"] / before_f["cpl"])
    rows = []
    for factor, sign in (("cpm", 1), ("ctr", -1), ("cvr", -1)):
        a, b = now_f[factor], before_f[factor]
        change, way = _pct(a, b, 0, signed=True)  # every change signed (agent42)
        change = "estável" if way == "flat" else change  # not "0%" / "-0%" (agent45)
        rows.append(
            (
                sign * math.log(a / b) / total,
                factor,
                f"{FACTOR[factor]} {TEXT[factor](b)} → {TEXT[factor](a)} ({change})",
            )
        )
    rows.sort(key=lambda r: -r[0])
    cpl_change, _ = _pct(now_f["cpl"], before_f["cpl"], 0, signed=True)
    if on_monday:
        when, compared = (
            "na semana passada",
            f"de seg a dom ({_span(now)}) contra a semana retrasada ({_span(before)})",
        )
    else:
        days = SHORT[0] if now[0] == now[1] else f"seg a {SHORT[now[1].weekday()]}"
        compared = f"de {days} ({_span(now)}) contra os mesmos dias da semana passada ({_span(before)})"
        when = "esta semana"
    return (
        f"Por que o CPL mudou ({cpl_change} {when}): CPL = CPM ÷ (CTR × conversão por clique), e {compared}: "
        f"{'; '.join(r[2] for r in rows)}. {weighed_most(now_f, before_f)}"
    )


def _ask(db: DemoDb, cid: int, now: dt.datetime, question: str) -> tuple[str, list[str]]:
    """(the intent, the answer's lines)."""
    reply = open_agent(db.engine, cid, db.settings, mode="offline", now=now).ask(question)
    return reply.intent, reply.text.splitlines()


def _after_monday_note(lines: list[str]) -> list[str]:
    """The lines after "Hoje (...) é segunda: ..., então respondo com a semana passada" (the note)."""
    return lines[1:] if lines and lines[0].startswith("Hoje (") and "então respondo" in lines[0] else lines


# ------------------------------------------------------------------ 1. why, on the calendar weeks

WHY = {  # question -> (figure, move)
    "por que o CPL subiu essa semana?": ("cpl", "up"),
    "pq o cpl caiu essa semana": ("cpl", "down"),
    "por que os leads caíram essa semana?": ("leads", "down"),
}


def _asked_on_weeks(
    db: DemoDb, now: dt.datetime, cid: int, question: str
) -> tuple[dt.date, dict, dict, str, list[str]]:
    """(the last complete day, this week's and last week's figures from the source, the intent, the
    answer's lines) of a question asked about the calendar weeks."""
    through = now.date() - dt.timedelta(days=1)
    (a, b), (c, d), _ = _weeks(through)
    name, lines = _ask(db, cid, now, question)
    return through, _figures(db, cid, a, b), _figures(db, cid, c, d), name, lines


def _check_why(db: DemoDb, now: dt.datetime, cid: int, question: str) -> None:
    figure, move = WHY[question]
    through, now_f, before_f, name, lines = _asked_on_weeks(db, now, cid, question)
    assert name == "anomalies"
    body = _after_monday_note(lines)
    assert body[0] == _change_line(now_f, before_f, through, figure, move, " da conta"), body[0]
    why = [x for x in body if x.startswith("Por que o CPL mudou")]
    assert why == [_why_line(now_f, before_f, through)], why
    text = "\n".join(lines)
    assert "em 7 dias)" not in text and "nos 7 dias até" not in text  # not the rolling 7 days
    if figure == "leads":  # leads = spend / CPL: both moves said
        spend, _ = _pct(now_f["spend"], before_f["spend"], 0, signed=True)
        cpl, _ = _pct(now_f["cpl"], before_f["cpl"], 0, signed=True)
        assert f"Leads = gasto ÷ CPL: gasto {spend}, CPL {cpl}." in body, body


@pytest.mark.parametrize("question", list(WHY))
def test_why_asked_this_week_explains_the_calendar_weeks(demo_db: DemoDb, question: str) -> None:
    _check_why(demo_db, demo_db.now, 1, question)  # whatever weekday the suite runs on


@pytest.mark.parametrize("weekday", WEEKDAYS)
@pytest.mark.parametrize("question", list(WHY))
def test_why_asked_this_week_on_a_fixed_weekday(demo_db: DemoDb, question: str, weekday: int) -> None:
    _check_why(demo_db, _clock(demo_db, weekday), 2, question)


def test_why_without_this_week_stays_the_7_days(demo_db: DemoDb) -> None:
    _, lines = _ask(demo_db, 1, demo_db.now, "por que o CPL subiu?")
    assert any(x.startswith("Por que o CPL mudou (") and "em 7 dias)" in x for x in lines), lines
    assert not any("mesmos dias da semana passada" in x or "semana retrasada" in x for x in lines)


# ------------------------------------------------------------------ 2. CTR, CPM, CPC this week

RATES = {
    "o CTR caiu essa semana?": ("ctr", "down"),
    "o CPM subiu essa semana?": ("cpm", "up"),
    "o CPC subiu essa semana?": ("cpc", "up"),
}


def _check_rate(db: DemoDb, now: dt.datetime, cid: int, question: str) -> None:
    figure, move = RATES[question]
    through, now_f, before_f, name, lines = _asked_on_weeks(db, now, cid, question)
    assert name == "trends"
    assert lines[0] == _change_line(now_f, before_f, through, figure, move, " da conta"), lines[0]
    assert "7 dias até" not in "\n".join(lines)  # not the rolling 7 days against the 7 before


@pytest.mark.parametrize("question", list(RATES))
def test_a_rates_change_asked_this_week_compares_the_calendar_weeks(demo_db: DemoDb, question: str) -> None:
    _check_rate(demo_db, demo_db.now, 1, question)


@pytest.mark.parametrize("weekday", WEEKDAYS)
@pytest.mark.parametrize("question", list(RATES))
def test_a_rates_change_asked_this_week_on_a_fixed_weekday(
    demo_db: DemoDb, question: str, weekday: int
) -> None:
    _check_rate(demo_db, _clock(demo_db, weekday), 2, question)


def test_a_rates_change_without_this_week_stays_the_7_days(demo_db: DemoDb) -> None:
    _, lines = _ask(demo_db, 1, demo_db.now, "o CTR caiu?")
    # "o CTR caiu?": its Sim/Não first (test_offline_asks27), then the 7 days' CTR
    assert any("nos 7 dias até" in x and "o CTR da conta foi " in x for x in lines), lines
    assert not any("mesmos dias da semana passada" in x or "semana retrasada" in x for x in lines)


# ------------------------------------------------------------------ 3. one campaign's week


def _campaign(db: DemoDb, cid: int, number: int) -> tuple[str, str]:
    """(id, name) of the account's "Campanha <number>"."""
    c = db.data.campaigns.filter(pl.col("config_id") == cid)
    row = c.filter(pl.col("name").str.contains(f"Campanha {number} ", literal=True)).row(0, named=True)
    return row["campaign_id"], row["name"]


@pytest.mark.parametrize("weekday", WEEKDAYS)
@pytest.mark.parametrize("number", [13, 12])  # 13 is paused in the demo, 12 spends both weeks
def test_a_campaigns_cpl_asked_this_week_is_that_campaigns_weeks(
    demo_db: DemoDb, number: int, weekday: int
) -> None:
    now = _clock(demo_db, weekday)
    through = now.date() - dt.timedelta(days=1)
    (a, b), (c, d), on_monday = _weeks(through)
    campaign, name = _campaign(demo_db, 2, number)
    now_f, before_f = _figures(demo_db, 2, a, b, campaign), _figures(demo_db, 2, c, d, campaign)
    whole = _figures(demo_db, 2, a, b)
    assert now_f["spend"] != whole["spend"]  # the campaign's figures are not the account's
    intent, lines = _ask(demo_db, 2, now, f"o CPL da campanha {number} subiu essa semana?")
    assert intent == "trends"
    whose = f" de “{name}”"
    assert lines[0] == _change_line(now_f, before_f, through, "cpl", "up", whose), lines[0]
    side = f"{'Semana passada' if on_monday else 'Esta semana'}{whose}, "
    (this_side,) = [x for x in lines if x.startswith(side)]
    leads = int(now_f["leads"])
    assert f"{format_money(now_f['spend'])} investidos, {leads_of(leads)}" in this_side, this_side
    other = [x for x in lines if x.startswith(("Semana passada, ", "Semana retrasada, "))]
    assert len(other) == 1 and f"{format_money(before_f['spend'])} investidos" in other[0], other


def test_a_campaigns_why_asked_this_week_explains_that_campaigns_weeks(demo_db: DemoDb) -> None:
    now = _clock(demo_db, 3)  # a Thursday
    through = now.date() - dt.timedelta(days=1)
    (a, b), (c, d), _ = _weeks(through)
    campaign, name = _campaign(demo_db, 2, 12)
    now_f, before_f = _figures(demo_db, 2, a, b, campaign), _figures(demo_db, 2, c, d, campaign)
    intent, lines = _ask(demo_db, 2, now, "por que o CPL da campanha 12 subiu essa semana?")
    assert intent == "campaign_details"
    assert lines[0] == _change_line(now_f, before_f, through, "cpl", "up", f" de “{name}”"), lines[0]
    assert [x for x in lines if x.startswith("Por que o CPL mudou")] == [_why_line(now_f, before_f, through)]
    assert not any("em 7 dias)" in x for x in lines)


def test_a_why_this_week_is_read_as_the_weeks_change() -> None:
    for question, (figure, move) in WHY.items():
        intent = intents.classify_intent(question)
        assert (intent.name, intent.metric) == ("anomalies", f"week_{figure}_{move}")
    for question, (figure, move) in RATES.items():
        intent = intents.classify_intent(question)
        assert (intent.name, intent.metric) == ("trends", f"week_{figure}_{move}")
