"""Offline answers for every intent: the figures in the pt-BR text are the ones in the tables.

Expected values are read here straight from the ml_* and source tables with SQL, independently of the
agent's own queries, and formatted with the project's pt-BR formatters.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.intents import INTENTS, classify_intent
from famachat_ml_pipeline.agent.service import UnknownAccount, open_agent
from famachat_ml_pipeline.core.recommendations import format_money, format_number
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.source.tables import campaigns_table, insights_table
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of

# The first test pays for the shared demo pipeline run, which takes minutes on a loaded 2-core machine.
pytestmark = pytest.mark.timeout(1200)

CID = 2  # an account without injected names: plain figures


def _json(v: object) -> dict:
    return json.loads(v) if isinstance(v, str) else v  # type: ignore[return-value]


def _features(db: DemoDb, cid: int) -> dict[str, dict]:
    f = schema.ml_features
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(f.c.campaign_id, f.c.features).where(
                f.c.config_id == cid,
                f.c.window_days == 7,
                f.c.feature_date == dt.datetime.combine(db.as_of, dt.time()),
            )
        ).all()
    return {r[0]: _json(r[1]) for r in rows}


def _names(db: DemoDb, cid: int) -> dict[str, str]:
    c = campaigns_table
    with db.engine.connect() as conn:
        return dict(conn.execute(sa.select(c.c.campaign_id, c.c.name).where(c.c.config_id == cid)).all())


def _ask(db: DemoDb, question: str, cid: int = CID):  # noqa: ANN202
    return open_agent(db.engine, cid, db.settings, mode="offline", now=db.now).ask(question)


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("O que você sabe fazer?", "help"),
        ("Quais campanhas estão indo mal?", "underperformers"),
        ("Quais campanhas estão indo bem?", "top"),
        ("Quais são as recomendações?", "recommendations"),
        ("Por que meu CPL subiu ontem?", "anomalies"),
        ("Quantos leads vou ter na próxima semana?", "forecast"),
        ("Me dá um resumo da conta", "summary"),
        ("detalhes da 120200000070000030", "campaign_details"),
        ("Os dados estão atualizados? Qualidade dos dados", "data_quality"),
        ("Qual o ROI com R$ 80 por lead?", "roi"),
        ("xyz", "help"),
    ],
)
def test_classify_intent(question: str, intent: str) -> None:
    assert classify_intent(question).name == intent
    assert intent in INTENTS


def test_summary_figures_equal_the_tables(demo_db: DemoDb) -> None:
    feats = _features(demo_db, CID)
    spend = sum(f["spend_7d"] for f in feats.values())
    leads = sum(f["leads_7d"] for f in feats.values())
    t = schema.ml_campaign_classifications
    with demo_db.engine.connect() as conn:
        crit = conn.execute(
            sa.select(sa.func.count()).where(t.c.config_id == CID, t.c.tier == "UNDERPERFORMER")
        ).scalar_one()
    reply = _ask(demo_db, "Me dá um resumo da conta")
    assert reply.intent == "summary" and reply.mode == "offline" and reply.error is None
    assert reply.data_through == demo_db.as_of
    assert (
        f"{format_money(spend)} investidos, {leads_of(leads)}, CPL de {format_money(spend / leads)}"
        in reply.text
    )
    assert f"{crit} críticas" in reply.text
    assert [c.name for c in reply.tool_calls] == [
        "get_account_summary",
        "get_high_priority_recommendations",
        "analyze_trends",  # the source figures, which hold before the first run
    ]


def _critical_snapshots(db: DemoDb, cid: int = CID) -> list[tuple[str, object]]:
    """(campaign_id, metrics_snapshot) of the account's UNDERPERFORMER tier."""
    t = schema.ml_campaign_classifications
    with db.engine.connect() as conn:
        query = sa.select(t.c.campaign_id, t.c.metrics_snapshot).where(
            t.c.config_id == cid, t.c.tier == "UNDERPERFORMER"
        )
        return [tuple(r) for r in conn.execute(query).all()]


def test_underperformers_figures_equal_the_tables(demo_db: DemoDb) -> None:
    rows = _critical_snapshots(demo_db)
    reply = _ask(demo_db, "Quais campanhas estão indo mal?")
    if not rows:
        assert "Nenhuma campanha" in reply.text
        return
    assert f"{len(rows)} campanhas estão com baixa performance" in reply.text
    top = max(rows, key=lambda r: _json(r[1])["spend_7d"])
    snap = _json(top[1])
    assert f"({top[0]}): {format_money(snap['spend_7d'])} gastos, {leads_of(snap['leads_7d'])}" in reply.text


def test_top_campaigns_figures_equal_the_tables(demo_db: DemoDb) -> None:
    feats, names = _features(demo_db, CID), _names(demo_db, CID)
    best = max(feats, key=lambda c: (feats[c]["leads_7d"], -int(c)))
    reply = _ask(demo_db, "Quais campanhas estão indo bem?")
    first = reply.text.splitlines()[1]
    assert names[best] in first and f"{leads_of(feats[best]['leads_7d'])}" in first
    assert format_money(feats[best]["spend_7d"]) in first


def test_recommendations_figures_equal_the_tables(demo_db: DemoDb) -> None:
    r = schema.ml_recommendations
    with demo_db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.c.title, r.c.priority)
            .where(r.c.config_id == CID, r.c.is_active.is_(True), r.c.dismissed.isnot(True))
            .order_by(r.c.priority.desc(), r.c.confidence_score.desc())
        ).all()
    reply = _ask(demo_db, "Quais são as recomendações?")
    assert rows, "the demo should produce recommendations"
    assert f"{len(rows)} recomendações ativas" in reply.text
    assert f"[{rows[0].priority}] {rows[0].title}" in reply.text


def test_anomalies_answer_cpl_change_and_open_anomalies(demo_db: DemoDb) -> None:
    a = schema.ml_anomalies
    since = demo_db.as_of - dt.timedelta(days=6)
    with demo_db.engine.connect() as conn:
        n = conn.execute(
            sa.select(sa.func.count()).where(
                a.c.config_id == CID,
                a.c.is_acknowledged.isnot(True),
                a.c.anomaly_date >= dt.datetime.combine(since, dt.time()),
            )
        ).scalar_one()
    feats = _features(demo_db, CID)
    cpl = sum(f["spend_7d"] for f in feats.values()) / sum(f["leads_7d"] for f in feats.values())
    # "ontem" asks that day against the day before (test_offline_asks14); the 7 days are asked without it
    reply = _ask(demo_db, "Por que meu CPL subiu?")
    assert f"CPL da conta: {format_money(cpl)} nos 7 dias" in reply.text
    if n:
        assert f"{n} anomalias abertas" in reply.text
    else:
        assert "Nenhuma anomalia aberta" in reply.text


def test_forecast_figures_equal_the_tables(demo_db: DemoDb) -> None:
    p = schema.ml_predictions
    with demo_db.engine.connect() as conn:
        leads = conn.execute(
            sa.select(sa.func.sum(p.c.predicted_value)).where(
                p.c.config_id == CID,
                p.c.prediction_type == "LEADS_FORECAST",
                p.c.forecast_date > dt.datetime.combine(demo_db.as_of, dt.time()),
            )
        ).scalar_one()
    reply = _ask(demo_db, "Quantos leads vou ter na próxima semana?")
    # a count of leads is said whole (agent27): "cerca de 332 leads", not "331,6 leads"
    assert f"cerca de {format_number(round(leads), 0)} leads" in reply.text
    # a summed range is not called a 95 % interval of the week
    assert "soma dos limites diários do intervalo de 95%" in reply.text


def test_campaign_forecast_is_fresh_and_bounded(demo_db: DemoDb) -> None:
    feats = _features(demo_db, CID)
    cid = max(feats, key=lambda c: feats[c]["spend_7d"])  # delivering: a stopped one is forecast nothing
    reply = _ask(demo_db, f"previsão da campanha {cid}")
    assert [c.name for c in reply.tool_calls] == ["predict_campaign_leads", "predict_campaign_cpl"]
    leads = reply.tool_calls[0].output
    assert leads["as_of"] == demo_db.as_of.isoformat() and len(leads["days"]) == 7
    assert f"{leads['value']} leads no total" in reply.text
    assert "intervalo de 95%:" not in reply.text and "média dos limites diários" in reply.text  # the CPL


def test_campaign_details_figures_equal_the_tables(demo_db: DemoDb) -> None:
    feats, names = _features(demo_db, CID), _names(demo_db, CID)
    cid = max(feats, key=lambda c: feats[c]["spend_7d"])
    reply = _ask(demo_db, f"detalhes da campanha {cid}")
    assert reply.intent == "campaign_details"
    assert names[cid] in reply.text
    assert f"{format_money(feats[cid]['spend_7d'])} gastos, {leads_of(feats[cid]['leads_7d'])}" in reply.text


def test_data_quality_counts_equal_the_source(demo_db: DemoDb) -> None:
    i = insights_table
    with demo_db.engine.connect() as conn:
        read = conn.execute(
            sa.select(sa.func.count()).where(
                i.c.config_id == CID, i.c.date_start >= demo_db.as_of - dt.timedelta(days=29)
            )
        ).scalar_one()
    reply = _ask(demo_db, "qualidade dos dados")
    assert f"li {read} linhas da fonte" in reply.text
    assert f"Dados até {demo_db.as_of.strftime('%d/%m/%Y')}" in reply.text


def test_roi_uses_the_users_value_per_lead_and_says_so(demo_db: DemoDb) -> None:
    reply = _ask(demo_db, "Qual o ROI com R$ 80 por lead?")
    out = reply.tool_calls[0].output
    assert out["value_per_lead"] == "R$ 80,00"
    assert f"{leads_of(out['leads'])} x R$ 80,00 = {format_money(out['leads'] * 80.0)}" in reply.text
    assert "não registra receita" in reply.text
    assert "preciso que você diga" in _ask(demo_db, "qual o ROI?").text


def test_help_and_streaming(demo_db: DemoDb) -> None:
    agent = open_agent(demo_db.engine, CID, demo_db.settings, mode="offline", now=demo_db.now)
    events = list(agent.stream("ajuda"))
    assert events[-1].kind == "done" and "Posso responder" in events[-1].reply.text
    assert "".join(e.text for e in events if e.kind == "text") == events[-1].reply.text


def test_unknown_account_is_refused(demo_db: DemoDb) -> None:
    with pytest.raises(UnknownAccount):
        open_agent(demo_db.engine, 999, demo_db.settings)
    with pytest.raises(ValueError):
        open_agent(demo_db.engine, 0, demo_db.settings)
