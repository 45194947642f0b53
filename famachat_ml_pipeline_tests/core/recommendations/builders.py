"""Builders shared by the recommendation tests: wide feature rows, tiers, anomalies, forecasts, series."""

from __future__ import annotations

import datetime as dt

import polars as pl

from famachat_ml_pipeline.core.anomalies import ANOMALY_SCHEMA
from famachat_ml_pipeline.core.features import compute_features_wide
from famachat_ml_pipeline.core.forecasting import OUTPUT_SCHEMA as FORECAST_SCHEMA
from famachat_ml_pipeline.core.frames import DAILY_SCHEMA
from famachat_ml_pipeline.core.recommendations import (
    RecommendationConfig,
    generate_recommendations,
)
from famachat_ml_pipeline.core.tiers import rule_tiers
from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE, TIERS

AS_OF = dt.date(2026, 3, 14)  # a Saturday
CFG = RecommendationConfig()


def wide_row(
    cid: str,
    *,
    config_id: int = 1,
    spend: float = 700.0,
    leads: int = 70,
    account_cpl: float | None = 10.0,  # default: CPL equal to the account's (neutral)
    days: int = 7,
    dwl: int = 7,
    cpl_trend: float | None = 0.0,
    leads_30: int | None = None,
    cpl_30: float | None = None,
    account_cpl_30: float | None = None,
    days_30: int = 30,
    dwl_30: int = 30,
    impressions: int = 35_000,
    clicks: int = 350,
    prev_impressions: int | None = None,  # previous 7 days; default: the same as this week
    prev_clicks: int | None = None,
    account_ctr: float = 1.0,
    reach: int = 17_500,
    prev_reach: int | None = None,
    spend_trend: float = 0.0,
    days_14: int = 14,
) -> dict:
    """A row of compute_features_wide's columns that the rules read, with the derived ones consistent."""
    cpl = spend / leads if leads else None
    prev_impressions = prev_impressions if prev_impressions is not None else impressions
    prev_clicks = prev_clicks if prev_clicks is not None else clicks
    prev_reach = prev_reach if prev_reach is not None else reach
    leads_30 = leads_30 if leads_30 is not None else round(leads * 30 / 7)
    cpl_30 = cpl_30 if cpl_30 is not None else cpl
    ctr, prev_ctr = clicks * 100 / impressions, prev_clicks * 100 / prev_impressions
    return {
        "config_id": config_id,
        "campaign_id": cid,
        "spend_7d": spend,
        "leads_7d": leads,
        "cpl_7d": cpl,
        "account_cpl_7d": account_cpl,
        "days_in_window_7d": days,
        "days_with_leads_7d": dwl,
        "avg_daily_spend_7d": spend / days,
        "cpl_trend_7d": cpl_trend,
        "spend_trend_7d": spend_trend,
        "impressions_7d": impressions,
        "clicks_7d": clicks,
        "ctr_7d": ctr,
        "account_ctr_7d": account_ctr,
        "ctr_trend_7d": (ctr - prev_ctr) / prev_ctr * 100,
        "reach_7d": reach,
        "frequency_7d": impressions / reach,
        "impressions_14d": impressions + prev_impressions,
        "clicks_14d": clicks + prev_clicks,
        "reach_14d": reach + prev_reach,
        "days_in_window_14d": days_14,
        "leads_30d": leads_30,
        "cpl_30d": cpl_30,
        "account_cpl_30d": account_cpl_30 if account_cpl_30 is not None else account_cpl,
        "days_in_window_30d": days_30,
        "days_with_leads_30d": dwl_30,
    }


WIDE_SCHEMA = {
    "config_id": pl.Int64,
    "campaign_id": pl.String,
    "leads_7d": pl.Int64,
    "days_in_window_7d": pl.UInt32,
    "days_with_leads_7d": pl.UInt32,
    "impressions_7d": pl.Int64,
    "clicks_7d": pl.Int64,
    "reach_7d": pl.Int64,
    "impressions_14d": pl.Int64,
    "clicks_14d": pl.Int64,
    "reach_14d": pl.Int64,
    "days_in_window_14d": pl.UInt32,
    "leads_30d": pl.Int64,
    "days_in_window_30d": pl.UInt32,
    "days_with_leads_30d": pl.UInt32,
}


def wide(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), infer_schema_length=None).cast(WIDE_SCHEMA)  # type: ignore[arg-type]


def attrs(*campaigns: tuple, config_id: int = 1) -> pl.DataFrame:
    """One daily row per campaign on AS_OF carrying (campaign_id, status, daily_budget[, currency])."""
    rows = []
    for c in campaigns:
        cid, status, budget, currency = (*c, "BRL") if len(c) == 3 else c
        rows.append(
            {
                "config_id": config_id,
                "campaign_id": cid,
                "date": AS_OF,
                "spend": 0.0,
                "impressions": 0,
                "clicks": 0,
                "reach": 0,
                "leads": 0,
                "has_row": False,
                "status": status,
                "effective_status": status,
                "objective": "OUTCOME_LEADS",
                "daily_budget": budget,
                "currency": currency,
                "timezone_name": DEFAULT_TIMEZONE,
            }
        )
    return pl.DataFrame(rows, schema=DAILY_SCHEMA)


def tiers(mapping: dict[str, str], config_id: int = 1, probs: dict[str, dict[str, float]] | None = None):  # noqa: ANN201
    frame = pl.DataFrame(
        {
            "config_id": [config_id] * len(mapping),
            "campaign_id": list(mapping),
            "tier": list(mapping.values()),
            "confidence_score": [0.8] * len(mapping),
            "method": ["model" if probs else "rules"] * len(mapping),
        },
        schema={
            "config_id": pl.Int64,
            "campaign_id": pl.String,
            "tier": pl.String,
            "confidence_score": pl.Float64,
            "method": pl.String,
        },
    )
    if probs:
        frame = frame.with_columns(
            probabilities=pl.DataFrame(
                [{t: probs[c].get(t, 0.0) for t in TIERS} for c in mapping],
                schema=dict.fromkeys(TIERS, pl.Float64),
            ).to_struct()
        )
    return frame


def anomaly(cid: str, anomaly_type: str, severity: str, date: dt.date = AS_OF, config_id: int = 1) -> dict:
    return {
        "config_id": config_id,
        "entity_type": "campaign",
        "entity_id": cid,
        "anomaly_type": anomaly_type,
        "metric_name": "m",
        "observed_value": 1.0,
        "expected_value": 1.0,
        "deviation_score": 6.0,
        "severity": severity,
        "anomaly_date": date,
    }


def anomalies(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=ANOMALY_SCHEMA)


def forecast(cid: str, leads_per_day: float, cpl: float, config_id: int = 1) -> pl.DataFrame:
    """7 days of forecast_fleet rows at `cpl` (spend = leads x cpl); each day's CPL row is
    spend / max(leads, 1), as `derive_cpl` writes it (the day's spend below a lead a day)."""
    spend = leads_per_day * cpl
    day_cpl = spend / max(leads_per_day, 1.0)
    rows = [
        {
            "config_id": config_id,
            "entity_id": cid,
            "metric": m,
            "target_date": AS_OF + dt.timedelta(days=h),
            "horizon_day": h,
            "predicted_value": v,
            "confidence_lower": v,
            "confidence_upper": v,
            "method": "ets",
            "insufficient_data": False,
            "low_volume": False,
        }
        for h in range(1, 8)
        for m, v in (("leads", leads_per_day), ("spend", spend), ("cpl", day_cpl))
    ]
    return pl.DataFrame(rows, schema=FORECAST_SCHEMA)


def run(
    w: pl.DataFrame,
    cls: pl.DataFrame,
    daily: pl.DataFrame,
    an: pl.DataFrame | None = None,
    fc: pl.DataFrame | None = None,
    config: RecommendationConfig = CFG,
) -> pl.DataFrame:
    an = an if an is not None else pl.DataFrame(schema=ANOMALY_SCHEMA)
    fc = fc if fc is not None else pl.DataFrame(schema=FORECAST_SCHEMA)
    return generate_recommendations(w, cls, an, fc, daily, AS_OF, config)


def fired(recs: pl.DataFrame, rec_type: str) -> set[str]:
    return set(recs.filter(pl.col("recommendation_type") == rec_type)["entity_id"].to_list())


def one(recs: pl.DataFrame, cid: str, rec_type: str) -> dict:
    rows = recs.filter((pl.col("entity_id") == cid) & (pl.col("recommendation_type") == rec_type))
    assert rows.height == 1, recs.select("entity_id", "recommendation_type")
    return rows.row(0, named=True)


def series(
    cid: str,
    spend: list[float],
    leads: list[int],
    status: str = "ACTIVE",
    budget: float | None = 100.0,
    config_id: int = 1,
    currency: str = "BRL",
) -> pl.DataFrame:
    n = len(spend)
    return pl.DataFrame(
        {
            "config_id": [config_id] * n,
            "campaign_id": [cid] * n,
            "date": [AS_OF - dt.timedelta(days=n - 1 - i) for i in range(n)],
            "spend": spend,
            "impressions": [int(s * 50) for s in spend],
            "clicks": [int(s) for s in spend],
            "reach": [int(s * 25) for s in spend],
            "leads": leads,
            "has_row": [s > 0 for s in spend],
            "status": [status] * n,
            "effective_status": [status] * n,
            "objective": ["OUTCOME_LEADS"] * n,
            "daily_budget": [budget] * n,
            "currency": [currency] * n,
            "timezone_name": [DEFAULT_TIMEZONE] * n,
        },
        schema=DAILY_SCHEMA,
    )


def run_daily(daily: pl.DataFrame, config: RecommendationConfig = CFG) -> pl.DataFrame:
    w = compute_features_wide(daily, AS_OF)
    return run(w, rule_tiers(w), daily, config=config)


def weekly(pattern: dict[int, int], weeks: int = 4, default: int = 5) -> list[int]:
    """Leads a day over `weeks` weeks ending on AS_OF (a Saturday); pattern: weekday (Mon=0) -> leads."""
    n = weeks * 7
    days = [AS_OF - dt.timedelta(days=n - 1 - i) for i in range(n)]
    return [pattern.get(d.weekday(), default) for d in days]
