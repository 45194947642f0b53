"""The rules' inputs: one row per campaign joining features, tiers, open anomalies, forecasts and
the campaign's current attributes."""

from __future__ import annotations

import datetime as dt

import polars as pl

from famachat_ml_pipeline.core.exprs import div
from famachat_ml_pipeline.core.frames import KEY
from famachat_ml_pipeline.core.recommendations.config import (
    RecommendationConfig,
)
from famachat_ml_pipeline.core.recommendations.evidence import cpl_lower_bound, cpl_upper_bound
from famachat_ml_pipeline.core.tiers import fall_probability
from famachat_ml_pipeline.core.vocab import TIERS


def campaign_attributes(daily: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Status, budget (major unit, as in DAILY_SCHEMA) and currency from each campaign's latest row."""
    latest = pl.col("date").arg_max()  # no sort of the whole frame: pick the latest row per group
    return (
        daily.filter(pl.col("date") <= as_of)
        .group_by(KEY)
        .agg(
            pl.col("status").get(latest),
            pl.col("daily_budget").get(latest),
            pl.col("currency").get(latest).fill_null("BRL"),
            pl.col("date").filter(pl.col("spend") > 0).max().alias("last_spend_date"),
        )
    )


def _classification_view(classifications: pl.DataFrame) -> pl.DataFrame:
    """tier (today's, by the rules), its confidence, and the model's next-week probabilities of the tiers
    the rules rely on (null without a model)."""
    cols = classifications.columns
    probs = "probabilities" in cols and isinstance(classifications.schema["probabilities"], pl.Struct)
    fields = {f.name for f in classifications.schema["probabilities"].fields} if probs else set()

    def prob(*tiers: str) -> pl.Expr:
        if not probs or not set(tiers) <= fields:
            return pl.lit(None, dtype=pl.Float64)
        return pl.sum_horizontal(pl.col("probabilities").struct.field(t) for t in tiers)

    method = pl.col("method") if "method" in cols else pl.lit("rules")
    has_all = probs and set(TIERS) <= fields
    return classifications.select(
        *KEY,
        pl.col("tier"),
        pl.col("confidence_score").alias("tier_confidence"),
        method.alias("tier_method"),
        prob("HIGH_PERFORMER").alias("p_high"),
        prob("LOW", "UNDERPERFORMER").alias("p_poor"),
        prob("UNDERPERFORMER").alias("p_under"),
        # the model's "likely to fall": P(next week's tier below today's rule tier)
        (fall_probability() if has_all else pl.lit(None, dtype=pl.Float64)).alias("p_fall"),
    ).unique(KEY, keep="last")


def open_campaign_anomalies(open_anomalies: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Campaign anomalies that are open (not acknowledged) and dated on or before as_of."""
    a = open_anomalies
    if "entity_type" in a.columns:
        a = a.filter(pl.col("entity_type") == "campaign")
    if "is_acknowledged" in a.columns:
        a = a.filter(~pl.col("is_acknowledged").fill_null(False))
    return a.with_columns(pl.col("anomaly_date").cast(pl.Date)).filter(pl.col("anomaly_date") <= as_of)


DELIVERY_STOPS = ("ZERO_SPEND", "ZERO_IMPRESSIONS")  # the first day of a stop, one alert per stop


def _anomaly_flags(
    open_anomalies: pl.DataFrame, as_of: dt.date, config: RecommendationConfig
) -> pl.DataFrame:
    a = open_campaign_anomalies(open_anomalies, as_of)
    recent = pl.col("anomaly_date") > as_of - dt.timedelta(days=config.anomaly_trigger_days)
    in_schedule = pl.col("anomaly_date") > as_of - dt.timedelta(days=config.schedule_window_days)
    critical = critical_now = pl.col("severity") == "CRITICAL"
    if config.critical_block_days is not None:
        critical = critical & (pl.col("anomaly_date") > as_of - dt.timedelta(days=config.critical_block_days))
    return (
        a.group_by("config_id", "entity_id")
        .agg(
            critical.any().alias("has_critical"),
            pl.col("anomaly_type").filter(critical).unique().sort().str.join(",").alias("critical_types"),
            (recent & (pl.col("anomaly_type") == "REACH_SATURATION")).any().alias("saturation_open"),
            (recent & (pl.col("anomaly_type") == "CTR_DROP")).any().alias("ctr_drop_open"),
            # the anomaly module's tracking break: a run of days with spend and improbably 0 leads
            (recent & critical_now & (pl.col("anomaly_type") == "PERFORMANCE_DROP"))
            .any()
            .alias("leads_break_open"),
            # ... anywhere in the schedule's window: its weekday counts hold the break
            (in_schedule & critical_now & (pl.col("anomaly_type") == "PERFORMANCE_DROP"))
            .any()
            .alias("leads_break_in_schedule"),
            pl.col("anomaly_date").filter(pl.col("anomaly_type").is_in(DELIVERY_STOPS)).max().alias("_stop"),
        )
        .rename({"entity_id": "campaign_id"})
    )


def _forecast_summary(forecasts: pl.DataFrame) -> pl.DataFrame:
    """Leads expected over the next 7 days and the week's forecast CPL (its spend / its leads), per campaign.

    Not the mean of the daily CPL rows: a day's CPL is spend / max(leads, 1), so below a lead a day it is
    the day's spend, and the mean understated a R$ 318 CPL as R$ 90 (the leads a cut loses, tripled)."""
    f = forecasts.filter(pl.col("horizon_day") <= 7)
    of = lambda metric: pl.col("predicted_value").filter(pl.col("metric") == metric)  # noqa: E731
    return (
        f.group_by("config_id", "entity_id")
        .agg(
            (of("leads").mean() * 7).alias("fc_leads_7d"),
            pl.when(of("spend").sum() > 0).then(div(of("spend").sum(), of("leads").sum())).alias("fc_cpl"),
        )
        .rename({"entity_id": "campaign_id"})
    )


def rule_inputs(
    wide: pl.DataFrame,
    classifications: pl.DataFrame,
    open_anomalies: pl.DataFrame,
    forecasts: pl.DataFrame,
    attributes: pl.DataFrame,
    as_of: dt.date,
    config: RecommendationConfig,
) -> pl.DataFrame:
    """One row per campaign with everything the vectorised rules read."""
    base = (
        wide.join(attributes, on=KEY, how="left")
        .join(_classification_view(classifications), on=KEY, how="left")
        .join(_anomaly_flags(open_anomalies, as_of, config), on=KEY, how="left")
        .join(_forecast_summary(forecasts), on=KEY, how="left")
    )
    f = lambda name, w=7: pl.col(f"{name}_{w}d")  # noqa: E731
    prev = lambda name: pl.col(f"{name}_14d") - pl.col(f"{name}_7d")  # noqa: E731
    full_prev_week = pl.col("days_in_window_14d") >= 14  # previous 7 days exist in full
    prev_impr, prev_clicks = prev("impressions"), prev("clicks")
    ctr7 = div(f("clicks").cast(pl.Float64), f("impressions").cast(pl.Float64))
    actr7 = f("account_ctr") / 100
    pooled = div(
        (f("clicks") + prev_clicks).cast(pl.Float64), (f("impressions") + prev_impr).cast(pl.Float64)
    )
    prev_ctr = div(prev_clicks.cast(pl.Float64), prev_impr.cast(pl.Float64))
    return base.with_columns(
        pl.col("has_critical").fill_null(False),
        pl.col("saturation_open").fill_null(False),
        pl.col("ctr_drop_open").fill_null(False),
        pl.col("leads_break_open").fill_null(False),
        pl.col("leads_break_in_schedule").fill_null(False),
        pl.col("currency").fill_null("BRL"),
        entity_type=pl.lit("campaign"),
        # an open delivery stop that no spend has followed yet: the campaign is not delivering now
        delivery_stopped=(
            pl.col("_stop").is_not_null()
            & (pl.col("last_spend_date").is_null() | (pl.col("_stop") > pl.col("last_spend_date")))
        ),
        is_active_now=pl.col("status") == "ACTIVE",
        has_daily_budget=pl.col("daily_budget").fill_null(0) > 0,
        learning=f("leads").fill_null(0) < config.learning_min_leads_7d,  # reported, gates nothing
        cpl_upper_7d=cpl_upper_bound(f("cpl"), f("leads"), config.scale_evidence_alpha),
        cpl_upper_30d=cpl_upper_bound(f("cpl", 30), f("leads", 30), config.scale_evidence_alpha),
        cpl_lower_7d=cpl_lower_bound(f("cpl"), f("leads"), config.scale_evidence_alpha),
        likely_to_fall=(pl.col("p_fall") >= config.scale_max_fall_probability).fill_null(False),
        # true CPL ratios (null without leads); the classifier's cpl_ratio is the pessimistic variant
        cpl_rel_7d=div(f("cpl"), f("account_cpl")),
        cpl_rel_30d=div(f("cpl", 30), f("account_cpl", 30)),
        dwl_ratio_7d=div(f("days_with_leads").cast(pl.Float64), f("days_in_window").cast(pl.Float64)),
        dwl_ratio_30d=div(
            f("days_with_leads", 30).cast(pl.Float64), f("days_in_window", 30).cast(pl.Float64)
        ),
        budget_use=div(f("avg_daily_spend"), pl.col("daily_budget")),
        ref_cpl=pl.coalesce(f("account_cpl"), f("account_cpl", 30)),
        reach_trend_7d=pl.when(full_prev_week & (prev("reach") > 0)).then(
            (f("reach") - prev("reach")) / prev("reach") * 100
        ),
        # count-aware CTR: z of the campaign's clicks against the account's CTR (binomial standard error)
        ctr_z_vs_account=div(ctr7 - actr7, (actr7 * (1 - actr7) / f("impressions")).sqrt()),
        # two-proportion z of this week's CTR against the previous week's
        ctr_z_vs_prev=pl.when(full_prev_week).then(
            div(ctr7 - prev_ctr, (pooled * (1 - pooled) * (1 / f("impressions") + 1 / prev_impr)).sqrt())
        ),
    )


CLASSIFICATION_SCHEMA: dict[str, pl.DataType] = {
    "config_id": pl.Int64(),
    "campaign_id": pl.String(),
    "tier": pl.String(),
    "confidence_score": pl.Float64(),
    "method": pl.String(),
}


def or_empty(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema) if frame.width == 0 else frame
