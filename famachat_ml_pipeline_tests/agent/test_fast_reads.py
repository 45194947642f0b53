"""The indexed read paths give the same answers as the full scans of ml_features / ml_forecasts they replace.

The references below are the previous implementations (max over the account's rows, read in full). Every
tool and every offline intent runs twice on the demo tables, once on each path, and must answer the same.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.intents import classify_intent
from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.agent.tools import TOOLS, ToolContext, analysis, campaigns, forecasts, run_tool
from famachat_ml_pipeline.db import agent_queries as q
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline_tests.agent.conftest import N_ACCOUNTS, DemoDb

pytestmark = pytest.mark.timeout(1200)  # the first test may pay for the shared demo pipeline run

QUESTIONS = [
    "O que você sabe fazer?",
    "Quais campanhas estão indo mal?",
    "Quais campanhas estão indo bem?",
    "Quais são as recomendações?",
    "Por que meu CPL subiu ontem?",
    "Quantos leads vou ter na próxima semana?",
    "Me dá um resumo da conta",
    "Os dados estão atualizados? Qualidade dos dados",
    "Qual o ROI com R$ 80 por lead?",
]


# ------------------------------------------------------------------ the previous (full-scan) reads


def _day(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value)[:10])


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def ref_latest_results_day(engine: sa.Engine, config_id: int) -> dt.date | None:
    f = schema.ml_features
    with engine.connect() as conn:
        return _day(
            conn.execute(sa.select(sa.func.max(f.c.feature_date)).where(f.c.config_id == config_id)).scalar()
        )


def ref_latest_features(ctx: ToolContext) -> list[dict[str, Any]]:
    f = schema.ml_features
    latest = sa.select(sa.func.max(f.c.feature_date)).where(f.c.config_id == ctx.config_id).scalar_subquery()
    window = campaigns.FEATURE_WINDOW
    query = sa.select(f.c.campaign_id, f.c.feature_date, f.c.insufficient_data, f.c.features).where(
        f.c.config_id == ctx.config_id, f.c.window_days == window, f.c.feature_date == latest
    )
    with ctx.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    for r in rows:
        r["features"], r["feature_date"] = _json(r["features"]), _day(r["feature_date"])
    return rows


def ref_latest_forecasts(ctx: ToolContext, with_methods: bool = True) -> list[dict[str, Any]]:
    f = schema.ml_forecasts
    latest = sa.select(sa.func.max(f.c.forecast_date)).where(f.c.config_id == ctx.config_id).scalar_subquery()
    query = (
        sa.select(
            f.c.entity_id,
            f.c.target_metric,
            f.c.method,
            f.c.predictions,
            f.c.forecast_date,
            f.c.insufficient_data,
        )
        .where(f.c.config_id == ctx.config_id, f.c.forecast_date == latest)
        .order_by(f.c.entity_id, f.c.target_metric)
    )
    with ctx.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    for r in rows:
        r["predictions"], r["forecast_date"] = _json(r["predictions"]), _day(r["forecast_date"])
    return rows


@pytest.fixture
def full_scans(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """A switch that puts the previous full-scan reads back in place of the indexed ones."""

    def use() -> None:
        monkeypatch.setattr(q, "latest_results_day", ref_latest_results_day)
        monkeypatch.setattr(campaigns, "latest_features", ref_latest_features)
        monkeypatch.setattr(forecasts, "latest_forecasts", ref_latest_forecasts)
        monkeypatch.setattr(analysis, "latest_forecasts", ref_latest_forecasts)

    return use


def _tool_args(ctx: ToolContext) -> dict[str, dict]:
    cid = max(ctx.campaigns)
    return {
        "get_campaign_tier": {"campaign_id": cid},
        "get_recommendations_by_type": {"recommendation_type": "PAUSE_CAMPAIGN"},
        "get_anomalies_by_type": {"anomaly_type": "CPL_SPIKE"},
        "predict_campaign_cpl": {"campaign_id": cid, "horizon_days": 3},
        "predict_campaign_leads": {"campaign_id": cid, "horizon_days": 3},
        "get_campaign_details": {"campaign_id": cid},
        "compare_campaigns": {"campaign_ids": sorted(ctx.campaigns)[:3]},
        "calculate_roi": {"average_ticket": 1000, "close_rate": 10},
        "analyze_trends": {},
    }


def _answers(db: DemoDb, config_id: int) -> dict[str, Any]:
    ctx = ToolContext(db.engine, config_id, now=db.now)
    args = _tool_args(ctx)
    out: dict[str, Any] = {name: run_tool(ctx, name, args.get(name, {})) for name in TOOLS}
    for metric in ("spend", "leads", "cpl"):
        out[f"get_forecasts/{metric}"] = run_tool(ctx, "get_forecasts", {"metric": metric})
    for metric in ("leads", "cpl", "spend", "ctr"):
        top = {"metric": metric, "limit": 20}
        out[f"get_top_campaigns/{metric}"] = run_tool(ctx, "get_top_campaigns", top)
    for question in QUESTIONS:
        reply = open_agent(db.engine, config_id, db.settings, mode="offline", now=db.now).ask(question)
        out[f"offline/{classify_intent(question).name}"] = reply.text
    return out


# ------------------------------------------------------------------ the tests


def test_every_tool_and_offline_answer_is_unchanged(demo_db: DemoDb, full_scans) -> None:  # noqa: ANN001
    after = {cid: _answers(demo_db, cid) for cid in range(1, N_ACCOUNTS + 1)}
    full_scans()
    before = {cid: _answers(demo_db, cid) for cid in range(1, N_ACCOUNTS + 1)}
    for cid in before:
        for key, value in before[cid].items():
            assert "error" not in value if isinstance(value, dict) else value, (cid, key)
            assert after[cid][key] == value, (cid, key)
    # the comparison had something to compare: forecasts and features are there for every account
    for cid in before:
        assert before[cid]["get_forecasts"]["total"] > 0 and before[cid]["get_account_summary"]["as_of"]


def test_latest_results_day_is_the_last_feature_day(demo_db: DemoDb) -> None:
    for cid in range(1, N_ACCOUNTS + 1):
        assert q.latest_results_day(demo_db.engine, cid) == ref_latest_results_day(demo_db.engine, cid)
        assert q.latest_results_day(demo_db.engine, cid) == demo_db.as_of
    assert q.latest_results_day(demo_db.engine, N_ACCOUNTS + 1) is None


def test_bounded_feature_read_equals_the_full_scan(demo_db: DemoDb) -> None:
    for cid in range(1, N_ACCOUNTS + 1):
        ctx = ToolContext(demo_db.engine, cid, now=demo_db.now)
        new, old = campaigns.latest_features(ctx), ref_latest_features(ctx)
        assert old and new == old
        assert {r["feature_date"] for r in new} == {demo_db.as_of}


def test_feature_read_limit_only_bounds_the_scan(demo_db: DemoDb) -> None:
    """A larger limit reads more rows (other windows) but keeps the same answer; no rows, no answer."""
    ctx = ToolContext(demo_db.engine, 2, now=demo_db.now)
    rows = q.read_latest_features(demo_db.engine, 2, campaigns.FEATURE_WINDOW, 10_000)
    assert rows == campaigns.latest_features(ctx)
    assert q.read_latest_features(demo_db.engine, N_ACCOUNTS + 1, campaigns.FEATURE_WINDOW, 10) == []


def test_forecasts_from_predictions_equal_ml_forecasts(demo_db: DemoDb) -> None:
    for cid in range(1, N_ACCOUNTS + 1):
        ctx = ToolContext(demo_db.engine, cid, now=demo_db.now)
        new, old = forecasts.latest_forecasts(ctx), ref_latest_forecasts(ctx)
        assert old and len(new) == len(old)
        for n, o in zip(new, old, strict=True):
            assert (n["entity_id"], n["target_metric"], n["forecast_date"]) == (
                o["entity_id"],
                o["target_metric"],
                o["forecast_date"],
            )
            assert (n["method"], n["insufficient_data"]) == (o["method"], bool(o["insufficient_data"]))
            assert [p["date"] for p in n["predictions"]] == [p["date"] for p in o["predictions"]]
            for k in ("predicted", "lower", "upper"):
                assert [p[k] for p in n["predictions"]] == pytest.approx([p[k] for p in o["predictions"]])


def test_forecast_reads_stay_in_the_account(demo_db: DemoDb) -> None:
    """Another account's campaign ids read under this config_id give nothing (config_id stays bound)."""
    other = ToolContext(demo_db.engine, 2, now=demo_db.now)
    assert q.read_latest_predictions(demo_db.engine, 2, sorted(other.campaigns))
    assert q.read_latest_predictions(demo_db.engine, 1, sorted(other.campaigns)) == []
    assert q.latest_forecast_origin(demo_db.engine, 1, sorted(other.campaigns)) is None
    assert q.read_forecast_methods(demo_db.engine, 1, demo_db.as_of, 0) == {}
    mine = q.read_forecast_methods(demo_db.engine, 1, demo_db.as_of, 10_000)
    assert mine and not {e for e, _ in mine} & set(other.campaigns)
