"""Offline answers to a buyer's chat review (agent14's weak turns): a pronoun for the campaign named last
("pq o cpl dela subiu?"), two periods compared, a budget scaled by a percentage, a paused campaign's
reactivation.

Every figure is computed here from the cleaned source (or the stored forecasts) on its own, for fixed
clocks, so the suite holds on any weekday."""

from __future__ import annotations

import datetime as dt

import pytest

from famachat_ml_pipeline.core.recommendations import format_money, format_pct
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_offline_asks7 import WEEKDAYS, _clock, _figures
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks9 import _thread
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _spenders

pytestmark = pytest.mark.timeout(1200)


# ------------------------------------------------------------ 1. "dela", "nessa campanha": the last campaign
def _cpl_rose(db: DemoDb, now: dt.datetime) -> tuple[int, str, str, str]:
    """(number, id, name, the CPL's change written) of the first campaign whose CPL rose clearly over the
    7 days before `now` against the 7 before them."""
    last = now.date() - dt.timedelta(days=1)
    for n, cid, name in _spenders(db, now, []):
        f = _figures(db, ACCOUNT, last - dt.timedelta(days=6), last, cid)
        f0 = _figures(db, ACCOUNT, last - dt.timedelta(days=13), last - dt.timedelta(days=7), cid)
        if f["cpl"] and f0["cpl"] and f["cpl"] >= f0["cpl"] * 1.05:  # a clear rise, no rounding to 0%
            return n, cid, name, format_pct((f["cpl"] - f0["cpl"]) / f0["cpl"] * 100, 0)
    raise AssertionError("a campaign's CPL rose in the demo")


@pytest.mark.parametrize("why", ["pq o cpl dela subiu?", "por que o cpl subiu nessa campanha?"])
def test_a_pronoun_asks_about_the_campaign_named_last(demo_db: DemoDb, why: str) -> None:
    """ "pq o cpl dela subiu?" after a question naming a campaign: that campaign's CPL factors first, not
    the account's; "e ela, tá gastando muito?" then that campaign's 7 days, and "e dela ontem?" its day."""
    now = demo_db.now
    last = now.date() - dt.timedelta(days=1)
    n, cid, name, change = _cpl_rose(demo_db, now)
    answers = _thread(
        demo_db,
        now,
        [f"quantos leads a campanha {n} fez ontem?", why, "e ela, tá gastando muito?", "e dela ontem?"],
    )
    (intent, lines) = answers[1]
    assert intent == "campaign_details"
    assert lines[0].startswith(f"Por que o CPL mudou ({change} em 7 dias): "), lines[0]
    assert f"“{name}”" in lines[1], lines[1]
    week = _figures(demo_db, ACCOUNT, last - dt.timedelta(days=6), last, cid)
    (intent, lines) = answers[2]
    assert intent == "campaign_details"
    assert lines[0].startswith(f"“{name}” ({cid}), status "), lines[0]
    assert lines[1].startswith(
        f"7 dias até {_d(last)}: {format_money(week['spend'])} gastos, {leads_of(int(week['leads']))}, "
    ), lines[1]
    day = _figures(demo_db, ACCOUNT, last, last, cid)
    assert any(
        line.startswith(f"Em {_d(last)}, “{name}”: ") and format_money(day["spend"]) in line
        for line in answers[3][1][:2]
    ), answers[3][1][:2]


@pytest.mark.parametrize("weekday", WEEKDAYS[:2])
def test_a_pronoun_after_a_comparison_names_no_one_campaign(demo_db: DemoDb, weekday: int) -> None:
    """ "dela" after two campaigns compared is neither: not read as the first of them."""
    now = _clock(demo_db, weekday)
    (n, _, _), (m, _, _), *_ = _spenders(demo_db, now, [])
    _, (intent, _) = _thread(demo_db, now, [f"compara a {n} com a {m}", "pq o cpl dela subiu?"])
    assert intent != "campaign_details"
