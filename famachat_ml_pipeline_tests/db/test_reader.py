"""Readers: stored recommendations come back with their reasoning under today's key names."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from famachat_ml_pipeline.core.recommendations import reconcile
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.db.reader import read_recommendations
from famachat_ml_pipeline.db.writer import bulk_insert

NOW = dt.datetime(2026, 3, 15, 6, 0)


def _stored(id_: int, entity: str, reasoning: dict) -> dict:
    return {
        "id": id_,
        "config_id": 1,
        "entity_type": "campaign",
        "entity_id": entity,
        "recommendation_type": "BUDGET_INCREASE",
        "priority": 8,
        "title": "t",
        "description": "d",
        "suggested_action": "{}",
        "confidence_score": 0.7,
        "reasoning": json.dumps(reasoning),
        "is_active": True,
        "dismissed": True,
        "dismissed_at": NOW - dt.timedelta(days=2),
        "created_at": NOW - dt.timedelta(days=3),
        "expires_at": NOW + dt.timedelta(days=1),
    }


def test_recommendations_written_with_the_old_reasoning_key_read_under_the_new_one(migrated_url: str) -> None:
    engine = get_engine(migrated_url)
    old = _stored(1, "111", {"severity_metric": 1.5, "cpl_ratio_7d": 0.6667, "cpl_ratio_30d": 0.65})
    new = _stored(2, "222", {"severity_metric": 1.5, "cpl_vs_account_7d": 0.6667})
    with engine.begin() as conn:
        bulk_insert(conn, schema.ml_recommendations, pl.DataFrame([old, new]))
        stored = read_recommendations(conn, [1]).sort("id")
    reasoning = [json.loads(r) for r in stored["reasoning"]]
    assert reasoning[0] == {"severity_metric": 1.5, "cpl_vs_account_7d": 0.6667, "cpl_vs_account_30d": 0.65}
    assert reasoning[1] == {"severity_metric": 1.5, "cpl_vs_account_7d": 0.6667}

    # the lifecycle still reads the dismissed old row's severity: a candidate not 25 % worse stays suppressed
    candidate = {k: v for k, v in old.items() if k not in ("id", "is_active", "dismissed", "dismissed_at")}
    candidates = pl.DataFrame([candidate | {"severity_metric": 1.6, "created_at": None}]).drop("created_at")
    plan = reconcile(candidates, stored, NOW)
    assert plan.inserts.height == 0
    assert plan.suppressed["stored_severity"].to_list() == [1.5]
