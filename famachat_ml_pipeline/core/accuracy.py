"""Prediction validation (the seed's daily job): compare stored predictions with restated actuals."""

from __future__ import annotations

import polars as pl

from famachat_ml_pipeline.core.frames import KEY
from famachat_ml_pipeline.core.vocab import METRIC_OF

SEASON = 7  # MASE scale: the in-sample seasonal naive error (weekly)
METRICS = ("spend", "leads", "cpl")


def daily_actuals(daily: pl.DataFrame) -> pl.DataFrame:
    """Wide (campaign, day): spend, leads and CPL (null on a zero-lead day, never inf)."""
    return daily.select(
        *KEY,
        "date",
        "spend",
        pl.col("leads").cast(pl.Float64),
        cpl=pl.when(pl.col("leads") > 0).then(pl.col("spend") / pl.col("leads")),
    )


def mase_scales(actuals: pl.DataFrame) -> pl.DataFrame:
    """Long (campaign, metric, scale): mean |y_t - y_{t-7}| over the history in the wide `actuals`.

    One sort by campaign and day, then a shift by 7 rows that counts only within the same campaign:
    the window function per (campaign, metric) of a long frame did the same on 3x the rows."""
    ordered = actuals.sort([*KEY, "date"])
    same = pl.all_horizontal(pl.col(k) == pl.col(k).shift(SEASON) for k in KEY)
    return (
        ordered.select(
            *KEY, *[pl.when(same).then((pl.col(m) - pl.col(m).shift(SEASON)).abs()).alias(m) for m in METRICS]
        )
        .group_by(KEY)
        .agg(pl.col(m).mean() for m in METRICS)
        .unpivot(index=KEY, variable_name="metric", value_name="scale")
    )


def score_predictions(predictions: pl.DataFrame, daily: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """Fill actual_value, absolute_error and percentage_error for predictions whose day is complete.

    `predictions` has id, config_id, entity_id, prediction_type, forecast_date (a date), predicted_value,
    confidence_lower, confidence_upper and the stored actual_value. Returns the rows whose actual is new
    or restated, and per-metric MAPE, MASE and 95 % interval coverage over every scored prediction.
    """
    predicted = predictions.with_columns(metric=pl.col("prediction_type").replace_strict(METRIC_OF)).rename(
        {"entity_id": "campaign_id"}
    )
    # only the predicted campaigns' history is needed (none at all on a fleet's first forecast day)
    actuals = daily_actuals(daily.join(predicted.select(KEY).unique(), on=KEY, how="semi"))
    scored = (
        predicted.join(actuals.rename({"date": "forecast_date"}), on=[*KEY, "forecast_date"])
        .with_columns(_actual=pl.coalesce(pl.when(pl.col("metric") == m).then(pl.col(m)) for m in METRICS))
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
