"""Offline answers the reviewer found wrong, on real databases: a named day's anomalies, a campaign name
that is not the account's, and an account the pipeline has not run for yet."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.answers_anomalies import TYPE_PT
from famachat_ml_pipeline.agent.intents_periods import MONTHS, WEEKDAYS
from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.agent.tools.campaigns import is_active
from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.agent_queries import read_latest_predictions
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline.source.tables import insights_table
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, cleaned_daily, leads_of
from famachat_ml_pipeline_tests.agent.test_offline import _features, _names

pytestmark = pytest.mark.timeout(1200)
CID = 2


def _ask(db: DemoDb, question: str, cid: int = CID):  # noqa: ANN202
    return open_agent(db.engine, cid, db.settings, mode="offline", now=db.now).ask(question)


def test_anomalies_of_yesterday_are_that_days(demo_db: DemoDb) -> None:
    a = schema.ml_anomalies
    with demo_db.engine.connect() as conn:
        n = conn.execute(
            sa.select(sa.func.count()).where(
                a.c.config_id == CID,
                a.c.is_acknowledged.isnot(True),
                a.c.anomaly_date == dt.datetime.combine(demo_db.as_of, dt.time()),
            )
        ).scalar_one()
    reply = _ask(demo_db, "Teve alguma anomalia ontem?")
    day = demo_db.as_of.strftime("%d/%m/%Y")
    first = reply.text.splitlines()[0]
    if n:
        assert first.startswith(f"{n} anomalia") and first.endswith(f"em {day}:")
    else:
        assert first == f"Não: nenhuma anomalia em {day}."  # a yes/no question (agent42)
    assert reply.tool_calls[0].input["day"] == demo_db.as_of.isoformat()


def test_a_campaign_name_not_in_the_account_is_not_found(demo_db: DemoDb) -> None:
    reply = _ask(demo_db, "Como está a campanha Black Friday Mega Promo?")
    assert reply.intent == "campaign_not_found"
    assert reply.text.startswith("Não encontrei campanha com esse nome nesta conta.")


def test_a_campaign_name_in_the_account_gives_its_details(demo_db: DemoDb) -> None:
    c = schema.ml_features
    with demo_db.engine.connect() as conn:
        cid = conn.execute(sa.select(c.c.campaign_id).where(c.c.config_id == CID).limit(1)).scalar_one()
    name = open_agent(demo_db.engine, CID, demo_db.settings, mode="offline", now=demo_db.now).ctx.name_of(cid)
    reply = _ask(demo_db, f"como está a campanha {name.upper()}?")
    assert reply.intent == "campaign_details" and f"({cid})" in reply.text


def test_before_the_first_run_no_zero_figures(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    data = generate_demo(n_accounts=1, days=40, seed=5)
    engine = get_engine(url)
    write_demo(engine, data)
    migrate(url)
    now = dt.datetime.combine(data.end_date + dt.timedelta(days=1), dt.time(12), dt.UTC)
    agent = open_agent(engine, 1, Settings(database_url=url), mode="offline", now=now)
    summary = agent.ask("resumo").text
    assert summary.startswith("Ainda não há resultados do pipeline")
    assert "R$ 0,00 investidos" not in summary and "0 críticas" not in summary
    assert "Da fonte: R$ " in summary  # the source's own spend, which holds before any run
    for question in ("Quais campanhas estão indo mal?", "alguma anomalia?", "previsão da semana"):
        text = agent.ask(question).text
        assert text.startswith("Ainda não há resultados do pipeline"), question
        assert "Nenhuma campanha está no tier crítico" not in text
    cid = sorted(agent.ctx.campaigns)[0]
    card = agent.ask(f"como está a campanha {cid}?").text
    assert card.startswith("Ainda não há resultados do pipeline"), card
    assert "None" not in card and "até -" not in card and "Da fonte: R$ " in card


def test_a_campaign_with_days_set_aside_says_its_week_is_short(demo_db: DemoDb) -> None:
    f = schema.ml_features
    with demo_db.engine.connect() as conn:
        day = conn.execute(sa.select(sa.func.max(f.c.feature_date)).where(f.c.config_id == CID)).scalar_one()
        row = conn.execute(
            sa.select(f.c.id, f.c.campaign_id, f.c.features).where(
                f.c.config_id == CID, f.c.window_days == 7, f.c.feature_date == day
            )
        ).first()
    assert row.features["days_with_data_7d"] == row.features["days_in_window_7d"] == 7
    assert "Atenção" not in _ask(demo_db, f"como está a campanha {row.campaign_id}?").text
    short = {**row.features, "days_with_data_7d": 2}  # 5 of its 7 days' source rows were set aside
    with demo_db.engine.begin() as conn:
        conn.execute(f.update().where(f.c.id == row.id).values(features=short))
    try:
        text = _ask(demo_db, f"como está a campanha {row.campaign_id}?").text
    finally:
        with demo_db.engine.begin() as conn:
            conn.execute(f.update().where(f.c.id == row.id).values(features=row.features))
    assert "Atenção: 5 dos últimos 7 dias desta campanha ficaram de fora" in text
    assert "cobrem só os outros 2." in text


# ------------------------------------------------------------------ judge 2's defects, on real databases


def _campaign_numbered(db: DemoDb) -> tuple[str, str]:
    """(campaign id, its number in "Campanha N") of a campaign with 7-day features in this account."""
    names = _names(db, CID)
    for cid in sorted(_features(db, CID)):
        m = re.search(r"Campanha (\d+)\b", names[cid])
        if m:
            return cid, m.group(1)
    raise AssertionError("the demo names its campaigns 'Campanha N'")


def test_a_campaign_number_followed_by_other_words_is_that_campaign(demo_db: DemoDb) -> None:
    cid, n = _campaign_numbered(demo_db)
    for question in (f"como anda a campanha {n} essa semana?", f"a campanha {n} rendeu bem?"):
        reply = _ask(demo_db, question)
        assert reply.intent == "campaign_details" and f"({cid})" in reply.text, question
        assert "Não encontrei" not in reply.text
    assert _ask(demo_db, "tem alguma campanha sem lead gastando?").intent == "underperformers"
    assert _ask(demo_db, "alguma campanha merece mais verba?").intent == "recommendations"


def _first_day(db: DemoDb) -> dt.date:
    i = insights_table
    with db.engine.connect() as conn:
        value = conn.execute(sa.select(sa.func.min(i.c.date_start)).where(i.c.config_id == CID)).scalar_one()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def test_a_day_the_source_does_not_cover_is_never_zero(demo_db: DemoDb) -> None:
    later = demo_db.as_of + dt.timedelta(days=2)
    text = _ask(demo_db, f"quanto gastei dia {later:%d/%m}?").text
    assert text.startswith(
        f"{later:%d/%m/%Y} ainda não chegou; o último dia completo é {demo_db.as_of:%d/%m/%Y}"
    )
    first = _first_day(demo_db)
    before = first - dt.timedelta(days=1)
    text = _ask(demo_db, f"quanto gastei em {before:%d/%m/%Y}?").text
    assert text.startswith(f"{before:%d/%m/%Y}: não há dados antes de {first:%d/%m/%Y}.")
    assert "R$ 0,00 investidos" not in text
    today = _ask(demo_db, "quanto gastei hoje?").text
    assert today.startswith(f"Hoje, {demo_db.as_of + dt.timedelta(days=1):%d/%m/%Y} (parcial")


def _source_day(db: DemoDb, cid: str | None, first: dt.date, last: dt.date) -> tuple[float, int]:
    daily = cleaned_daily(db.engine, [CID], last, (last - first).days + 1, now=db.now)
    if cid is not None:
        daily = daily.filter(pl.col("campaign_id") == cid)
    daily = daily.filter(pl.col("date").is_between(first, last))
    return float(daily["spend"].sum() or 0.0), int(daily["leads"].sum() or 0)


def test_a_campaign_and_a_day_give_that_campaigns_day(demo_db: DemoDb) -> None:
    cid, n = _campaign_numbered(demo_db)
    spend, leads = _source_day(demo_db, cid, demo_db.as_of, demo_db.as_of)
    text = _ask(demo_db, f"custo por lead da campanha {n} ontem").text
    assert f"Em {demo_db.as_of:%d/%m/%Y}, “" in text
    assert f"{format_money(spend)} investidos, {leads_of(leads)}" in text


def test_a_period_other_than_7_days_is_read_from_the_source(demo_db: DemoDb) -> None:
    first = demo_db.as_of - dt.timedelta(days=29)
    spend, leads = _source_day(demo_db, None, first, demo_db.as_of)
    text = _ask(demo_db, "quanto gastei nos últimos 30 dias?").text
    assert text.startswith(f"De {first:%d/%m/%Y} a {demo_db.as_of:%d/%m/%Y} (30 dias): {format_money(spend)}")
    assert f"{leads_of(leads)}" in text.splitlines()[0]


def test_a_date_range_is_read_whole_from_the_source(demo_db: DemoDb) -> None:
    first, last = demo_db.as_of - dt.timedelta(days=20), demo_db.as_of - dt.timedelta(days=6)
    spend, leads = _source_day(demo_db, None, first, last)
    reply = _ask(demo_db, f"quanto gastei de {first:%d/%m} a {last:%d/%m}?")
    head = reply.text.splitlines()[0]
    assert head.startswith(
        f"O período pedido ({first:%d/%m/%Y} a {last:%d/%m/%Y}, 15 dias): {format_money(spend)}"
    )
    assert f"{leads_of(leads)}" in head  # not the first day's figures


def test_the_active_campaigns_are_listed_as_active(demo_db: DemoDb) -> None:
    reply = _ask(demo_db, "quais campanhas estão ativas?")
    out = reply.tool_calls[0].output
    assert reply.tool_calls[0].input["status"] == "active"
    assert reply.text.startswith(f"{out['total']} campanhas ativas nesta conta")
    assert all(c["status"] not in ("PAUSED", "ARCHIVED", "DELETED") for c in out["campaigns"])


def test_the_highest_cpl_campaign_is_the_features(demo_db: DemoDb) -> None:
    feats, names = _features(demo_db, CID), _names(demo_db, CID)
    priced = {c: f["spend_7d"] / f["leads_7d"] for c, f in feats.items() if f["leads_7d"]}
    worst = max(priced, key=priced.__getitem__)
    reply = _ask(demo_db, "qual campanha tem o CPL mais alto?")
    assert reply.intent == "cpl_rank"
    first = reply.text.splitlines()[0]
    assert names[worst] in first and format_money(priced[worst]) in first
    # "spent with no lead" names only campaigns that spent (a paused one's "R$ 0,00" is not spend)
    idle = {names[c] for c, f in feats.items() if not f["leads_7d"] and (f["spend_7d"] or 0) > 0}
    said = next((line for line in reply.text.splitlines() if line.startswith("Gastaram sem nenhum lead")), "")
    assert {n for n in names.values() if f"“{n}”" in said} == idle


def test_campaign_or_campaign_compares(demo_db: DemoDb) -> None:
    feats, names = _features(demo_db, CID), _names(demo_db, CID)
    nums = [m.group(1) for c in sorted(feats) if (m := re.search(r"Campanha (\d+)\b", names[c]))][:2]
    reply = _ask(demo_db, f"campanha {nums[0]} ou campanha {nums[1]}, qual é melhor?")
    assert reply.intent == "compare" and len(reply.tool_calls[0].output["campaigns"]) == 2


def test_campaign_anomalies_are_pt_br(demo_db: DemoDb) -> None:
    a = schema.ml_anomalies
    since = dt.datetime.combine(demo_db.as_of - dt.timedelta(days=6), dt.time())
    with demo_db.engine.connect() as conn:
        row = conn.execute(
            sa.select(a.c.entity_id, a.c.anomaly_type, a.c.anomaly_date).where(
                a.c.config_id == CID, a.c.is_acknowledged.isnot(True), a.c.anomaly_date >= since
            )
        ).first()
    if row is None:
        pytest.skip("no open anomaly this week in the demo account")
    text = _ask(demo_db, f"como está a campanha {row.entity_id}?").text
    day = (
        row.anomaly_date
        if isinstance(row.anomaly_date, dt.date)
        else dt.date.fromisoformat(str(row.anomaly_date)[:10])
    )
    assert f"{TYPE_PT[row.anomaly_type]} em “" in text and f"({day:%d/%m/%Y})" in text
    assert f"{row.anomaly_type} (" not in text and "- Anomalia:" not in text


def test_should_i_pause_a_critical_campaign_without_recommendation(demo_db: DemoDb) -> None:
    t, r = schema.ml_campaign_classifications, schema.ml_recommendations
    with demo_db.engine.connect() as conn:
        cid = conn.execute(
            sa.select(t.c.campaign_id).where(t.c.config_id == CID, t.c.tier == "UNDERPERFORMER").limit(1)
        ).scalar_one_or_none()
    if cid is None:
        pytest.skip("no critical campaign in the demo account")
    active = (r.c.config_id == CID) & (r.c.entity_id == cid) & r.c.is_active.is_(True)
    with demo_db.engine.begin() as conn:  # its recommendations set aside for the question, then restored
        ids = [x for (x,) in conn.execute(sa.select(r.c.id).where(active))]
        conn.execute(r.update().where(r.c.id.in_(ids)).values(is_active=False))
    try:
        text = _ask(demo_db, f"Devo pausar a campanha {cid}?").text
    finally:
        with demo_db.engine.begin() as conn:
            conn.execute(r.update().where(r.c.id.in_(ids)).values(is_active=True))
    # the verdict first (agent32): worth considering, the pipeline advising no pause, the tier said
    lines = text.splitlines()
    assert lines[0].startswith("Vale considerar pausar ou reduzir o orçamento: o pipeline não recomenda"), (
        lines
    )
    assert "mas ela está no tier crítico" in lines[0], lines
    assert "nenhuma recomendação ativa para ela agora." in lines[1], lines


def test_the_ctr_asked_is_answered_first(demo_db: DemoDb) -> None:
    reply = _ask(demo_db, "qual o ctr?")
    ctr = reply.tool_calls[0].output["last_7d"]["ctr"]
    assert ctr and reply.text.startswith(f"CTR da conta: {ctr} nos 7 dias até {demo_db.as_of:%d/%m/%Y}")


# ------------------------------------------------------------------ judge 3's defects, on real databases


def _label(month: int, year: int) -> str:
    return f"{MONTHS[month - 1].replace('marco', 'março').capitalize()} de {year}"


def test_a_month_named_is_that_calendar_month_from_the_source(demo_db: DemoDb) -> None:
    as_of, first_data = demo_db.as_of, _first_day(demo_db)
    # the month of the last complete day: partial unless that day ends the month
    start = max(as_of.replace(day=1), first_data)
    spend, leads = _source_day(demo_db, None, start, as_of)
    text = _ask(demo_db, f"quanto gastei em {MONTHS[as_of.month - 1]}?").text
    line = text.splitlines()[0]
    assert line.startswith(f"{_label(as_of.month, as_of.year)} ({start:%d/%m/%Y} a {as_of:%d/%m/%Y}")
    assert f"{format_money(spend)} investidos, {leads_of(leads)}" in line
    ends_month = (as_of + dt.timedelta(days=1)).month != as_of.month
    assert ("parcial: o período vai até" in line) == (not ends_month)
    # "resumo do mês": the same figures, then the week's summary
    summary = _ask(demo_db, "resumo do mês").text.splitlines()
    assert summary[0] == line and summary[1].startswith("Resumo da conta (7 dias")
    # the month before: whole when the data covers it
    last_prev = as_of.replace(day=1) - dt.timedelta(days=1)
    first_prev = last_prev.replace(day=1)
    spend, leads = _source_day(demo_db, None, max(first_prev, first_data), last_prev)
    line = _ask(demo_db, f"como foi {MONTHS[last_prev.month - 1]}?").text.splitlines()[0]
    assert line.startswith(
        f"{_label(last_prev.month, last_prev.year)} ({max(first_prev, first_data):%d/%m/%Y}"
    )
    assert f"{format_money(spend)} investidos, {leads_of(leads)}" in line
    # a month before the data
    before = (first_data.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    text = _ask(demo_db, f"quanto gastei em {MONTHS[before.month - 1]}?").text
    assert text.startswith(f"Não há dados de {MONTHS[before.month - 1]}".replace("marco", "março"))
    assert f"os dados começam em {first_data:%d/%m/%Y}" in text.splitlines()[0]


def test_a_weekday_and_last_week_are_read_from_the_source(demo_db: DemoDb) -> None:
    today = demo_db.as_of + dt.timedelta(days=1)
    day = today - dt.timedelta(days=3)  # the last such weekday before today
    spend, leads = _source_day(demo_db, None, day, day)
    text = _ask(demo_db, f"me fala o gasto de {WEEKDAYS[day.weekday()]}").text
    assert text.startswith(f"Em {day:%d/%m/%Y}: {format_money(spend)} investidos, {leads_of(leads)}")
    monday = today - dt.timedelta(days=today.weekday() + 7)
    spend, leads = _source_day(demo_db, None, monday, monday + dt.timedelta(days=6))
    text = _ask(demo_db, "qnto custou o lead semana passada?").text
    sunday = monday + dt.timedelta(days=6)
    # what the lead cost is the CPL, said first (agent41: was the spend first)
    assert text.startswith(
        f"Semana passada, de segunda a domingo ({monday:%d/%m/%Y} a {sunday:%d/%m/%Y}, "
        f"7 dias): CPL {format_money(spend / leads)}, {format_money(spend)} investidos, {leads_of(leads)}"
    )


def test_today_alone_and_tomorrows_forecast(demo_db: DemoDb) -> None:
    today = demo_db.as_of + dt.timedelta(days=1)
    reply = _ask(demo_db, "leads de hoje")
    assert reply.intent == "performance" and reply.text.startswith(f"Hoje, {today:%d/%m/%Y} (parcial")
    tomorrow = today + dt.timedelta(days=1)
    agent = open_agent(demo_db.engine, CID, demo_db.settings, mode="offline", now=demo_db.now)
    rows = read_latest_predictions(demo_db.engine, CID, sorted(agent.ctx.campaigns))
    leads = sum(
        float(p["predicted"] or 0.0)
        for r in rows
        if r["target_metric"] == "leads"
        for p in r["predictions"]
        if p["date"] == tomorrow.isoformat()
    )
    reply = _ask(demo_db, "quantos leads vou ter amanhã?")
    assert reply.intent == "forecast"
    # a forecast, said as one (agent31): "cerca de", the leads whole
    assert reply.text.startswith(
        f"Previsão para {tomorrow:%d/%m/%Y} (só esse dia): cerca de {round(leads)} leads"
    )


def test_words_after_campanha_that_name_nothing_never_get_the_help_menu(demo_db: DemoDb) -> None:
    feats, names = _features(demo_db, CID), _names(demo_db, CID)
    top = max(feats, key=lambda c: float(feats[c].get("spend_7d") or 0.0))
    reply = _ask(demo_db, "qual campanha gasta mais?")
    assert reply.intent == "list_campaigns"
    assert reply.text.startswith(f"A campanha que mais gastou nos 7 dias: “{names[top]}” ({top})")
    nums = [m.group(1) for c in sorted(feats) if (m := re.search(r"Campanha (\d+)\b", names[c]))][:2]
    reply = _ask(demo_db, f"campanha {nums[0]} vs campanha {nums[1]} qual gasta melhor")
    assert reply.intent == "compare" and len(reply.tool_calls[0].output["campaigns"]) == 2


def test_yes_no_questions_get_the_yes_or_no(demo_db: DemoDb) -> None:
    agent = open_agent(demo_db.engine, CID, demo_db.settings, mode="offline", now=demo_db.now)
    paused = {c["name"] for c in agent.ctx.campaigns.values() if not is_active(c)}
    text = _ask(demo_db, "quais campanhas tão pausadas?").text
    if paused:
        assert text.startswith(f"{len(paused)} campanha")
        assert {n for n in _names(demo_db, CID).values() if f"“{n}”" in text} == paused
    else:
        assert text.startswith("Nenhuma campanha pausada")
    cid, n = _campaign_numbered(demo_db)
    a = schema.ml_anomalies
    since = dt.datetime.combine(demo_db.as_of - dt.timedelta(days=6), dt.time())
    with demo_db.engine.connect() as conn:
        count = conn.execute(
            sa.select(sa.func.count()).where(
                a.c.config_id == CID,
                a.c.entity_id == cid,
                a.c.is_acknowledged.isnot(True),
                a.c.anomaly_date >= since,
            )
        ).scalar_one()
    first = _ask(demo_db, f"tem anomalia na campanha {n}?").text.splitlines()[0]
    name = _names(demo_db, CID)[cid]
    if count:
        assert first.startswith(f"{min(count, 5)} anomalia") and f"para “{name}” nos últimos 7 dias:" in first
    else:
        assert first == f"Não há anomalias abertas para “{name}” nos últimos 7 dias."


def test_an_invalid_date_is_said(demo_db: DemoDb) -> None:
    text = _ask(demo_db, "quanto gastei em 31/04?").text
    assert text.startswith("31/04 não é uma data válida")


def test_the_ctr_fell_is_the_ctr_trend(demo_db: DemoDb) -> None:
    as_of = demo_db.as_of
    daily = cleaned_daily(demo_db.engine, [CID], as_of, 14, now=demo_db.now)

    def ctr(first: dt.date, last: dt.date) -> float:
        d = daily.filter(pl.col("date").is_between(first, last))
        return float(d["clicks"].sum()) / float(d["impressions"].sum())

    now, before = (
        ctr(as_of - dt.timedelta(days=6), as_of),
        ctr(as_of - dt.timedelta(days=13), as_of - dt.timedelta(days=7)),
    )
    reply = _ask(demo_db, "o ctr caiu?")
    assert reply.intent == "performance" and reply.text.startswith(("Sim: o CTR da conta foi ", "Não: o CTR"))
    assert (": caiu (" if now < before else ": subiu (") in reply.text.splitlines()[0]


def test_a_period_with_set_aside_days_says_so(demo_db: DemoDb) -> None:
    i = insights_table
    day = demo_db.as_of - dt.timedelta(days=3)
    question = "quanto gastei nos últimos 30 dias?"
    # the demo's own dirty rows may fall in the window, depending on the day the suite runs
    before = _left_out(_ask(demo_db, question).text)
    with demo_db.engine.connect() as conn:
        row = conn.execute(
            sa.select(i.c.id, i.c.spend).where(i.c.config_id == CID, i.c.date_start == day).limit(1)
        ).one()
    with demo_db.engine.begin() as conn:  # a negative spend: the row is set aside, its day unknown
        conn.execute(i.update().where(i.c.id == row.id).values(spend=-5))
    try:
        text = _ask(demo_db, question).text
    finally:
        with demo_db.engine.begin() as conn:
            conn.execute(i.update().where(i.c.id == row.id).values(spend=row.spend))
    assert _left_out(text) == (before[0] + 1, before[1])


def _left_out(text: str) -> tuple[int, int]:
    """The campaign-days a total says it leaves out: (set aside as invalid, of campaigns not in the table)."""
    invalid = re.search(r"sem (\d+) dias? de campanha cujos dados a fonte trouxe inválidos", text)
    orphan = re.search(r"sem (\d+) dias? de campanha ausente da tabela de campanhas", text)
    return (int(invalid.group(1)) if invalid else 0, int(orphan.group(1)) if orphan else 0)


def test_which_campaign_to_pause_gives_the_cut_advice_and_the_critical_tier(demo_db: DemoDb) -> None:
    from famachat_ml_pipeline.db.agent_queries import read_active_recommendations

    recs = read_active_recommendations(demo_db.engine, CID)
    cuts = [r for r in recs if r["recommendation_type"] in ("PAUSE_CAMPAIGN", "BUDGET_DECREASE")]
    reply = _ask(demo_db, "Qual campanha devo pausar?")
    lines = reply.text.splitlines()
    assert reply.intent == "recommendations"
    # the pause advice first, or that there is none (agent19: each cut then says why it is no pause,
    # test_offline_asks14)
    pauses = [r for r in cuts if r["recommendation_type"] == "PAUSE_CAMPAIGN"]
    assert lines[0].startswith("Pausar (" if pauses else "Pausar: nenhuma campanha tem recomendação de pausa")
    for r in cuts:
        (line,) = [x for x in lines if x.startswith("- ") and f"({r['entity_id']}): " in x]
        assert r["title"].split(":")[0] in line or r["recommendation_type"] == "PAUSE_CAMPAIGN"
    others = [r for r in recs if r not in cuts]
    assert not any(f"{r['title']} —" in reply.text for r in others)  # a scale-up is not an answer here
    assert any("UNDERPERFORMER" in line or "tier crítico" in line for line in lines)
