"""Offline answers to a buyer's chat review (agent17): corrections of the campaign asked ("não é a 3, é a
15", "errei, é a 15", "na verdade a 15"), "e amanhã?" after a campaign not found or after a campaign's day,
two campaigns' two periods compared, "qual delas tá melhor?" after a comparison, and a budget's increase
asked right after a forecast.

Every figure is computed here from the cleaned source (or the stored forecasts) on its own, for fixed
clocks, so the suite holds on any weekday."""

from __future__ import annotations

import datetime as dt

import pytest

from famachat_ml_pipeline.agent.tools import ToolContext, run_tool
from famachat_ml_pipeline.core.recommendations import format_money, format_number, format_pct
from famachat_ml_pipeline_tests.agent.conftest import DemoDb
from famachat_ml_pipeline_tests.agent.test_fast_reads import ref_latest_forecasts
from famachat_ml_pipeline_tests.agent.test_offline_asks7 import WEEKDAYS, _clock, _figures
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks10 import _side
from famachat_ml_pipeline_tests.agent.test_offline_asks11 import _rate_change
from famachat_ml_pipeline_tests.agent.test_offline_followups import (
    ACCOUNT,
    _figures_text,
    _last_weeks,
    _spenders,
    _thread,
)

pytestmark = pytest.mark.timeout(1200)


def _change(new: float | None, old: float | None) -> str:
    """A change to the unit, signed when it rose ("+7%"; "0%" and "-13%" as they are)."""
    if new is None or not old:
        return "-"
    text = format_pct((new - old) / old * 100, 0)
    return text if text.startswith("-") or text == "0%" else f"+{text}"


# ---------------------------------------------------------------- 1. the campaign asked, corrected
@pytest.mark.parametrize(
    "correction",
    [
        "não é a {n}, é a {m}",
        "nao e a {n} e a {m}",
        "errei, é a {m}",
        "na verdade a {m}",
        "ah, é a campanha {m}",
        "opa, quis dizer a {m}",
    ],
)
def test_a_correction_asks_the_last_question_of_the_campaign_meant(demo_db: DemoDb, correction: str) -> None:
    """ "quanto gastei ontem na campanha N?" then "não é a N, é a M" (or "errei, é a M", ...): the same
    question of M, its day's figures first, never the help menu."""
    now = _clock(demo_db, WEEKDAYS[1])
    yesterday = now.date() - dt.timedelta(days=1)
    (n, _, _), (m, cid, name), *_ = _spenders(demo_db, now, [yesterday])
    _, (intent, lines) = _thread(
        demo_db, now, [f"quanto gastei ontem na campanha {n}?", correction.format(n=n, m=m)]
    )
    assert intent == "campaign_details"
    own = _figures(demo_db, ACCOUNT, yesterday, yesterday, cid)
    assert lines[0].startswith(f"Em {_d(yesterday)}, “{name}”: {_figures_text(own)}"), lines[0]
    assert lines[1].startswith(f"“{name}” ({cid}), status "), lines[1]


def test_a_follow_up_after_a_correction_keeps_the_campaign_corrected(demo_db: DemoDb) -> None:
    """ "como tá a campanha N ontem?", "não é a N, é a M", "e anteontem?", "errei, é a N": each turn about
    the campaign named last, with the day asked last."""
    now = _clock(demo_db, WEEKDAYS[2])
    yesterday, before = now.date() - dt.timedelta(days=1), now.date() - dt.timedelta(days=2)
    (n, first_id, first), (m, cid, name), *_ = _spenders(demo_db, now, [yesterday, before])
    answers = _thread(
        demo_db,
        now,
        [f"como ta a campanha {n} ontem?", f"não é a {n}, é a {m}", "e anteontem?", f"errei, é a {n}"],
    )
    expected = [
        (first_id, first, yesterday),
        (cid, name, yesterday),
        (cid, name, before),
        (first_id, first, before),
    ]
    for (intent, lines), (c, label, day) in zip(answers, expected, strict=True):
        assert intent == "campaign_details", lines
        own = _figures(demo_db, ACCOUNT, day, day, c)
        assert lines[0].startswith(f"Em {_d(day)}, “{label}”: {_figures_text(own)}"), lines[0]


# ------------------------------------------------------------------------- 2. "e amanhã?" in a thread
def _stored_day(db: DemoDb, day: dt.date, metric: str) -> float:
    """The account's value of one day in the latest stored forecast (its campaigns summed)."""
    rows = ref_latest_forecasts(ToolContext(db.engine, ACCOUNT, now=db.now))
    return sum(
        float(p["predicted"])
        for r in rows
        if r["target_metric"] == metric
        for p in r["predictions"]
        if str(p["date"])[:10] == day.isoformat()
    )


def test_tomorrow_after_a_campaign_not_found_is_the_accounts_forecast(demo_db: DemoDb) -> None:
    """ "quanto gastei ontem na campanha 999?" (not in the account) then "e amanhã?": the account's
    stored forecast of tomorrow, the spend asked first, not "não encontrei" again."""
    tomorrow = demo_db.now.date() + dt.timedelta(days=1)
    first, (intent, lines) = _thread(
        demo_db, demo_db.now, ["quanto gastei ontem na campanha 999?", "e amanha?"]
    )
    assert first[1][0] == "Não encontrei a Campanha 999 nesta conta.", first[1]
    assert intent == "forecast"
    leads, spend = _stored_day(demo_db, tomorrow, "leads"), _stored_day(demo_db, tomorrow, "spend")
    # the thread asked the spend ("quanto gastei"): it leads, as a campaign's tomorrow does (agent21)
    assert lines[0] == (
        f"Previsão para {_d(tomorrow)} (só esse dia): cerca de {format_money(spend)} de gasto e "
        f"cerca de {round(leads)} leads na conta."
    ), lines[0]


def test_tomorrow_after_a_campaigns_day_is_its_forecast_of_that_day(demo_db: DemoDb) -> None:
    """ "quanto gastei ontem na campanha N?" then "e amanhã?": that campaign's forecast of tomorrow alone
    first (not "ainda não chegou"), the spend asked leading (its stored forecast, agent18), then its next
    days."""
    now = demo_db.now
    tomorrow = now.date() + dt.timedelta(days=1)
    (n, cid, name), *_ = _spenders(demo_db, now, [now.date() - dt.timedelta(days=1)])
    _, (intent, lines) = _thread(demo_db, now, [f"quanto gastei ontem na campanha {n}?", "e amanha?"])
    assert intent == "forecast"
    ctx = ToolContext(demo_db.engine, ACCOUNT, now=now)
    (spend,) = [
        float(p["predicted"])
        for r in ref_latest_forecasts(ctx)
        if r["entity_id"] == cid and r["target_metric"] == "spend"
        for p in r["predictions"]
        if str(p["date"])[:10] == tomorrow.isoformat()
    ]
    assert lines[0].startswith(f"Em {_d(tomorrow)}: {format_money(spend)} de gasto previstos ("), lines[0]
    days = run_tool(ctx, "predict_campaign_leads", {"campaign_id": cid})["days"]
    (day,) = [x for x in days if x["date"] == tomorrow.isoformat()]
    leads = f"Em {_d(tomorrow)}: {day['predicted']} leads previstos ({day['low']} a {day['high']})."
    assert leads in lines, lines
    cpl_days = run_tool(ctx, "predict_campaign_cpl", {"campaign_id": cid})["days"]
    (c,) = [x for x in cpl_days if x["date"] == tomorrow.isoformat()]
    # was "R$ 13,61 de CPL previstos"
    assert f"Em {_d(tomorrow)}: CPL previsto de {c['predicted']} ({c['low']} a {c['high']})." in lines, lines
    assert any(line.startswith(f"“{name}”: ") and "leads no total" in line for line in lines), lines


# ----------------------------------------------------------------- 3. two campaigns' two periods
@pytest.mark.parametrize("weekday", WEEKDAYS[:2])
@pytest.mark.parametrize(
    "ask",
    ["campanha {n} e {m} semana passada vs retrasada", "campanha {n} x {m} semana passada vs retrasada"],
)
def test_two_campaigns_last_week_against_the_week_before(demo_db: DemoDb, weekday: int, ask: str) -> None:
    """Each campaign's two weeks (its rows only) and changes, in turn, then the lowest CPL of last week;
    "e o ctr?" right after: both campaigns' CTR moves first."""
    now = _clock(demo_db, weekday)
    (n, a_id, a_name), (m, b_id, b_name), *_ = _spenders(demo_db, now, [])
    (intent, lines), (_, rates) = _thread(demo_db, now, [ask.format(n=n, m=m), "e o ctr?"])
    assert intent == "compare"
    weeks = _last_weeks(now)
    labels = ("Semana retrasada", "Semana passada")
    cpls = {}
    # the verdict first when both had leads, then each campaign's changes (named) before its weeks (agent42)
    off = 1 if lines[0].startswith("Menor CPL") else 0
    for at, (cid, name) in zip((off, off + 3), ((a_id, a_name), (b_id, b_name)), strict=True):
        old, new = (_figures(demo_db, ACCOUNT, first, last, cid) for first, last in weeks)
        sides = lines[at + 1 : at + 3]
        for line, label, f, (first, last) in zip(sides, labels, (old, new), weeks, strict=True):
            assert line.startswith(_side(f"{label}, de segunda a domingo, “{name}”", f, first, last)), line
        assert lines[at] == (
            f"Variação de semana retrasada para semana passada, “{name}”: gasto "
            f"{_change(new['spend'], old['spend'])}, "
            f"leads {_change(new['leads'], old['leads'])}, CPL {_change(new['cpl'], old['cpl'])}."
        ), lines[at]
        if new["cpl"] is not None:
            cpls[name] = new["cpl"]
        k = 0 if cid == a_id else 1
        assert rates[k] == (
            f"CTR (cliques / impressões), “{name}” de semana retrasada para semana passada: "
            f"{format_pct(old['ctr'], 2)} para {format_pct(new['ctr'], 2)} "
            f"({_rate_change(new['ctr'], old['ctr'])})."
        ), rates[k]
    if len(cpls) == 2:
        assert lines[0] == f"Menor CPL na semana passada: “{min(cpls, key=cpls.get)}”.", lines[0]


# ------------------------------------------------------------- 4. "qual delas" after a comparison
def test_which_of_them_after_a_comparison_weighs_those_two(demo_db: DemoDb) -> None:
    """ "compara a N com a M" then "qual delas tá melhor?": those two compared again (not the account's top
    tier), the better one said first (agent18); "pq o cpl dela subiu?" after is about that one."""
    now = _clock(demo_db, WEEKDAYS[0])
    (n, a_id, a_name), (m, b_id, b_name), *_ = _spenders(demo_db, now, [])
    _, (intent, lines), (why, about) = _thread(
        demo_db, now, [f"compara a {n} com a {m}", "qual delas ta melhor?", "pq o cpl dela subiu?"]
    )
    assert intent == "compare"
    assert lines[0].startswith("Melhor: “"), lines
    assert lines[1] == "Comparação (7 dias):", lines
    assert lines[2].startswith(f"- “{a_name}” ({a_id}): "), lines[2]
    assert lines[3].startswith(f"- “{b_name}” ({b_id}): "), lines[3]
    best_id, best = (a_id, a_name) if lines[0].startswith(f"Melhor: “{a_name}”") else (b_id, b_name)
    assert why == "campaign_details"
    assert f"“{best}” ({best_id}), status " in "\n".join(about), about


# ------------------------------------------------------ 5. a budget's increase right after a forecast
def test_a_budget_increase_after_a_forecast_is_its_scenario(demo_db: DemoDb) -> None:
    """ "quantos leads vou ter na próxima semana?" then "e se eu aumentar 20% o orçamento?": the stored
    forecast at the current budget first, then the 20% as arithmetic at a constant CPL."""
    rows = ref_latest_forecasts(ToolContext(demo_db.engine, ACCOUNT, now=demo_db.now))
    total = sum(
        float(p["predicted"]) for r in rows if r["target_metric"] == "leads" for p in r["predictions"]
    )
    value = format_number(round(total), 0)  # the account's forecast in whole leads, as it is said elsewhere
    _, (intent, lines) = _thread(
        demo_db,
        demo_db.now,
        ["quantos leads vou ter na proxima semana?", "e se eu aumentar 20% o orcamento?"],
    )
    assert intent == "forecast"
    assert lines[0].startswith("A previsão do pipeline para a conta é com o orçamento atual"), lines[0]
    assert f": cerca de {value} leads de " in lines[0], (value, lines[0])
    scaled = format_number(round(total) * 1.2, 0)
    assert lines[1].startswith(
        f"Se o CPL se mantiver, 20% a mais de orçamento daria cerca de {scaled} leads"
    ), lines[1]
