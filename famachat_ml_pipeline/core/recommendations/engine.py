"""The entry points: every rule over all campaigns at once, and the anomaly each recommendation explains."""

from __future__ import annotations

import datetime as dt

import polars as pl

from famachat_ml_pipeline.core.anomalies import ANOMALY_SCHEMA
from famachat_ml_pipeline.core.forecasting import OUTPUT_SCHEMA as FORECAST_SCHEMA
from famachat_ml_pipeline.core.recommendations.config import (
    ANOMALY_LINKS,
    DEFAULT_CONFIG,
    DEFAULT_EXPIRY,
    OUTPUT_SCHEMA,
    RecommendationConfig,
)
from famachat_ml_pipeline.core.recommendations.inputs import (
    CLASSIFICATION_SCHEMA,
    campaign_attributes,
    open_campaign_anomalies,
    or_empty,
    rule_inputs,
)
from famachat_ml_pipeline.core.recommendations.rules_audience import audience_review, creative_refresh
from famachat_ml_pipeline.core.recommendations.rules_budget import (
    budget_decrease,
    budget_increase,
    pause_campaign,
    scale_up,
)
from famachat_ml_pipeline.core.recommendations.rules_reactivate import reactivate
from famachat_ml_pipeline.core.recommendations.rules_schedule import optimize_schedule
from famachat_ml_pipeline.core.vocab import RECOMMENDATION_TYPES


def empty_recommendations() -> pl.DataFrame:
    return pl.DataFrame(schema=OUTPUT_SCHEMA)


def generate_recommendations(
    wide_features: pl.DataFrame,
    classifications: pl.DataFrame,
    open_anomalies: pl.DataFrame,
    forecasts: pl.DataFrame,
    daily: pl.DataFrame,
    as_of: dt.date,
    config: RecommendationConfig = DEFAULT_CONFIG,
) -> pl.DataFrame:
    """Every recommendation that fires as of `as_of`, for all campaigns of all accounts (OUTPUT_SCHEMA).

    - wide_features: `features.compute_features_wide(daily, as_of)`.
    - classifications: config_id, campaign_id, tier, confidence_score, and optionally method and
      probabilities (struct of the 4 tiers; null under the rules).
    - open_anomalies: ANOMALY_SCHEMA rows not acknowledged (an `is_acknowledged` column is honoured).
    - forecasts: `forecasting.forecast_fleet` output (metric leads / cpl, horizon_day 1..7 are read).
    - daily: DAILY_SCHEMA; daily_budget is already in the major unit.

    expires_at = the day after as_of (when the recommendation is first seen) + expires_in_days[type].
    """
    expiry = {**DEFAULT_EXPIRY, **config.expires_in_days}
    seen = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    expires = {t: seen + dt.timedelta(days=expiry[t]) for t in RECOMMENDATION_TYPES}
    daily = daily.filter(pl.col("date") <= as_of)
    if wide_features.height == 0 and daily.height == 0:
        return empty_recommendations()
    # an input with no columns at all (e.g. no anomaly run yet) reads as empty with its schema
    classifications = or_empty(classifications, CLASSIFICATION_SCHEMA)
    open_anomalies = or_empty(open_anomalies, ANOMALY_SCHEMA)
    forecasts = or_empty(forecasts, FORECAST_SCHEMA)
    attributes = campaign_attributes(daily, as_of)
    base = rule_inputs(wide_features, classifications, open_anomalies, forecasts, attributes, as_of, config)
    parts = [
        pause_campaign(base, config, expires),
        budget_increase(base, config, expires),
        scale_up(base, config, expires),
        budget_decrease(base, config, expires),
        creative_refresh(base, config, expires),
        audience_review(base, config, expires),
        reactivate(daily, attributes, as_of, config, expires),
        optimize_schedule(base, daily, as_of, config, expires),
    ]
    out = pl.concat([p.cast(OUTPUT_SCHEMA) for p in parts])  # type: ignore[arg-type]
    return out.sort(
        ["config_id", "priority", "confidence_score", "entity_id", "recommendation_type"],
        descending=[False, True, True, False, False],
    )


def anomaly_links(
    recommendations: pl.DataFrame,
    open_anomalies: pl.DataFrame,
    as_of: dt.date,
    config: RecommendationConfig = DEFAULT_CONFIG,
) -> pl.DataFrame:
    """Which recommendation each recent open anomaly explains (for ml_anomalies.recommendation_id).

    One row per anomaly (its ANOMALY_SCHEMA key: config_id, entity_id, anomaly_type, metric_name,
    anomaly_date) with the recommendation_type it links to; when several recommendations of the campaign
    match, the highest priority wins. The writer maps (config_id, entity_id, recommendation_type) to row ids.
    """
    links = pl.DataFrame(
        [(r, a) for r, types in ANOMALY_LINKS.items() for a in types],
        schema={"recommendation_type": pl.String, "anomaly_type": pl.String},
        orient="row",
    )
    a = open_campaign_anomalies(open_anomalies, as_of).filter(
        pl.col("anomaly_date") > as_of - dt.timedelta(days=config.anomaly_trigger_days)
    )
    recs = recommendations.select("config_id", "entity_id", "recommendation_type", "priority")
    return (
        a.select("config_id", "entity_id", "anomaly_type", "metric_name", "anomaly_date")
        .join(links, on="anomaly_type")
        .join(recs, on=["config_id", "entity_id", "recommendation_type"])
        .sort("priority", descending=True)
        .unique(["config_id", "entity_id", "anomaly_type", "metric_name", "anomaly_date"], keep="first")
        .drop("priority")
        .sort("config_id", "entity_id", "anomaly_date", "anomaly_type")
    )
