"""Readers: stored recommendations come back with their reasoning under today's key names."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from famachat_ml_pipeline.core.recommendations import reconcile
from famachat_ml_pipeline.core.vocab import TIERS
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.db.reader import read_classifications_on, read_recommendations
from famachat_ml_pipeline.db.writer import bulk_insert, replace_classifications
from famachat_ml_pipeline.defs.classification.assets import SNAPSHOT_METRICS, _snapshot_columns

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


def test_classifications_come_back_with_the_models_prediction_beside_the_tier(migrated_url: str) -> None:
    probs = pl.DataFrame(
        dict(zip(TIERS, [[0.1, None], [0.6, None], [0.2, None], [0.1, None]], strict=True))
    ).to_struct("probabilities")
    classified = pl.DataFrame(
        {
            "config_id": [1, 1],
            "campaign_id": ["with_model", "rules_only"],
            "tier": ["UNDERPERFORMER", "LOW"],
            "confidence_score": [0.9, 0.7],
            "reason": ["0 leads", "CPL 1.2x"],
            "method": ["rules+model", "rules"],
            "predicted_next_tier": ["MODERATE", None],
            "predicted_confidence": [0.6, None],
            "probabilities": probs,
            "p_fall": [0.0, None],
            "likely_to_fall": [False, None],
            "feature_contributions": pl.Series([None, None], dtype=pl.Struct({"f": pl.Float64})),
        }
    ).with_columns(pl.when(pl.col("method") == "rules+model").then("probabilities").alias("probabilities"))
    wide = pl.DataFrame({"config_id": [1, 1], "campaign_id": ["with_model", "rules_only"]}).with_columns(
        *[pl.lit(1.0).alias(m) for m in SNAPSHOT_METRICS]
    )
    day = dt.date(2026, 3, 14)
    replace_classifications(get_engine(migrated_url), _snapshot_columns(wide, classified, "v1"), [1], day)
    out = read_classifications_on(get_engine(migrated_url), [1], day).sort("campaign_id")
    assert out["campaign_id"].to_list() == ["rules_only", "with_model"]
    assert out["tier"].to_list() == ["LOW", "UNDERPERFORMER"]  # today's tier, untouched by the model
    assert out["method"].to_list() == ["rules", "rules+model"]
    assert out["predicted_next_tier"].to_list() == [None, "MODERATE"]
    assert out["probabilities"].to_list() == [None, dict(zip(TIERS, [0.1, 0.6, 0.2, 0.1], strict=True))]
