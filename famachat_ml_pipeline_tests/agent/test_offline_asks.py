"""Questions a media buyer asks that the offline agent misrouted (outside review at 6002832), on real
databases: each answer's figure is checked against the tables, computed here on its own."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from famachat_ml_pipeline.agent.answers import generate_response
from famachat_ml_pipeline.agent.intents import Intent, classify_intent
from famachat_ml_pipeline.agent.intents_periods import black_friday, resolve_day, resolve_period
from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.agent.types import ToolCall
from famachat_ml_pipeline.core.recommendations import format_money, format_number
from famachat_ml_pipeline.core.recommendations.text_ptbr import WEEKDAYS_PT
from famachat_ml_pipeline.core.recommendations.text_ptbr import days_text as _days
from famachat_ml_pipeline.db.agent_queries import read_latest_predictions
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, cleaned_daily, leads_of
from famachat_ml_pipeline_tests.agent.test_offline import _features, _names
from famachat_ml_pipeline_tests.agent.test_offline_answers import _first_day, _left_out

pytestmark = pytest.mark.timeout(1200)
CID = 2


def _ask(db: DemoDb, question: str, cid: int = CID):  # noqa: ANN202
    return open_agent(db.engine, cid, db.settings, mode="offline", now=db.now).ask(question)


def _source(db: DemoDb, first: dt.date, last: dt.date) -> pl.DataFrame:
    """The cleaned source rows of first..last (set-aside days have null metrics)."""
    daily = cleaned_daily(db.engine, [CID], last, (last - first).days + 1, now=db.now)
    return daily.filter(pl.col("date").is_between(first, last))


def _by_campaign(db: DemoDb, first: dt.date, last: dt.date) -> pl.DataFrame:
    return (
        _source(db, first, last)
        .group_by("campaign_id")
        .agg(pl.col("spend").sum(), pl.col("leads").sum())
        .sort(["spend", "campaign_id"], descending=[True, False])
    )


# ------------------------------------------------------------------ 1. "which campaign ... <condition>"


def test_which_campaign_spent_most_on_a_day_or_period_is_ranked_by_it(demo_db: DemoDb) -> None:
    names = _names(demo_db, CID)
    day = demo_db.as_of
    top = _by_campaign(demo_db, day, day).row(0, named=True)
    reply = _ask(demo_db, "qual campanha gastou mais ontem?")
    first = reply.text.splitlines()[0]
    assert first.startswith(f"A campanha que mais gastou em {day:%d/%m/%Y}: “{names[top['campaign_id']]}”")
    assert f"{format_money(top['spend'])} gastos, {leads_of(top['leads'])}" in first
    # the month of the last complete day, from its first day (or the data's) to that day
    month_first = day.replace(day=1)
    top = _by_campaign(demo_db, month_first, day).row(0, named=True)
    first = _ask(demo_db, "qual campanha gastou mais esse mês?").text.splitlines()[0]
    assert first.startswith("A campanha que mais gastou em ")
    assert f"({month_first:%d/%m/%Y} a {day:%d/%m/%Y}" in first
    assert (
        f"“{names[top['campaign_id']]}” ({top['campaign_id']}): {format_money(top['spend'])} gastos" in first
    )
    # without a day it stays the 7-day ranking of the features
    feats = _features(demo_db, CID)
    week = max(feats, key=lambda c: float(feats[c].get("spend_7d") or 0.0))
    assert _ask(demo_db, "qual campanha gasta mais?").text.startswith(
        f"A campanha que mais gastou nos 7 dias: “{names[week]}”"
    )


@pytest.mark.parametrize(
    ("question", "above", "limit"),
    [
        ("quais campanhas têm CPL acima de R$ 50?", True, 50.0),
        ("quais campanhas estão com custo por lead abaixo de 20?", False, 20.0),
    ],
)
def test_campaigns_past_a_cpl_are_exactly_those_of_the_features(
    demo_db: DemoDb, question: str, above: bool, limit: float
) -> None:
    feats, names = _features(demo_db, CID), _names(demo_db, CID)
    cpl = {c: f["spend_7d"] / f["leads_7d"] for c, f in feats.items() if f.get("leads_7d")}
    expected = {c for c, v in cpl.items() if (v > limit if above else v < limit)}
    reply = _ask(demo_db, question)
    assert reply.intent == "cpl_rank"
    head = reply.text.splitlines()[0]
    where = "acima" if above else "abaixo"
    if expected:
        n = len(expected)
        assert head.startswith(
            f"{n} campanha{'s' if n != 1 else ''} com CPL {where} de {format_money(limit)}"
        )
    else:
        assert head.startswith(f"Nenhuma campanha teve CPL {where} de {format_money(limit)}")
    listed = {c for c in feats if f"“{names[c]}” ({c}): " in reply.text}
    assert listed == expected
    for c in expected:
        assert f"({c}): " in reply.text and format_money(cpl[c]) in reply.text


def test_no_campaign_past_a_cpl_says_none(demo_db: DemoDb) -> None:
    text = _ask(demo_db, "quais campanhas têm CPL acima de R$ 100.000?").text
    assert text.startswith("Nenhuma campanha teve CPL acima de R$ 100.000,00 nos 7 dias até ")


# ------------------------------------------------------------------ 2. the daily average


def _per_day(db: DemoDb, first: dt.date, last: dt.date) -> tuple[float, int, int]:
    """(spend, leads, days with data) of first..last: a day with data has a valid source row."""
    d = _source(db, first, last)
    days = d.filter(pl.col("has_row") & pl.col("spend").is_not_null())["date"].n_unique()
    return float(d["spend"].sum() or 0.0), int(d["leads"].sum() or 0), days


def _num1(value: float) -> str:
    return f"{value:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")


@pytest.mark.parametrize(
    "question", ["qual a média de leads por dia?", "média de gasto por dia", "média diária"]
)
def test_the_daily_average_is_over_the_last_7_days_with_data(demo_db: DemoDb, question: str) -> None:
    last = demo_db.as_of
    first = last - dt.timedelta(days=6)
    spend, leads, days = _per_day(demo_db, first, last)
    reply = _ask(demo_db, question)
    assert reply.intent == "daily_average"
    assert reply.text.startswith(
        f"Média diária nos últimos 7 dias ({first:%d/%m/%Y} a {last:%d/%m/%Y}, {days} dias com dados): "
        f"{format_money(spend / days)} de gasto e {_num1(leads / days)} leads por dia"
    )
    assert f"no total, {format_money(spend)} e {leads_of(leads)}" in reply.text


def test_the_daily_average_of_this_month(demo_db: DemoDb) -> None:
    last = demo_db.as_of
    first = last.replace(day=1)
    spend, leads, days = _per_day(demo_db, first, last)
    text = _ask(demo_db, "qual a média diária de leads esse mês?").text
    assert text.startswith("Média diária em ")
    assert f"({first:%d/%m/%Y} a {last:%d/%m/%Y}, {days} dias com dados" in text
    assert f"{format_money(spend / days)} de gasto e {_num1(leads / days)} leads por dia" in text


# ------------------------------------------------------------------ 3. the best weekday


def test_the_best_weekday_is_read_from_the_last_4_weeks(demo_db: DemoDb) -> None:
    last = demo_db.as_of
    first = last - dt.timedelta(days=27)
    by_day = (
        _source(demo_db, first, last)
        .group_by(pl.col("date").dt.weekday().alias("wd"))
        .agg(pl.col("spend").sum(), pl.col("leads").sum())
        .with_columns(cpl=pl.col("spend") / pl.col("leads"))
    )
    rows = sorted(by_day.iter_rows(named=True), key=lambda r: r["cpl"])
    for question in ("qual o melhor dia da semana?", "qual dia da semana tem o menor CPL?"):
        reply = _ask(demo_db, question)
        assert reply.intent == "weekday"
        lines = reply.text.splitlines()
        assert lines[0].startswith(
            "Melhor dia da semana (menor CPL) nas últimas 4 semanas completas "
            f"({first:%d/%m/%Y} a {last:%d/%m/%Y}"
        )
        best = rows[0]
        assert lines[0].endswith(
            f": {WEEKDAYS_PT[best['wd'] - 1]}, CPL {format_money(best['cpl'])}, {leads_of(best['leads'])}, "
            f"{format_money(best['spend'])} gastos."
        )
        # every weekday, best first
        assert [line[2:].split(":")[0] for line in lines[2:9]] == [WEEKDAYS_PT[r["wd"] - 1] for r in rows]
    most = max(by_day.iter_rows(named=True), key=lambda r: r["leads"])
    first_line = _ask(demo_db, "qual dia da semana traz mais leads?").text.splitlines()[0]
    assert f": {WEEKDAYS_PT[most['wd'] - 1]}, " in first_line and f"{leads_of(most['leads'])}" in first_line


# ------------------------------------------------------------------ 4. up to the month's end, Black Friday


def _month_last(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def test_up_to_the_months_end_sums_the_stored_forecast(demo_db: DemoDb) -> None:
    agent = open_agent(demo_db.engine, CID, demo_db.settings, mode="offline", now=demo_db.now)
    first, last = demo_db.as_of + dt.timedelta(days=1), _month_last(demo_db.as_of)
    if last < first:
        pytest.skip("the demo's last day ends its month")
    rows = read_latest_predictions(demo_db.engine, CID, sorted(agent.ctx.campaigns))
    sums: dict[str, list[float]] = {"spend": [0.0, 0.0, 0.0], "leads": [0.0, 0.0, 0.0]}
    covered = []
    for r in rows:
        for p in r["predictions"] if r["target_metric"] in sums else []:
            if first.isoformat() <= p["date"][:10] <= last.isoformat():
                covered.append(p["date"][:10])
                for i, k in enumerate(("predicted", "lower", "upper")):
                    sums[r["target_metric"]][i] += float(p[k] or 0.0)
    spend, leads = sums["spend"], sums["leads"]
    for question in ("quanto vou gastar até o fim do mês?", "quantos leads até o fim do mês?"):
        reply = _ask(demo_db, question)
        assert reply.intent == "forecast"
        # after what the month closes at (test_offline_asks8), the forecast of the days left
        (head,) = [x for x in reply.text.splitlines() if x.startswith("Até o fim do mês")]
        end = dt.date.fromisoformat(max(covered))
        days = f"{first:%d/%m/%Y}" if first == end else f"{first:%d/%m/%Y} a {end:%d/%m/%Y}"  # one day once
        assert head.startswith(f"Até o fim do mês ({days}), pela previsão do pipeline")
        assert (
            f"{format_money(spend[0])} de gasto ({format_money(spend[1])} a {format_money(spend[2])})" in head
        )
        # a count of leads said whole (agent27), its summed bounds as stored
        whole = format_number(round(leads[0]), 0)
        assert f"cerca de {whole} leads ({_num1(leads[1])} a {_num1(leads[2])})" in head
        assert (f"A previsão guardada cobre só até {end:%d/%m/%Y}" in reply.text) == (end < last)
        month_spend, month_leads, _ = _per_day(demo_db, demo_db.as_of.replace(day=1), demo_db.as_of)
        assert f"{format_money(month_spend)} investidos, {leads_of(month_leads)}" in reply.text


def short_horizon_forecast() -> tuple[dt.date, ToolCall]:
    """Asked on 10/11: a stored 7-day forecast that ends on 17/11, before the month does."""
    forecasts = {
        "made_on": "2026-11-10",
        "total": 1,
        "account_totals": {"spend": "R$ 700,00", "leads": "30,0"},
        "account_low": {"spend": "R$ 600,00", "leads": "20,0"},
        "account_high": {"spend": "R$ 800,00", "leads": "40,0"},
        "forecasts": [{"first_day": "2026-11-11", "last_day": "2026-11-17"}],
    }
    call = ToolCall(name="get_forecasts", input={"first_day": "2026-11-11"}, output=forecasts)
    return dt.date(2026, 11, 10), call


def test_a_horizon_short_of_the_months_end_says_up_to_which_day() -> None:
    through, call = short_horizon_forecast()
    facts = {"_through": through, "_period": resolve_period("esse mes", through)}
    text = generate_response(Intent("forecast", metric="month_end"), [call], [], facts)
    # the forecast's 7 days (R$ 100,00 a day) carried to the 30th at that pace, said as an extrapolation
    assert text.startswith(
        "Novembro de 2026 deve fechar em cerca de R$ 2.000,00 de gasto até 30/11/2026: R$ 700,00 previstos "
        "pelo pipeline (11/11/2026 a 17/11/2026) + R$ 1.300,00 nos 13 dias seguintes (18/11/2026 a "
        "30/11/2026)"
    ), text
    assert "Nos dias da previsão (11/11/2026 a 17/11/2026)" in text
    assert "A previsão guardada cobre só até 17/11/2026; o mês vai até 30/11/2026" in text


def test_black_friday_is_the_day_after_the_4th_thursday_of_november(demo_db: DemoDb) -> None:
    assert black_friday(2026) == dt.date(2026, 11, 27) and black_friday(2025) == dt.date(2025, 11, 28)
    assert resolve_day("black friday", dt.date(2026, 11, 29)) == dt.date(2026, 11, 27)
    assert resolve_day("black friday", dt.date(2027, 2, 1)) == dt.date(2026, 11, 27)
    assert classify_intent("como está a campanha Black Friday?").day_ref is None
    today = demo_db.as_of + dt.timedelta(days=1)
    day = resolve_day("black friday", today)
    if not _first_day(demo_db) <= day <= demo_db.as_of:
        pytest.skip("the demo does not cover Black Friday")
    spend, leads, _ = _per_day(demo_db, day, day)
    text = _ask(demo_db, "quanto gastei na black friday?").text
    assert text.startswith(f"Em {day:%d/%m/%Y}: {format_money(spend)} investidos, {leads_of(leads)}")


# ------------------------------------------------------------------ 5. CPM


def test_the_cpm_is_spend_per_thousand_impressions_over_7_days(demo_db: DemoDb) -> None:
    last = demo_db.as_of

    def cpm(first: dt.date, end: dt.date) -> float:
        d = _source(demo_db, first, end)
        return float(d["spend"].sum()) / float(d["impressions"].sum()) * 1000.0

    now = cpm(last - dt.timedelta(days=6), last)
    before = cpm(last - dt.timedelta(days=13), last - dt.timedelta(days=7))
    reply = _ask(demo_db, "qual o CPM?")
    assert reply.intent == "performance"
    assert reply.text.startswith(
        f"CPM da conta (gasto por mil impressões): {format_money(now)} nos 7 dias até {last:%d/%m/%Y}, "
        f"contra {format_money(before)} na semana anterior"
    )
    assert (": caiu (" if now < before else ": subiu (") in reply.text.splitlines()[0]


# ------------------------------------------------------------------ 7. audiences


@pytest.mark.parametrize(
    "question", ["qual o CPL por público?", "qual audiência performa melhor?", "qual público converte mais?"]
)
def test_an_audience_question_says_the_data_has_no_audience_breakdown(demo_db: DemoDb, question: str) -> None:
    from famachat_ml_pipeline.source.tables import campaigns_table, insights_table

    columns = {c.name for t in (insights_table, campaigns_table) for c in t.columns}
    assert not any(w in c for c in columns for w in ("audience", "adset", "age", "gender", "publico"))
    reply = _ask(demo_db, question)
    assert reply.intent == "audience" and reply.tool_calls == ()
    assert reply.text.startswith("Os dados desta conta não têm quebra por público")
    assert len(reply.text.splitlines()) == 1


# ------------------------------------------------------------------ 6. totals lowered by set-aside rows


def test_totals_without_orphan_campaign_rows_and_set_aside_days_say_so(demo_db: DemoDb) -> None:
    import sqlalchemy as sa

    from famachat_ml_pipeline.source.tables import insights_table as i

    day = demo_db.as_of - dt.timedelta(days=3)
    last30 = "quanto gastei nos últimos 30 dias?"
    roi = "ROI com R$ 80 por lead"
    # the demo's own dirty rows may fall in the windows, depending on the day the suite runs
    before = {question: _left_out(_ask(demo_db, question).text) for question in (last30, roi)}
    with demo_db.engine.connect() as conn:
        row = conn.execute(
            sa.select(i.c.id, i.c.spend).where(i.c.config_id == CID, i.c.date_start == day).limit(1)
        ).one()
    orphan = {
        "config_id": CID,
        "campaign_id": "999999999999999",  # in no campaigns row of the account
        "date_start": day,
        "date_stop": day,
        "spend": 100,
        "impressions": 1000,
        "clicks": 10,
        "reach": 800,
        "leads": 3,
    }
    with demo_db.engine.begin() as conn:
        conn.execute(i.insert().values(**orphan))
        conn.execute(i.update().where(i.c.id == row.id).values(spend=-5))  # set aside as invalid
    try:
        first = demo_db.as_of - dt.timedelta(days=29)
        d = _source(demo_db, first, demo_db.as_of)
        spend, leads = float(d["spend"].sum()), int(d["leads"].sum())
        invalid, orphans = before[last30][0] + 1, before[last30][1] + 1
        note = (
            f"sem {_days(invalid)} de campanha cujos dados a fonte trouxe inválidos "
            f"e sem {_days(orphans)} de campanha ausente da tabela de campanhas"
        )
        text = _ask(demo_db, last30).text
        assert text.startswith(
            f"De {first:%d/%m/%Y} a {demo_db.as_of:%d/%m/%Y} (30 dias): {format_money(spend)}"
        )
        assert f"{leads_of(leads)}, CPL {format_money(spend / leads)} ({note})" in text.splitlines()[0]
        reply = _ask(demo_db, roi)
        assert reply.intent == "roi"
        assert (
            f"{leads_of(leads)} x R$ 80,00" in reply.text
            and f"contra {format_money(spend)} investidos" in reply.text
        )
        roi_invalid, roi_orphans = before[roi][0] + 1, before[roi][1] + 1
        roi_note = (
            f"sem {_days(roi_invalid)} de campanha cujos dados a fonte trouxe inválidos "
            f"e sem {_days(roi_orphans)} de campanha ausente da tabela de campanhas"
        )
        assert f"Gasto e leads {roi_note}." in reply.text
        out = reply.tool_calls[0].output
        assert (out["days_set_aside"], out["orphan_days"]) == (roi_invalid, roi_orphans)
    finally:
        with demo_db.engine.begin() as conn:
            conn.execute(i.delete().where(i.c.config_id == CID, i.c.campaign_id == orphan["campaign_id"]))
            conn.execute(i.update().where(i.c.id == row.id).values(spend=row.spend))
