"""Offline answers to a buyer's chat review (agent14/15's weak turns left): two periods compared for one
campaign, "e o ctr?" right after two periods compared, "dela" right after two campaigns compared, and a
correction of a budget scenario's campaign.

Every figure is computed here from the cleaned source (or the stored forecasts) on its own, for fixed
clocks, so the suite holds on any weekday."""

from __future__ import annotations

import datetime as dt

import pytest

from famachat_ml_pipeline.core.recommendations import format_money, format_number, format_pct
from famachat_ml_pipeline_tests.agent.conftest import DemoDb
from famachat_ml_pipeline_tests.agent.test_offline_asks7 import WEEKDAYS, _clock, _figures
from famachat_ml_pipeline_tests.agent.test_offline_asks9 import MONTHS, _mid_month_clock
from famachat_ml_pipeline_tests.agent.test_offline_asks10 import _change, _scaled, _side
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _last_weeks, _spenders, _thread

pytestmark = pytest.mark.timeout(1200)


# ------------------------------------------------------------------ 1. two periods of one campaign
@pytest.mark.parametrize("weekday", WEEKDAYS[:2])
def test_one_campaigns_last_week_against_the_week_before(demo_db: DemoDb, weekday: int) -> None:
    """ "campanha N semana passada vs retrasada": that campaign's two weeks (its rows only) first, the
    changes, then its status line."""
    now = _clock(demo_db, weekday)
    (n, cid, name), *_ = _spenders(demo_db, now, [])
    ((intent, lines),) = _thread(demo_db, now, [f"campanha {n} semana passada vs retrasada"])
    assert intent == "campaign_details"
    weeks = _last_weeks(now)
    old, new = (_figures(demo_db, ACCOUNT, a, b, cid) for a, b in weeks)
    labels = ("Semana retrasada", "Semana passada")
    for line, label, f, (a, b) in zip(lines[1:], labels, (old, new), weeks, strict=False):
        assert line.startswith(_side(f"{label}, de segunda a domingo, “{name}”", f, a, b)), line
    # the changes first, the campaign named (agent42)
    assert lines[0] == (
        f"Variação de semana retrasada para semana passada, “{name}”: gasto "
        f"{_change(new['spend'], old['spend'])}, leads {_change(new['leads'], old['leads'])}, "
        f"CPL {_change(new['cpl'], old['cpl'])}."
    ), lines[0]
    assert lines[3].startswith(f"“{name}” ({cid}), status "), lines[3]


def test_one_campaigns_month_against_the_month_before(demo_db: DemoDb) -> None:
    """ "compara <mês passado> com <esse mês> da campanha N": its two months, this one partial."""
    now = _mid_month_clock(demo_db)
    through = now.date() - dt.timedelta(days=1)
    first = through.replace(day=1)
    before = ((first - dt.timedelta(days=1)).replace(day=1), first - dt.timedelta(days=1))
    (n, cid, name), *_ = _spenders(demo_db, now, [])
    old_month, this_month = MONTHS[before[0].month - 1], MONTHS[first.month - 1]
    ((intent, lines),) = _thread(demo_db, now, [f"compara {old_month} com {this_month} da campanha {n}"])
    assert intent == "campaign_details"
    old, new = _figures(demo_db, ACCOUNT, *before, cid), _figures(demo_db, ACCOUNT, first, through, cid)
    assert lines[1].startswith(_side(f"{old_month.capitalize()} de {before[0].year}, “{name}”", old, *before))
    assert f"“{name}” ({first:%d/%m/%Y} a {through:%d/%m/%Y}" in lines[2], lines[2]
    assert f"CPL {_change(new['cpl'], old['cpl'])}." in lines[0], lines[0]
    assert any(line.startswith(f"“{name}” ({cid}), status ") for line in lines[3:5]), lines[3:5]


# ---------------------------------------------------------- 2. "e o ctr?" after two periods compared
def _rate_change(new: float | None, old: float | None) -> str:
    """The change of a rate to a tenth, signed when it rose."""
    if new is None or not old:
        return "sem comparação"
    text = format_pct((new - old) / old * 100, 1)
    return text if text.startswith("-") or text in {"0,0%", "0%"} else f"+{text}"


@pytest.mark.parametrize("rate", ["ctr", "cpm", "cpc"])
@pytest.mark.parametrize("campaign", [False, True])
def test_a_rate_right_after_two_periods_compared(demo_db: DemoDb, rate: str, campaign: bool) -> None:
    """ "e o ctr?" (or "e o cpm?") after "semana passada vs retrasada": the same two weeks' rate and its
    change first, the account's or the campaign's compared."""
    now = _clock(demo_db, WEEKDAYS[1])
    (n, cid, name), *_ = _spenders(demo_db, now, [])
    ask = f"campanha {n} semana passada vs retrasada" if campaign else "semana passada vs retrasada"
    _, (intent, lines) = _thread(demo_db, now, [ask, f"e o {rate}?"])
    old, new = (_figures(demo_db, ACCOUNT, a, b, cid if campaign else None) for a, b in _last_weeks(now))
    text = (lambda v: format_pct(v, 2)) if rate == "ctr" else format_money
    how = {
        "ctr": " (cliques / impressões)",
        "cpm": " (gasto por mil impressões)",
        "cpc": " (gasto / cliques)",
    }[rate]
    who = f", “{name}”" if campaign else ""
    assert lines[0] == (
        f"{rate.upper()}{how}{who} de semana retrasada para semana passada: {text(old[rate])} para "
        f"{text(new[rate])} ({_rate_change(new[rate], old[rate])})."
    ), lines[0]
    assert lines[1].startswith("Variação de semana retrasada para semana passada"), lines[1]
    assert lines[2].startswith("Semana retrasada, de segunda a domingo"), lines[2]


# ------------------------------------------------------------- 3. "dela" after two campaigns compared
@pytest.mark.parametrize("why", ["pq o cpl dela subiu?", "e dela ontem?"])
def test_a_pronoun_after_a_comparison_asks_which_of_the_two(demo_db: DemoDb, why: str) -> None:
    """ "dela" right after "compara a N com a M": which of the two, naming both, not the help menu."""
    now = _clock(demo_db, WEEKDAYS[0])
    (n, _, first), (m, _, second), *_ = _spenders(demo_db, now, [])
    _, (intent, lines) = _thread(demo_db, now, [f"compara a {n} com a {m}", why])
    assert intent == "campaign_not_found"
    assert lines == [f"Qual delas: “{first}” ou “{second}”?"], lines


# ------------------------------------------------------------ 4. a budget scenario's campaign corrected
def _stored_campaign_leads(db: DemoDb, cid: str) -> str:
    """One campaign's leads of the latest stored forecast, written to a tenth."""
    from famachat_ml_pipeline.agent.tools import ToolContext
    from famachat_ml_pipeline_tests.agent.test_fast_reads import ref_latest_forecasts

    rows = ref_latest_forecasts(ToolContext(db.engine, ACCOUNT, now=db.now))
    leads = [r for r in rows if r["entity_id"] == cid and r["target_metric"] == "leads"]
    return format_number(sum(p["predicted"] for r in leads for p in r["predictions"]), 1)


@pytest.mark.parametrize(
    "correction", ["não, a campanha {m}", "Não, a Campanha {m}.", "não, era a {m}", "não, quis dizer a {m}"]
)
def test_a_correction_keeps_the_budget_scenario(demo_db: DemoDb, correction: str) -> None:
    """ "se eu aumentar 20% o orçamento da campanha N, ..." then "não, a campanha M": the same scenario for
    M, its stored forecast first and the 20% scaled after."""
    (n, _, _), (m, cid, name), *_ = _spenders(demo_db, demo_db.now, [])
    _, (intent, lines) = _thread(
        demo_db,
        demo_db.now,
        [f"se eu aumentar 20% o orçamento da campanha {n}, quantos leads vou ter?", correction.format(m=m)],
    )
    assert intent == "forecast"
    value = _stored_campaign_leads(demo_db, cid)
    assert lines[0].startswith(f"A previsão do pipeline para “{name}” é com o orçamento atual"), lines[0]
    assert f": {value} leads (" in lines[0], (value, lines[0])
    assert lines[1].startswith(
        f"Se o CPL se mantiver, 20% a mais de orçamento daria cerca de {_scaled(value, 20)} leads"
    ), lines[1]
