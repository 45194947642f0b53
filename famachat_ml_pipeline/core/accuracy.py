"""Prediction validation (the seed's daily job): compare stored predictions with restated actuals."""

from __future__ import annotations

import polars as pl

from famachat_ml_pipeline.core.frames import KEY
from famachat_ml_pipeline.core.vocab import METRIC_OF

SEASON = 7  # MASE scale: the in-sample seasonal naive error (weekly)


def daily_actuals(daily: pl.DataFrame) -> pl.DataFrame:
    """Long (campaign, day, metric, actual): spend, leads and CPL (null on a zero-lead day, never inf)."""
    wide = daily.select(
        *KEY,
        "date",
        "spend",
        pl.col("leads").cast(pl.Float64),
        cpl=pl.when(pl.col("leads") > 0).then(pl.col("spend") / pl.col("leads")),
    )
    return wide.unpivot(index=[*KEY, "date"], variable_name="metric", value_name="actual")


def mase_scales(actuals: pl.DataFrame) -> pl.DataFrame:
    """Mean |y_t - y_{t-7}| per campaign and metric over the history in the frame."""
    return (
        actuals.sort("date")
        .with_columns(_d=(pl.col("actual") - pl.col("actual").shift(SEASON)).abs().over([*KEY, "metric"]))
        .group_by([*KEY, "metric"])
        .agg(scale=pl.col("_d").mean())
    )


def score_predictions(predictions: pl.DataFrame, daily: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """Fill actual_value, absolute_error and percentage_error for predictions whose day is complete.

    `predictions` has id, config_id, entity_id, prediction_type, forecast_date (a date), predicted_value,
    confidence_lower, confidence_upper and the stored actual_value. Returns the rows whose actual is new
    or restated, and per-metric MAPE, MASE and 95 % interval coverage over every scored prediction.
    """
    actuals = daily_actuals(daily)
    scored = (
        predictions.with_columns(metric=pl.col("prediction_type").replace_strict(METRIC_OF))
        .rename({"entity_id": "campaign_id"})
        .join(
            actuals.rename({"date": "forecast_date", "actual": "_actual"}),
            on=[*KEY, "forecast_date", "metric"],
        )
        .with_columns(
            absolute_error=(pl.col("predicted_value") - pl.col("_actual")).abs(),
            percentage_error=pl.when(pl.col("_actual") != 0).then(
                (pl.col("predicted_value") - pl.col("_actual")) / pl.col("_actual") * 100
            ),
        )
        .join(mase_scales(actuals), on=[*KEY, "metric"], how="left")
    )
    # new, restated, or no longer known (the day's row was set aside, or a CPL day lost its leads): the
    # stored actual then goes back to null rather than keeping a value the source no longer supports
    changed = scored.filter(
        ((pl.col("actual_value") - pl.col("_actual")).abs().fill_null(0) > 1e-9)
        | (pl.col("actual_value").is_null() != pl.col("_actual").is_null())
    ).select(
        "id", actual_value="_actual", absolute_error="absolute_error", percentage_error="percentage_error"
    )
    metrics = (
        scored.filter(pl.col("_actual").is_not_null())
        .group_by("metric")
        .agg(
            n=pl.len(),
            mape=pl.col("percentage_error").abs().mean(),
            mase=(pl.col("absolute_error") / pl.col("scale")).filter(pl.col("scale") > 0).mean(),
            coverage=pl.col("_actual").is_between("confidence_lower", "confidence_upper").mean(),
        )
        .sort("metric")
    )
    return changed, {r["metric"]: {k: v for k, v in r.items() if k != "metric"} for r in metrics.to_dicts()}
