"""A media buyer's thread (agent14): a month's spend target per day ("quanto posso gastar por dia pra
fechar em R$ 50 mil?"), campaigns named by their number alone ("compara a 20 com a 25", "qual das duas tá
melhor, 46 ou 55?", "e a 22?", "não, a 23"), "e na conta toda?" keeping the day asked, "e o cpl?" leading
with the CPL, "e qnts leads?" after the month's end leading with the leads. Every figure is computed here
from the cleaned source, on its own, for fixed clocks (several weekdays, a mid-month day), so the suite
holds on any day it runs."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from zoneinfo import ZoneInfo

import pytest

from famachat_ml_pipeline.core.recommendations import format_money, format_pct
from famachat_ml_pipeline.core.recommendations.text_ptbr import days_text as _days
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_offline_asks7 import WEEKDAYS, _clock, _figures
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_followups import (
    ACCOUNT,
    _figures_text,
    _last_weeks,
    _spenders,
    _thread,
)

pytestmark = pytest.mark.timeout(1200)
MONTHS = ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro")
MONTHS += ("novembro", "dezembro")


def _text(f: dict, first: str = "spend") -> str:
    """The day's or period's figures written here, the one asked first ("leads", "cpl")."""
    cpl = format_money(f["cpl"]) if f["cpl"] is not None else "sem leads"
    parts = {"spend": f"{format_money(f['spend'])} investidos", "leads": leads_of(int(f["leads"]))}
    parts["cpl"] = f"CPL {cpl}"
    return ", ".join(parts[k] for k in [first, *(k for k in parts if k != first)])


# ------------------------------------------------------------------ 1. a month's spend target, per day
def _mid_month_clock(db: DemoDb) -> dt.datetime:
    """Noon of the 10th of the demo's last month that has data from its 1st to the 9th."""
    day = db.as_of.replace(day=10)
    if day > db.as_of:
        day = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    return dt.datetime.combine(day, dt.time(12), ZoneInfo("America/Sao_Paulo"))


@pytest.mark.parametrize("over", [False, True])
def test_a_month_target_says_the_spend_left_per_day_first(demo_db: DemoDb, over: bool) -> None:
    now = _mid_month_clock(demo_db)
    first, through = now.date().replace(day=1), now.date() - dt.timedelta(days=1)
    last = through.replace(day=calendar.monthrange(through.year, through.month)[1])
    spent = _figures(demo_db, ACCOUNT, first, through)["spend"]
    thousands = math.floor(spent / 2000) if over else math.ceil(spent / 1000) + 30  # below / above the spend
    target, days_left = thousands * 1000.0, (last - through).days
    question = (
        f"preciso fechar o mes em {thousands} mil, qnt posso gastar por dia?"
        if over
        else f"quanto posso gastar por dia ate o fim do mes pra fechar em R$ {thousands} mil?"
    )
    ((intent, lines),) = _thread(demo_db, now, [question])
    month = f"{MONTHS[through.month - 1]} de {through.year}"
    so_far, ahead = f"({_d(first)} a {_d(through)})", f"({_d(through + dt.timedelta(days=1))} a {_d(last)}"
    assert intent == "forecast"
    if over:
        assert lines[0] == (
            f"Para fechar {month} em {format_money(target)} não sobra verba: o mês já soma "
            f"{format_money(spent)} {so_far}, {format_money(spent - target)} acima da meta, antes dos "
            f"{_days(days_left)} que faltam {ahead})."
        ), lines[0]
    else:
        per_day = (target - spent) / days_left
        assert lines[0].startswith(
            f"Para fechar {month} em {format_money(target)}: até {format_money(per_day)} por dia nos "
            f"{_days(days_left)} que faltam {ahead};"
        ), lines[0]
        assert lines[0].endswith(
            f"pois o mês já soma {format_money(spent)} {so_far} e faltam {format_money(target - spent)}."
        ), lines[0]


# ------------------------------------------------------------------ 2. campaigns by their number alone
@pytest.mark.parametrize("ask", ["compara a {n} com a {m}", "qual das duas ta melhor, {n} ou {m}?"])
def test_two_campaign_numbers_alone_are_compared(demo_db: DemoDb, ask: str) -> None:
    now = demo_db.now
    through = now.date() - dt.timedelta(days=1)
    week = through - dt.timedelta(days=6)
    (n, a_id, a_name), (m, b_id, b_name), *_ = _spenders(demo_db, now, [through])
    ((intent, lines),) = _thread(demo_db, now, [ask.format(n=n, m=m)])
    assert intent == "compare", lines
    # "qual das duas tá melhor": the verdict first (agent18), the plain comparison after it; a plain
    # "compara" gets the better by the CPL first as well (agent42)
    at = 1
    assert lines[at] == "Comparação (7 dias):"
    figures = {}
    for cid, name, line in zip((a_id, b_id), (a_name, b_name), lines[at + 1 : at + 3], strict=True):
        figures[name] = _figures(demo_db, ACCOUNT, week, through, cid)
        assert line.startswith(f"- “{name}” ({cid}): {format_money(figures[name]['spend'])} gastos"), line
    with_cpl = {k: v["cpl"] for k, v in figures.items() if v["cpl"] is not None}
    if with_cpl:
        best = min(with_cpl, key=with_cpl.__getitem__)
        # said first, so not again at the end (agent43)
        assert not any(x.startswith("Menor CPL") for x in lines), lines
        verdict = f"Melhor: “{best}” (" if "melhor" in ask else f"Melhor pelo CPL: “{best}”, "
        assert lines[0].startswith(verdict), lines[0]


@pytest.mark.parametrize("weekday", WEEKDAYS)
def test_a_campaign_number_alone_follows_up_and_corrects(demo_db: DemoDb, weekday: int) -> None:
    """ "e a 22?" and "não, a 23" after a campaign's last week: the other campaign's last week."""
    now = _clock(demo_db, weekday)
    monday, sunday = _last_weeks(now)[1]
    spenders = _spenders(demo_db, now, [monday])
    asked = [f"qnts leads a campanha {spenders[0][0]} fez semana passada", f"e a {spenders[1][0]}?"]
    asked.append(f"nao, a {spenders[2][0]}")
    answers = _thread(demo_db, now, asked)
    span = f"({_d(monday)} a {_d(sunday)}, 7 dias)"
    for (intent, lines), (_, cid, name) in zip(answers, spenders[:3], strict=True):
        f = _figures(demo_db, ACCOUNT, monday, sunday, cid)
        assert intent == "campaign_details", lines
        # the leads asked ("qnts leads"), carried by the follow-ups, lead the week's figures
        week = f"Semana passada, de segunda a domingo, “{name}” {span}: {_text(f, 'leads')}"
        assert lines[0].startswith(week), lines[0]  # the week asked first, the status after
        assert lines[1].startswith(f"“{name}” ({cid}), status"), lines[1]


# ------------------------------------------------------------------ 3. back to the account, the figure asked
@pytest.mark.parametrize("weekday", WEEKDAYS)
def test_the_whole_account_keeps_the_day_and_the_cpl_leads(demo_db: DemoDb, weekday: int) -> None:
    now = _clock(demo_db, weekday)
    before = now.date() - dt.timedelta(days=2)
    (n, cid, name), *_ = _spenders(demo_db, now, [before])
    answers = _thread(
        demo_db, now, ["quanto gastei anteontem?", f"e da campanha {n}?", "e na conta toda?", "e o cpl?"]
    )
    own, account = _figures(demo_db, ACCOUNT, before, before, cid), _figures(demo_db, ACCOUNT, before, before)
    assert answers[1][1][0].startswith(f"Em {_d(before)}, “{name}”: {_text(own)}"), answers[1][1][0]
    assert answers[2][0] == "performance"
    assert answers[2][1][0].startswith(f"Em {_d(before)}: {_text(account)}"), answers[2][1][0]
    assert answers[3][1][0].startswith(f"Em {_d(before)}: {_text(account, 'cpl')}"), answers[3][1][0]
    assert _text(account) == _figures_text(account)  # written as the older tests write it


def test_the_leads_after_the_months_end_lead(demo_db: DemoDb) -> None:
    """The stored forecast starts after the demo's last day: the month must not end on it."""
    now, through = demo_db.now, demo_db.as_of
    if through.day == calendar.monthrange(through.year, through.month)[1]:
        pytest.skip("the demo's last day ends its month: no day left to forecast")
    first = through.replace(day=1)
    done = _figures(demo_db, ACCOUNT, first, through)
    answers = _thread(demo_db, now, ["qnt vou gastar ate o fim do mes?", "e qnts leads?"])
    month = f"{MONTHS[through.month - 1].capitalize()} de {through.year}"
    spend_line = f"já investidos ({_d(first)} a {_d(through)})"
    assert answers[0][1][0].startswith(f"{month} deve fechar em "), answers[0][1][0]
    assert spend_line in answers[0][1][0] and format_money(done["spend"]) in answers[0][1][0]
    assert answers[1][0] == "forecast"
    leads_line = answers[1][1][0]
    assert leads_line.startswith(f"{month} deve fechar com "), leads_line
    so_far = f"{int(done['leads']):,}".replace(",", ".")  # pt-BR grouping: "1.836"
    assert f"leads: {so_far} já realizados ({_d(first)} a {_d(through)})" in leads_line


# ------------------------------------------------------------------ 4. a campaign's why, first
def test_a_campaigns_why_leads_with_the_cpls_factors(demo_db: DemoDb) -> None:
    """ "pq o cpl da campanha 20 subiu?" and "e a campanha 25?" after it: the CPL's move over the 7 days
    against the 7 before, explained, before the campaign's open anomalies."""
    now, last = demo_db.now, demo_db.as_of
    rose = []
    for n, cid, _ in _spenders(demo_db, now, []):
        f = _figures(demo_db, ACCOUNT, last - dt.timedelta(days=6), last, cid)
        f0 = _figures(demo_db, ACCOUNT, last - dt.timedelta(days=13), last - dt.timedelta(days=7), cid)
        if f["cpl"] and f0["cpl"] and f["cpl"] >= f0["cpl"] * 1.05:  # a clear rise, no rounding to 0%
            rose.append((n, format_pct((f["cpl"] - f0["cpl"]) / f0["cpl"] * 100, 0)))
    assert len(rose) >= 2, "two campaigns' CPL rose in the demo"
    (n, a), (m, b) = rose[:2]
    answers = _thread(demo_db, now, [f"pq o cpl da campanha {n} subiu?", f"e a campanha {m}?"])
    for (intent, lines), change in zip(answers, (a, b), strict=True):
        assert intent == "campaign_details"
        assert lines[0].startswith(f"Por que o CPL mudou (+{change} em 7 dias): "), lines[0]  # a rise, signed


@pytest.mark.parametrize("weekday", WEEKDAYS)
def test_a_comparison_then_a_period_compares_that_period(demo_db: DemoDb, weekday: int) -> None:
    """ "compara a 20 com a 25" then "e semana passada?": both campaigns over last week, first."""
    now = _clock(demo_db, weekday)
    monday, sunday = _last_weeks(now)[1]
    (n, a_id, a_name), (m, b_id, b_name), *_ = _spenders(demo_db, now, [monday])
    _, (intent, lines) = _thread(demo_db, now, [f"compara a {n} com a {m}", "e semana passada?"])
    assert intent == "compare"
    # the verdict first (agent42), then the period's figures
    assert lines[0].startswith(("Melhor pelo CPL: ", "Nenhuma delas teve leads")), lines[0]
    assert lines[1] == f"Semana passada, de segunda a domingo ({_d(monday)} a {_d(sunday)}):", lines[1]
    cpls = {}
    for cid, name, line in zip((a_id, b_id), (a_name, b_name), lines[2:4], strict=True):
        f = _figures(demo_db, ACCOUNT, monday, sunday, cid)
        cpl = format_money(f["cpl"]) if f["cpl"] is not None else "sem leads"
        assert (
            line == f"- “{name}” ({cid}): {format_money(f['spend'])} gastos, {leads_of(int(f['leads']))}, "
            f"CPL {cpl}"
        )
        if f["cpl"] is not None:
            cpls[name] = f["cpl"]
    if cpls:
        assert lines[4] == f"Menor CPL nesse período: “{min(cpls, key=cpls.__getitem__)}”.", lines[4]
        assert lines[0].startswith(f"Melhor pelo CPL: “{min(cpls, key=cpls.__getitem__)}”, "), lines[0]
    # the period's figures are the comparison: the 7 days after them named another one better (an audit)
    assert "Comparação (7 dias):" not in lines, lines
