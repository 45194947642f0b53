"""Offline answers to the weak turns agent17's review left (agent18): a campaign's day or period led by the
figure asked (the CPL, the leads), "qual delas tá melhor/pior?" led by its verdict, "dela" right after that
verdict is the campaign it named, and a campaign's forecast led by its stored spend forecast when the spend
was asked.

Every figure is computed here from the cleaned source (or the stored forecasts) on its own, for fixed
clocks, so the suite holds on any weekday."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from famachat_ml_pipeline.agent.answers_forecast import say_forecast
from famachat_ml_pipeline.agent.intents import classify_intent
from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_fast_reads import ref_latest_forecasts
from famachat_ml_pipeline_tests.agent.test_offline_asks7 import WEEKDAYS, _clock, _figures
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _last_weeks, _spenders, _thread

pytestmark = pytest.mark.timeout(1200)


def _text(f: dict, first: str) -> str:
    """ "CPL R$ 25,00, R$ 100,00 investidos, 4 leads": the figures written here, the one asked first."""
    cpl = format_money(f["cpl"]) if f["cpl"] is not None else "sem leads"
    parts = {"spend": f"{format_money(f['spend'])} investidos", "leads": leads_of(int(f["leads"]))}
    parts["cpl"] = f"CPL {cpl}"
    return ", ".join(parts[k] for k in [first, *(k for k in parts if k != first)])


# ------------------------------------------------------ 1. a campaign's day or period, the figure asked first
WEEK = "Semana passada, de segunda a domingo"


@pytest.mark.parametrize("weekday", WEEKDAYS[:2])
@pytest.mark.parametrize(
    ("asked", "first"),
    [
        (["como ta a campanha {n} ontem?", "e o cpl dela na semana passada?"], "cpl"),
        (["como ta a campanha {n} ontem?", "quantos leads ela trouxe semana passada"], "leads"),
        (["qual o cpl da campanha {n} semana passada?"], "cpl"),
        (["quantos leads a campanha {n} trouxe semana passada"], "leads"),
        # the spend asked, or no figure at all: the spend first, as before
        (["quanto gastei na campanha {n} semana passada?"], "spend"),
        (["como foi a campanha {n} semana passada?"], "spend"),
    ],
)
def test_a_campaigns_week_leads_with_the_figure_asked(
    demo_db: DemoDb, weekday: int, asked: list[str], first: str
) -> None:
    """A campaign's last week leads with the CPL or the leads when asked (by a pronoun too: "e o cpl dela
    na semana passada?"), with the spend when the spend or nothing in particular was asked; its status
    after."""
    now = _clock(demo_db, weekday)
    monday, sunday = _last_weeks(now)[1]
    (n, cid, name), *_ = _spenders(demo_db, now, [monday, now.date() - dt.timedelta(days=1)])
    *_, (intent, lines) = _thread(demo_db, now, [q.format(n=n) for q in asked])
    assert intent == "campaign_details", lines
    f = _figures(demo_db, ACCOUNT, monday, sunday, cid)
    span = f"({_d(monday)} a {_d(sunday)}, 7 dias)"
    assert lines[0].startswith(f"{WEEK}, “{name}” {span}: {_text(f, first)}"), lines[0]
    assert lines[1].startswith(f"“{name}” ({cid}), status "), lines[1]


@pytest.mark.parametrize(
    ("asked", "first"),
    [
        ("qual o cpl da campanha {n} ontem?", "cpl"),
        ("quantos leads a campanha {n} fez ontem?", "leads"),
        ("quanto gastei ontem na campanha {n}?", "spend"),
    ],
)
def test_a_campaigns_day_leads_with_the_figure_asked(demo_db: DemoDb, asked: str, first: str) -> None:
    """The same for one day ("qual o cpl da campanha 3 ontem?"), and "e anteontem?" after keeps it."""
    now = _clock(demo_db, WEEKDAYS[1])
    yesterday, before = now.date() - dt.timedelta(days=1), now.date() - dt.timedelta(days=2)
    (n, cid, name), *_ = _spenders(demo_db, now, [yesterday, before])
    answers = _thread(demo_db, now, [asked.format(n=n), "e anteontem?"])
    for (intent, lines), day in zip(answers, (yesterday, before), strict=True):
        assert intent == "campaign_details", lines
        f = _figures(demo_db, ACCOUNT, day, day, cid)
        assert lines[0].startswith(f"Em {_d(day)}, “{name}”: {_text(f, first)}"), lines[0]


# ------------------------------------------------------------------- 2. "qual delas tá melhor?": the verdict
def _two_with_leads(db: DemoDb, first: dt.date, last: dt.date) -> list[tuple[int, str, str, float]]:
    """The account's first two "Campanha <n>" campaigns (by number) with leads over first..last, and
    their CPL there (from the source)."""
    found = []
    for n, cid, name in _spenders(db, db.now, []):
        f = _figures(db, ACCOUNT, first, last, cid)
        if f["cpl"] is not None:
            found.append((n, cid, name, f["cpl"]))
    return found[:2]


MONTHS = ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro")
MONTHS += ("novembro", "dezembro")


def _verdict(pair: list[tuple], better: bool, when: str, spent: dict[str, float] | None = None) -> str:
    """ "Melhor: “A” (id), CPL R$ 40,64 nos 7 dias, contra CPL R$ 54,94 de “B”.", written here; a campaign
    with no CPL there is "sem leads (R$ … gastos)" when it spent, else "sem dados"."""
    pick = (min if better else max)((x for x in pair if x[3] is not None), key=lambda x: x[3])
    (other,) = [x for x in pair if x is not pick]
    if other[3] is not None:
        against = f"CPL {format_money(other[3])} de “{other[2]}”"
    else:
        spend = (spent or {}).get(other[1], 0.0)
        against = f"“{other[2]}” " + (f"sem leads ({format_money(spend)} gastos)" if spend else "sem dados")
    head = "Melhor" if better else "Pior"
    return f"{head}: “{pick[2]}” ({pick[1]}), CPL {format_money(pick[3])} {when}, contra {against}."


@pytest.mark.parametrize(
    ("asked", "better"),
    [
        (["compara a {n} com a {m}", "qual delas ta melhor?"], True),
        (["compara a {n} com a {m}", "qual delas ta pior?"], False),
        (["qual das duas ta melhor, {n} ou {m}?"], True),
        (["campanha {n} vs campanha {m}, qual ta pior?"], False),
    ],
)
def test_which_is_better_leads_with_the_verdict(demo_db: DemoDb, asked: list[str], better: bool) -> None:
    """ "qual delas tá melhor?" after a comparison (or "qual das duas tá melhor, N ou M?"): the lower CPL of
    the 7 days with both CPLs first ("pior": the higher), then the comparison as it was."""
    through = demo_db.now.date() - dt.timedelta(days=1)
    pair = _two_with_leads(demo_db, through - dt.timedelta(days=6), through)
    (n, a_id, a_name, _), (m, b_id, b_name, _) = pair
    *_, (intent, lines) = _thread(demo_db, demo_db.now, [q.format(n=n, m=m) for q in asked])
    assert intent == "compare", lines
    assert lines[0] == _verdict(pair, better, "nos 7 dias"), lines[0]
    assert lines[1] == "Comparação (7 dias):", lines
    assert lines[2].startswith(f"- “{a_name}” ({a_id}): "), lines[2]
    assert lines[3].startswith(f"- “{b_name}” ({b_id}): "), lines[3]


def test_a_plain_comparison_still_starts_with_it(demo_db: DemoDb) -> None:
    """ "compara a N com a M": the better by the CPL first (agent42: a buyer comparing wants the verdict
    first; was "Comparação (7 dias):" first), with no id (a "dela" next names neither), then the
    comparison."""
    through = demo_db.now.date() - dt.timedelta(days=1)
    (n, *_), (m, *_) = _two_with_leads(demo_db, through - dt.timedelta(days=6), through)
    ((intent, lines),) = _thread(demo_db, demo_db.now, [f"compara a {n} com a {m}"])
    assert intent == "compare"
    assert lines[0].startswith("Melhor pelo CPL: “"), lines
    assert lines[1] == "Comparação (7 dias):", lines


def test_which_is_better_of_a_period_is_that_periods(demo_db: DemoDb) -> None:
    """ "qual delas tá melhor semana passada?" after a comparison: the verdict of last week's CPLs (the
    source), then "e mês passado?" the verdict of that month."""
    now = demo_db.now
    first, last = _last_weeks(now)[1]
    pair = _two_with_leads(demo_db, first, last)
    (n, *_), (m, *_) = pair
    month_last = now.date().replace(day=1) - dt.timedelta(days=1)
    month_first = month_last.replace(day=1)
    month = {x[1]: _figures(demo_db, ACCOUNT, month_first, month_last, x[1]) for x in pair}
    old = [(x[0], x[1], x[2], month[x[1]]["cpl"]) for x in pair]
    _, (intent, lines), (_, before) = _thread(
        demo_db, now, [f"compara a {n} com a {m}", "qual delas ta melhor semana passada?", "e mes passado?"]
    )
    assert intent == "compare"
    assert lines[0] == _verdict(pair, True, "na semana passada"), lines[0]
    when = f"em {MONTHS[month_last.month - 1]} de {month_last.year}"
    # a campaign begun after that month has no CPL there: the other is better, that one "sem dados"
    spent = {cid: f["spend"] for cid, f in month.items()}
    assert before[0] == _verdict(old, True, when, spent), before[0]


# ----------------------------------------------------------------- 3. "dela" right after the verdict
@pytest.mark.parametrize("which", ["melhor", "pior"])
def test_dela_after_the_verdict_is_the_campaign_it_named(demo_db: DemoDb, which: str) -> None:
    """ "compara a N com a M", "qual delas tá melhor?", "pq o cpl dela subiu?": about the one said better
    (or worse), not asked back; "qual delas gastou mais?" right after the verdict still weighs both."""
    through = demo_db.now.date() - dt.timedelta(days=1)
    pair = _two_with_leads(demo_db, through - dt.timedelta(days=6), through)
    (n, a_id, a_name, _), (m, b_id, b_name, _) = pair
    pick = (min if which == "melhor" else max)(pair, key=lambda x: x[3])
    asked = [f"compara a {n} com a {m}", f"qual delas ta {which}?"]
    *_, (why, about) = _thread(demo_db, demo_db.now, [*asked, "pq o cpl dela subiu?"])
    assert why == "campaign_details", about
    assert any(line.startswith(f"“{pick[2]}” ({pick[1]}), status ") for line in about), about
    assert not any(line.startswith("Qual delas") for line in about), about
    *_, (both, again) = _thread(demo_db, demo_db.now, [*asked, "qual delas gastou mais?"])
    assert both == "compare", again
    assert any(line.startswith(f"- “{a_name}” ({a_id}): ") for line in again), again
    assert any(line.startswith(f"- “{b_name}” ({b_id}): ") for line in again), again


# ---------------------------------------------------------- 4. a campaign's forecast when the spend is asked
def _stored(db: DemoDb, cid: str, metric: str) -> list[dict]:
    """The campaign's points of that metric in the latest stored forecast (ml_forecasts)."""
    rows = ref_latest_forecasts(ToolContext(db.engine, ACCOUNT, now=db.now))
    (r,) = [r for r in rows if r["entity_id"] == cid and r["target_metric"] == metric]
    return r["predictions"]


@pytest.mark.parametrize(
    "asked",
    [
        ["qnto gastei ontem na campanha 999?", "e amanha?", "ah, é a campanha {n}"],
        ["quanto gastei ontem na campanha {n}?", "e amanha?"],
        ["quanto vou gastar amanha na campanha {n}?"],
    ],
)
def test_a_campaigns_forecast_with_the_spend_asked_leads_with_its_spend(
    demo_db: DemoDb, asked: list[str]
) -> None:
    """The spend asked of a campaign's forecast (after a correction too): the stored spend of tomorrow with
    its range first, then the stored days' total, then the fresh leads and CPL as before."""
    now = demo_db.now
    tomorrow = now.date() + dt.timedelta(days=1)
    (n, cid, name), *_ = _spenders(demo_db, now, [now.date() - dt.timedelta(days=1)])
    *_, (intent, lines) = _thread(demo_db, now, [q.format(n=n) for q in asked])
    assert intent == "forecast", lines
    points = _stored(demo_db, cid, "spend")
    (day,) = [p for p in points if str(p["date"])[:10] == tomorrow.isoformat()]
    assert lines[0] == (
        f"Em {_d(tomorrow)}: {format_money(day['predicted'])} de gasto previstos "
        f"({format_money(day['lower'])} a {format_money(day['upper'])})."
    ), lines[0]
    total, low, high = (sum(float(p[k]) for p in points) for k in ("predicted", "lower", "upper"))
    first, last = str(points[0]["date"])[:10], str(points[-1]["date"])[:10]
    span = f"{_d(dt.date.fromisoformat(first))} a {_d(dt.date.fromisoformat(last))}"
    assert lines[1].startswith(
        f"“{name}”: {format_money(total)} de gasto no total de {span} ({format_money(low)} a "
        f"{format_money(high)}; previsão do pipeline"
    ), lines[1]
    assert any(line.startswith(f"Em {_d(tomorrow)}: ") and "leads previstos" in line for line in lines), lines


def test_a_campaigns_forecast_without_the_spend_asked_is_as_before(demo_db: DemoDb) -> None:
    """ "quantos leads amanhã na campanha N?": no spend line, the leads of that day first."""
    now = demo_db.now
    tomorrow = now.date() + dt.timedelta(days=1)
    (n, *_), *_ = _spenders(demo_db, now, [now.date() - dt.timedelta(days=1)])
    ((intent, lines),) = _thread(demo_db, now, [f"quantos leads amanha na campanha {n}?"])
    assert intent == "forecast"
    assert lines[0].startswith(f"Em {_d(tomorrow)}: ") and "leads previstos" in lines[0], lines
    assert not any("de gasto" in line for line in lines), lines


def test_no_stored_spend_forecast_of_a_campaign_is_said_plainly() -> None:
    """No stored spend forecast for the campaign asked: said that per campaign only leads and CPL are
    forecast, then those (the answer's own wording over tool outputs, no database)."""
    intent = classify_intent("quanto vou gastar na campanha 123456789 na proxima semana?")
    assert intent.metric == "spend"
    prediction = {
        "name": "C",
        "value": "10,0",
        "low": "5,0",
        "high": "15,0",
        "method": "combo",
        "days": [{"date": "2026-12-01", "predicted": "1,4", "low": "0,0", "high": "3,0"}] * 7,
    }
    out = {
        "_through": dt.date(2026, 11, 29),
        "get_forecasts": {"made_on": None, "total": 0, "forecasts": [], "account_totals": {}},
        "predict_campaign_leads": {**prediction, "metric": "leads"},
        "predict_campaign_cpl": {**prediction, "metric": "cpl", "value": "R$ 20,00"},
    }
    lines = say_forecast(replace(intent, campaign_id="123456789"), out)
    assert (
        lines[0]
        == "Não há previsão de gasto guardada para esta campanha; aqui, por campanha, só leads e CPL."
    )
    assert lines[1].startswith("“C”: 10,0 leads no total nos próximos 7 dias"), lines


# ------------------------------------------------------------------- 5. the week before last, on its own
BEFORE_LAST = "Semana retrasada, de segunda a domingo"


@pytest.mark.parametrize("weekday", WEEKDAYS[:2])
@pytest.mark.parametrize(
    "asked",
    [
        ["semana retrasada"],
        ["quanto gastei semana retrasada?"],
        ["como foi a semana retrasada?"],
        ["quanto gastei semana passada?", "e semana retrasada?"],
        ["quanto gastei semana passada?", "e a retrasada?"],
    ],
)
def test_the_week_before_last_alone_gets_its_figures(demo_db: DemoDb, weekday: int, asked: list[str]) -> None:
    """ "semana retrasada" without a second period (or as a follow-up) is the calendar week before last,
    Monday to Sunday, for the account; it got the help menu, or the last 7 days against the 7 before."""
    now = _clock(demo_db, weekday)
    monday, sunday = _last_weeks(now)[0]
    *_, (_, lines) = _thread(demo_db, now, asked)
    f = _figures(demo_db, ACCOUNT, monday, sunday)
    span = f"({_d(monday)} a {_d(sunday)}, 7 dias)"
    assert lines[0].startswith(f"{BEFORE_LAST} {span}: {_text(f, 'spend')}"), lines[0]


@pytest.mark.parametrize("weekday", WEEKDAYS[:1])
def test_a_campaigns_week_before_last(demo_db: DemoDb, weekday: int) -> None:
    now = _clock(demo_db, weekday)
    monday, sunday = _last_weeks(now)[0]
    (n, cid, name), *_ = _spenders(demo_db, now, [monday, sunday])
    *_, (intent, lines) = _thread(demo_db, now, [f"campanha {n} semana retrasada"])
    assert intent == "campaign_details", lines
    f = _figures(demo_db, ACCOUNT, monday, sunday, cid)
    span = f"({_d(monday)} a {_d(sunday)}, 7 dias)"
    assert lines[0].startswith(f"{BEFORE_LAST}, “{name}” {span}: {_text(f, 'spend')}"), lines[0]
