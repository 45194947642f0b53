"""A media buyer's flags (agent8): "essa semana vs semana passada" compares calendar weeks and says their
days, and a trend question about one figure leads with that figure. Each figure is computed here from the
cleaned source, on its own."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent import intents, intents_periods
from famachat_ml_pipeline.agent.intents_periods import MONTHS
from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, cleaned_daily, leads_of
from famachat_ml_pipeline_tests.agent.test_offline import _names
from famachat_ml_pipeline_tests.agent.test_offline_asks import _ask
from famachat_ml_pipeline_tests.agent.test_offline_asks3 import _active_recs, _numbered

pytestmark = pytest.mark.timeout(1200)

SHORT = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")


def _sums(db: DemoDb, cid: int, first: dt.date, last: dt.date) -> dict[str, float]:
    daily = cleaned_daily(db.engine, [cid], last, (last - first).days + 1, now=db.now)
    d = daily.filter(pl.col("date").is_between(first, last))
    return {k: float(d[k].sum() or 0) for k in ("spend", "leads", "clicks", "impressions")}


def _d(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def _change(now: float, before: float) -> str:
    pct = f"{(now - before) / before * 100:.0f}"
    pct = "0" if pct == "-0" else pct
    return ("+" if not pct.startswith("-") and pct != "0" else "") + pct + "%"


# ------------------------------------------------------------------ 1. this week against last week


def test_the_weeks_compared_are_this_weeks_days_so_far_and_the_same_weekdays_of_last_week() -> None:
    friday = intents_periods.weeks_compared(dt.date(2026, 11, 27))  # asked on Saturday 28/11
    assert (friday.now.first, friday.now.last) == (dt.date(2026, 11, 23), dt.date(2026, 11, 27))
    assert (friday.before.first, friday.before.last) == (dt.date(2026, 11, 16), dt.date(2026, 11, 20))
    assert (friday.days, friday.no_day_yet) == ("seg a sex", False)
    tuesday = intents_periods.weeks_compared(dt.date(2026, 11, 24))
    assert (tuesday.now.first, tuesday.before.last, tuesday.days) == (
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 17),
        "seg a ter",
    )
    # asked on a Monday: this week has no complete day, so last week whole against the week before
    monday = intents_periods.weeks_compared(dt.date(2026, 11, 29))
    assert (monday.now.first, monday.now.last) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert (monday.before.first, monday.before.last) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert (monday.days, monday.no_day_yet) == ("seg a dom", True)


@pytest.mark.parametrize(
    "question",
    [
        "compara essa semana com a semana passada",
        "essa semana vs semana passada",
        "como foi essa semana x semana passada?",
    ],
)
def test_this_week_against_last_week_compares_calendar_days_and_says_them(
    demo_db: DemoDb, question: str
) -> None:
    cid, through = 1, demo_db.as_of
    today = through + dt.timedelta(days=1)
    monday = today - dt.timedelta(days=today.weekday())
    week = dt.timedelta(days=7)
    if through < monday:  # asked on a Monday: last week whole against the one before
        now, before = (monday - week, through), (monday - 2 * week, through - week)
        labels = ("Semana passada", "Semana retrasada")
        days = "seg a dom"
    else:
        now, before = (monday, through), (monday - week, through - week)
        labels = ("Esta semana", "Semana passada")
        days = SHORT[0] if through == monday else f"seg a {SHORT[through.weekday()]}"
    a, b = _sums(demo_db, cid, *now), _sums(demo_db, cid, *before)
    reply = _ask(demo_db, question, cid)
    assert reply.intent == "trends"
    lines = reply.text.splitlines()
    span = {p: _d(p[0]) if p[0] == p[1] else f"{_d(p[0])} a {_d(p[1])}" for p in (now, before)}
    changed = (
        f"Variação da semana passada para esta ({days}): "
        if labels[0] == "Esta semana"
        else "Variação da semana retrasada para a passada: "
    )
    assert f"({span[now]})" in lines[1] and f"({span[before]})" in lines[1], lines[1]
    if labels[0] == "Esta semana":
        assert lines[1].startswith(f"Comparo {days} desta semana ({span[now]}) com {days} da passada")
    else:
        assert lines[1].startswith(f"Hoje ({_d(today)}) é segunda: esta semana ainda não tem dia completo.")
    for line, label, p, s in ((lines[2], labels[0], now, a), (lines[3], labels[1], before, b)):
        figures = f"{format_money(s['spend'])} investidos, {leads_of(int(s['leads']))}"
        head = f"{label}, {days} ({span[p]}): {figures}"
        assert line.startswith(f"{head}, CPL {format_money(s['spend'] / s['leads'])}"), line
    assert lines[0] == (
        # the changes first (agent42), the weeks named
        f"{changed}gasto {_change(a['spend'], b['spend'])}, leads {_change(a['leads'], b['leads'])}, "
        f"CPL {_change(a['spend'] / a['leads'], b['spend'] / b['leads'])}."
    )
    assert "7 dias até" not in reply.text  # not the rolling 7 days


def test_the_last_7_days_against_the_7_before_stay_the_rolling_week(demo_db: DemoDb) -> None:
    cid, last = 1, demo_db.as_of
    now = _sums(demo_db, cid, last - dt.timedelta(days=6), last)
    before = _sums(demo_db, cid, last - dt.timedelta(days=13), last - dt.timedelta(days=7))
    reply = _ask(demo_db, "ultimos 7 dias vs 7 anteriores", cid)
    assert reply.intent == "trends"
    assert reply.text.startswith(
        f"CPL da conta: {format_money(now['spend'] / now['leads'])} nos 7 dias até {_d(last)}, contra "
        f"{format_money(before['spend'] / before['leads'])} na semana anterior"
    )


# ------------------------------------------------------------------ 2. the trend of the figure asked


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("qual a tendência de leads?", "leads"),
        ("qual a tendencia do gasto?", "spend"),
        ("tendência do CTR", "ctr"),
        ("como ta a evolução do custo por lead?", "cpl"),
    ],
)
def test_a_trend_question_about_one_figure_leads_with_that_figure(
    demo_db: DemoDb, question: str, metric: str
) -> None:
    cid, last = 1, demo_db.as_of
    s = [_sums(demo_db, cid, last - dt.timedelta(days=6 + k), last - dt.timedelta(days=k)) for k in (0, 7)]
    value = {
        "leads": lambda x: (x["leads"], f"{int(x['leads'])}"),
        "spend": lambda x: (x["spend"], format_money(x["spend"])),
        "ctr": lambda x: (x["clicks"] / x["impressions"], f"{x['clicks'] / x['impressions'] * 100:.2f}%"),
        "cpl": lambda x: (x["spend"] / x["leads"], format_money(x["spend"] / x["leads"])),
    }[metric]
    (now, now_text), (before, before_text) = value(s[0]), value(s[1])
    what = {"leads": "Os leads", "spend": "O gasto", "ctr": "O CTR", "cpl": "O CPL"}[metric]
    first = _ask(demo_db, question, cid).text.splitlines()[0]
    went = "subindo" if now > before else "caindo"
    verb = "estão" if metric == "leads" else "está"
    if metric == "ctr":
        now_text, before_text = now_text.replace(".", ","), before_text.replace(".", ",")
    head = f"{what} da conta {verb} "
    assert first.startswith(head + went) or first.startswith(head + "estável"), first
    assert f": {now_text} nos 7 dias até {_d(last)}, contra {before_text} nos 7 anteriores (" in first, first
    assert intents.classify_intent(question).metric == f"trend_{metric}_either"


# ------------------------------------------------------------------ 3. the buyer's re-score (agent8)


def test_the_cpl_of_desse_mes_is_the_months_not_the_weeks(demo_db: DemoDb) -> None:
    cid, last = 1, demo_db.as_of
    first = last.replace(day=1)
    s = _sums(demo_db, cid, first, last)
    line = _ask(demo_db, "qual o cpl desse mes?", cid).text.splitlines()[0]
    month = MONTHS[last.month - 1].replace("marco", "março").capitalize()
    assert line.startswith(
        f"{month} de {last.year} ({_d(first)} a {_d(last)}, {(last - first).days + 1} dias"
    ), line
    cpl = format_money(s["spend"] / s["leads"])
    # the CPL asked leads the month's figures (agent18)
    assert f": CPL {cpl}, {format_money(s['spend'])} investidos, {leads_of(int(s['leads']))}" in line


def test_are_the_data_up_to_date_in_informal_words_is_the_data_quality_answer(demo_db: DemoDb) -> None:
    reply = _ask(demo_db, "os dados tao atualizados?", 1)
    assert reply.intent == "data_quality"
    assert reply.text.startswith(f"Dados até {_d(demo_db.as_of)} (último dia completo)")


def _open_anomalies(db: DemoDb, cid: int, first: dt.date | None = None) -> list[tuple[str, str, str]]:
    """(campaign, type, severity) of the account's open anomalies from `first` (the 7 days up to the last
    day unless given) on."""
    a = schema.ml_anomalies
    since = dt.datetime.combine(first or db.as_of - dt.timedelta(days=6), dt.time())
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(a.c.entity_id, a.c.anomaly_type, a.c.severity).where(
                a.c.config_id == cid, a.c.anomaly_date >= since, a.c.is_acknowledged.isnot(True)
            )
        ).all()
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


@pytest.mark.parametrize("cid", [1, 2, 3])
def test_any_anomaly_this_week_lists_the_anomalies_first_without_the_cpl_factors(
    demo_db: DemoDb, cid: int
) -> None:
    # "essa semana" is the calendar week up to the last complete day (agent9); asked on a Monday, last
    # week whole, said so first
    through = demo_db.as_of
    today = through + dt.timedelta(days=1)
    monday = today - dt.timedelta(days=today.weekday())
    if today == monday:
        since, when = monday - dt.timedelta(days=7), "na semana passada, de segunda a domingo"
    else:
        day = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado")[through.weekday()]
        since, when = (
            monday,
            "nesta semana, só segunda" if through == monday else f"nesta semana, de segunda a {day}",
        )
    when += f" ({_d(since)})" if since == through else f" ({_d(since)} a {_d(through)})"
    found = _open_anomalies(demo_db, cid, since)
    n, alerts = len(found), len({(c, t) for c, t, _ in found})
    text = _ask(demo_db, "teve alguma anomalia essa semana?", cid).text
    lines = text.splitlines()
    if today == monday:
        assert lines.pop(0).startswith(
            f"Hoje ({_d(today)}) é segunda: esta semana ainda não tem dia completo"
        )
    first = lines[0]
    if n == 0:
        assert first == f"Nenhuma anomalia aberta {when}."
    elif n == 1:
        assert first == f"1 anomalia aberta {when}; é esta:"
    elif alerts == n:
        assert first == f"{n} anomalias abertas {when}; as principais:"
    else:  # one line a campaign and kind (test_asks43)
        grouped = f"{n} anomalias abertas {when}, em {alerts} alertas (campanha e tipo, "
        assert first.startswith(grouped), first
    assert "Por que o CPL mudou" not in text  # the CPL was not asked about


def test_why_did_the_cpl_rise_says_first_when_it_did_not(demo_db: DemoDb) -> None:
    last, checked = demo_db.as_of, 0
    for cid in (1, 2, 3):
        numbers = _numbered(demo_db, cid)
        weeks = {
            k: _by_campaign(demo_db, cid, last - dt.timedelta(days=6 + k), last - dt.timedelta(days=k))
            for k in (0, 7)
        }
        for c, n in sorted(numbers.items()):
            now, before = weeks[0].get(c), weeks[7].get(c)
            if not (now and before and now["leads"] and before["leads"]):
                continue
            a, b = now["spend"] / now["leads"], before["spend"] / before["leads"]
            if a >= b * 0.98:  # a clear fall only: "-1%" or less, never a rounding to 0%
                continue
            first = _ask(demo_db, f"por que o CPL da campanha {n} subiu?", cid).text.splitlines()[0]
            assert first == (
                f"O CPL da campanha não subiu nos 7 dias até {_d(last)}: caiu, de {format_money(b)} nos 7 "
                f"anteriores para {format_money(a)} ({_change(a, b)})."
            )
            checked += 1
            break
    assert checked, "some campaign's CPL fell in the demo"


def _by_campaign(db: DemoDb, cid: int, first: dt.date, last: dt.date) -> dict[str, dict[str, float]]:
    daily = cleaned_daily(db.engine, [cid], last, (last - first).days + 1, now=db.now)
    d = daily.filter(pl.col("date").is_between(first, last))
    g = d.group_by("campaign_id").agg(pl.col("spend").sum(), pl.col("leads").sum())
    return {
        r["campaign_id"]: {"spend": float(r["spend"] or 0), "leads": int(r["leads"] or 0)}
        for r in g.to_dicts()
    }


def test_should_i_pause_a_campaign_says_what_the_active_advice_is_first(demo_db: DemoDb) -> None:
    seen = set()
    for cid in (1, 2, 3):
        names, numbers = _names(demo_db, cid), _numbered(demo_db, cid)
        types: dict[str, set[str]] = {}
        for c, t in _active_recs(demo_db, cid):
            types.setdefault(c, set()).add(t)
        for c, ts in sorted(types.items()):
            if c not in numbers:
                continue
            if "PAUSE_CAMPAIGN" in ts:
                want, kind = f"Sim: o pipeline recomenda pausar “{names[c]}”.", "pause"
            elif "BUDGET_DECREASE" in ts:
                want, kind = (
                    f"Reduzir o orçamento, não pausar: é o que o pipeline recomenda para “{names[c]}”.",
                    "cut",
                )
            elif ts & {"SCALE_UP", "BUDGET_INCREASE"}:
                want, kind = f"Não: o pipeline recomenda escalar “{names[c]}”, não cortar.", "scale"
            else:
                continue
            if kind in seen:
                continue
            first = _ask(demo_db, f"devo pausar a campanha {numbers[c]}?", cid).text.splitlines()[0]
            assert first.startswith(want), first
            seen.add(kind)
    assert seen, "the demo has active pause, decrease or scale advice"


def test_scaling_a_campaign_with_an_open_critical_problem_is_no(demo_db: DemoDb) -> None:
    checked = 0
    for cid in (1, 2, 3):
        numbers = _numbered(demo_db, cid)
        critical: dict[str, int] = {}
        for c, kind, severity in _open_anomalies(demo_db, cid):
            if severity == "CRITICAL" and kind not in {"PERFORMANCE_SPIKE", "CPL_DROP", "CTR_SPIKE"}:
                critical[c] = critical.get(c, 0) + 1
        for c, k in sorted(critical.items()):
            if c not in numbers:
                continue
            first = _ask(demo_db, f"posso aumentar o orçamento da campanha {numbers[c]} em 30%?", cid).text
            first = first.splitlines()[0]
            assert first.startswith("Não: "), first
            many = f"{k} anomalia{'s' if k != 1 else ''} crítica{'s' if k != 1 else ''}"
            assert f"e tem {many} aberta{'s' if k != 1 else ''} nos últimos 7 dias" in first, first
            assert first.endswith("resolva antes de escalar.")
            checked += 1
            break
    assert checked, "the demo has a campaign with an open critical anomaly"
