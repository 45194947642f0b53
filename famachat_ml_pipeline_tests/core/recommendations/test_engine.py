"""generate_recommendations as a whole: schema, confidence, expiry, real features, empty inputs."""

from __future__ import annotations

import datetime as dt

import polars as pl

from famachat_ml_pipeline.core.frames import DAILY_SCHEMA
from famachat_ml_pipeline.core.recommendations import (
    OUTPUT_SCHEMA,
    RecommendationConfig,
    generate_recommendations,
)
from famachat_ml_pipeline_tests.core.recommendations.builders import (
    AS_OF,
    CFG,
    attrs,
    fired,
    one,
    run,
    run_daily,
    series,
    tiers,
    wide,
    wide_row,
)


def test_output_schema_confidence_and_expiry() -> None:
    w = wide(
        wide_row("A", spend=250.0, leads=25, account_cpl=20.0),
        wide_row("B", spend=250.0, leads=25, account_cpl=20.0),
    ).with_columns(days_with_leads_30d=pl.lit(20, dtype=pl.UInt32))
    daily = attrs(("A", "ACTIVE", 40.0), ("B", "ACTIVE", 40.0))
    config = RecommendationConfig(learning_min_leads_7d=20)
    rules = run(w, tiers({"A": "HIGH_PERFORMER", "B": "HIGH_PERFORMER"}), daily, config=config)
    # volume 25 of 100 leads, leads every day, CPL ratio 0.5 (well under 0.7); the model moves it
    probs = {"A": {"HIGH_PERFORMER": 0.95}, "B": {"HIGH_PERFORMER": 0.55, "MODERATE": 0.45}}
    model = run(w, tiers({"A": "HIGH_PERFORMER", "B": "HIGH_PERFORMER"}, probs=probs), daily, config=config)
    assert rules.schema == pl.Schema(OUTPUT_SCHEMA) and model.schema == pl.Schema(OUTPUT_SCHEMA)
    conf = dict(model.select("entity_id", "confidence_score").rows())
    assert conf["A"] > one(rules, "A", "BUDGET_INCREASE")["confidence_score"] > conf["B"]
    assert all(0.05 <= c <= 0.99 for c in conf.values())
    r = one(rules, "A", "BUDGET_INCREASE")
    assert r["entity_type"] == "campaign" and len(r["title"]) <= 255
    assert r["expires_at"] == dt.datetime(2026, 3, 15) + dt.timedelta(
        days=CFG.expires_in_days["BUDGET_INCREASE"]
    )


def test_real_features_end_to_end() -> None:
    """The rules read compute_features_wide's and rule_tiers' real columns."""
    daily = pl.concat(
        [
            series("cheap", [100.0] * 35, [8] * 35),  # CPL 12,50
            series("avg", [100.0] * 35, [4] * 35),  # CPL 25
            series("burning", [100.0] * 35, [4] * 28 + [0] * 7),  # no leads this week
        ]
    )
    recs = run_daily(daily)
    assert fired(recs, "SCALE_UP") == {"cheap"}
    assert fired(recs, "PAUSE_CAMPAIGN") == {"burning"}
    assert recs.filter(pl.col("entity_id") == "avg").height == 0


def test_empty_inputs() -> None:
    empty = pl.DataFrame()
    out = generate_recommendations(empty, empty, empty, empty, pl.DataFrame(schema=DAILY_SCHEMA), AS_OF)
    assert out.height == 0 and out.schema == pl.Schema(OUTPUT_SCHEMA)
