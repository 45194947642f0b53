"""Follow-up questions in a thread, offline ("e da campanha 5?", "e anteontem?", "e o gasto?"): each is read
against the thread's last question, keeping what it does not name.

Every figure is computed here from the cleaned source rows on its own (`_figures`); fixed clocks cover
several weekdays, so the suite holds on any day it runs."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.agent.types import ChatTurn
from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_offline_asks6 import _weeks
from famachat_ml_pipeline_tests.agent.test_offline_asks7 import (
    WEEKDAYS,
    _after_monday_note,
    _change_line,
    _clock,
    _figures,
)
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d

pytestmark = pytest.mark.timeout(1200)
ACCOUNT = 2  # plain campaign names ("[LEAD] Campanha 12 - Público 5")


def _thread(db: DemoDb, now: dt.datetime, questions: list[str]) -> list[tuple[str, list[str]]]:
    """(the intent, the answer's lines) of each question asked in turn in one thread, as the API passes
    the thread's earlier turns."""
    agent = open_agent(db.engine, ACCOUNT, db.settings, mode="offline", now=now)
    history: list[ChatTurn] = []
    answers = []
    for question in questions:
        reply = agent.ask(question, history)
        history += [ChatTurn("user", question), ChatTurn("assistant", reply.text)]
        answers.append((reply.intent, reply.text.splitlines()))
    return answers


def _spenders(db: DemoDb, now: dt.datetime, days: list[dt.date]) -> list[tuple[int, str, str]]:
    """(number, id, name) of the account's "Campanha <n>" campaigns, by number, that spent on each day."""
    c = db.data.campaigns.filter(pl.col("config_id") == ACCOUNT)
    found = []
    for row in c.iter_rows(named=True):
        number = re.search(r"Campanha (\d+) ", row["name"] or "")
        if number and all(_figures(db, ACCOUNT, d, d, row["campaign_id"])["spend"] for d in days):
            found.append((int(number.group(1)), row["campaign_id"], row["name"]))
    return sorted(found)


def _figures_text(f: dict, first: str = "spend") -> str:
    """ "R$ 100,00 investidos, 4 leads, CPL R$ 25,00", written here on its own (a note may follow); the
    figure asked first ("leads", "cpl")."""
    cpl = format_money(f["cpl"]) if f["cpl"] is not None else "sem leads"
    parts = {"spend": f"{format_money(f['spend'])} investidos", "leads": leads_of(int(f["leads"]))}
    parts["cpl"] = f"CPL {cpl}"
    return ", ".join(parts[k] for k in [first, *(k for k in parts if k != first)])


@pytest.mark.parametrize("weekday", WEEKDAYS)
def test_the_campaign_then_the_day_then_the_figure_follow_up(demo_db: DemoDb, weekday: int) -> None:
    now = _clock(demo_db, weekday)
    yesterday, before = now.date() - dt.timedelta(days=1), now.date() - dt.timedelta(days=2)
    (n, first_id, first_name), (m, cid, name), *_ = _spenders(demo_db, now, [yesterday, before])
    answers = _thread(
        demo_db,
        now,
        [f"qual o CPL da campanha {n} ontem?", f"e da campanha {m}?", "e anteontem?", "e o gasto?"],
    )
    expected = [
        (first_id, first_name, yesterday, "cpl"),  # the CPL asked leads the day's figures
        (cid, name, yesterday, "cpl"),  # campanha m, still ontem, still the CPL
        (cid, name, before, "cpl"),  # campanha m, anteontem
        (cid, name, before, "spend"),  # its spend: the day's line, spend first
    ]
    for (intent, lines), (campaign, campaign_name, day, first) in zip(answers, expected, strict=True):
        f = _figures(demo_db, ACCOUNT, day, day, campaign)
        assert intent == "campaign_details"
        # the day asked first, the campaign's status after
        text = _figures_text(f, first)
        assert lines[0].startswith(f"Em {_d(day)}, “{campaign_name}”: {text}"), lines[0]
        assert lines[1].startswith(f"“{campaign_name}” ({campaign})"), lines[1]


def _last_weeks(now: dt.datetime) -> list[tuple[dt.date, dt.date]]:
    """The week before last and last week, Monday to Sunday, of a question asked at `now`."""
    monday = now.date() - dt.timedelta(days=now.date().weekday() + 7)
    return [
        (monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)),
        (monday, monday + dt.timedelta(6)),
    ]


@pytest.mark.parametrize("weekday", WEEKDAYS)
def test_a_period_then_a_campaign_follow_up(demo_db: DemoDb, weekday: int) -> None:
    now = _clock(demo_db, weekday)
    monday, sunday = _last_weeks(now)[1]
    (n, cid, name), *_ = _spenders(demo_db, now, [monday])
    _, week, campaign = _thread(
        demo_db, now, ["quantos leads essa semana?", "e semana passada?", f"e a campanha {n}?"]
    )
    label = "Semana passada, de segunda a domingo"
    span = f"({_d(monday)} a {_d(sunday)}, 7 dias)"
    account = _figures(demo_db, ACCOUNT, monday, sunday)
    assert week[0] == "performance"
    # the leads asked first, carried to last week
    assert week[1][0].startswith(f"{label} {span}: {_figures_text(account, 'leads')}"), week[1][0]
    own = _figures(demo_db, ACCOUNT, monday, sunday, cid)
    assert campaign[0] == "campaign_details"
    # the leads asked, carried to the campaign's week too
    text = _figures_text(own, "leads")
    assert campaign[1][0].startswith(f"{label}, “{name}” {span}: {text}"), campaign[1][0]
    assert campaign[1][1].startswith(f"“{name}” ({cid})"), campaign[1][1]


@pytest.mark.parametrize("weekday", WEEKDAYS)
def test_a_figure_follow_up_swaps_the_move_asked(demo_db: DemoDb, weekday: int) -> None:
    now = _clock(demo_db, weekday)
    through = now.date() - dt.timedelta(days=1)
    (a, b), (c, d), _ = _weeks(through)
    now_f, before_f = _figures(demo_db, ACCOUNT, a, b), _figures(demo_db, ACCOUNT, c, d)
    answers = _thread(demo_db, now, ["o CPL subiu essa semana?", "e o CTR?", "e o gasto?"])
    for (intent, lines), figure in zip(answers, ["cpl", "ctr", "spend"], strict=True):
        assert intent == "trends"
        assert _after_monday_note(lines)[0] == _change_line(
            now_f, before_f, through, figure, "up", " da conta"
        )


@pytest.mark.parametrize(
    "history",
    [
        [ChatTurn("assistant", "Olá! Pergunte sobre a sua conta.")],
        [ChatTurn("user", "oi"), ChatTurn("assistant", "Posso responder sobre esta conta...")],
    ],
)
def test_a_follow_up_with_nothing_to_follow_reads_as_it_stands(
    demo_db: DemoDb, history: list[ChatTurn]
) -> None:
    """ "e ontem?" after a greeting: yesterday's account figures, the answer it gets with no thread."""
    agent = open_agent(demo_db.engine, ACCOUNT, demo_db.settings, mode="offline", now=demo_db.now)
    reply, alone = agent.ask("e ontem?", history), agent.ask("e ontem?")
    assert (reply.intent, reply.text) == (alone.intent, alone.text)
    yesterday = demo_db.now.date() - dt.timedelta(days=1)
    f = _figures(demo_db, ACCOUNT, yesterday, yesterday)
    assert f"{_d(yesterday)}" in reply.text and _figures_text(f) in reply.text, reply.text
