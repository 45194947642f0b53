"""campaign_forecasts: spend, leads and CPL for the next days, with 95 % intervals."""

import datetime as dt

import dagster as dg
import polars as pl
from pydantic import Field

from famachat_ml_pipeline.core.accuracy import score_predictions
from famachat_ml_pipeline.core.forecasting import forecast_fleet
from famachat_ml_pipeline.db.reader import MAX_HORIZON_DAYS, read_predictions
from famachat_ml_pipeline.db.writer import fill_prediction_actuals, replace_forecasts
from famachat_ml_pipeline.defs.partitions import account_asset, partition_config_ids
from famachat_ml_pipeline.defs.resources import DatabaseResource
from famachat_ml_pipeline.defs.run_context import StageTimer

MODEL_VERSION = "forecast-1"
RESTATEMENT_DAYS = 28  # Meta may restate any of the last 28 days


class ForecastRunConfig(dg.Config):
    horizon_days: int = Field(default=7, ge=1, le=MAX_HORIZON_DAYS)
    method: str = "auto"


@account_asset(
    group_name="forecasts",
    kinds={"polars", "sql"},
)
def campaign_forecasts(
    context: dg.AssetExecutionContext,
    config: ForecastRunConfig,
    database: DatabaseResource,
    ad_insights: pl.DataFrame,
) -> dg.MaterializeResult:
    """Writes ml_forecasts (one row per campaign and metric) and ml_predictions (one per predicted day)."""
    config_ids = partition_config_ids(context)
    if ad_insights.is_empty():
        return dg.MaterializeResult(metadata={"rows_read": 0, "forecasts": 0})
    timer = StageTimer()
    as_of = ad_insights["date"].max()
    with timer("compute"):
        fc = forecast_fleet(ad_insights, as_of, horizon=config.horizon_days, method=config.method)
    with timer("write"):
        written = replace_forecasts(database.engine(), fc, config_ids, as_of, MODEL_VERSION)
    methods = dict(sorted(fc.filter(pl.col("horizon_day") == 1).group_by("method").len().iter_rows()))
    context.log.info(
        f"campaign_forecasts: {written['forecasts']:,} forecasts, {written['predictions']:,} predicted days "
        f"as of {as_of}"
    )
    return dg.MaterializeResult(
        metadata={
            "as_of": as_of.isoformat(),
            "rows_read": ad_insights.height,
            "campaigns": fc["entity_id"].n_unique() if fc.height else 0,
            "methods": dg.MetadataValue.json(methods),
            "insufficient_data_series": int(fc.filter(pl.col("horizon_day") == 1)["insufficient_data"].sum()),
            **written,
            **timer.metadata(),
        }
    )


@account_asset(
    group_name="forecasts",
    kinds={"polars", "sql"},
    deps=[campaign_forecasts],
)
def forecast_accuracy(
    context: dg.AssetExecutionContext, database: DatabaseResource, ad_insights: pl.DataFrame
) -> dg.MaterializeResult:
    """Fills actual_value and errors in ml_predictions from restated actuals (the last 28 days)."""
    config_ids = partition_config_ids(context)
    if ad_insights.is_empty():
        return dg.MaterializeResult(metadata={"rows_read": 0, "predictions_scored": 0})
    timer = StageTimer()
    as_of = ad_insights["date"].max()
    first = max(ad_insights["date"].min(), as_of - dt.timedelta(days=RESTATEMENT_DAYS - 1))
    with timer("read"):
        predictions = read_predictions(database.engine(), config_ids, first, as_of)
    with timer("compute"):
        updates, metrics = score_predictions(predictions, ad_insights)
    with timer("write"):
        written = fill_prediction_actuals(database.engine(), updates)
    context.log.info(f"forecast_accuracy: {written:,} predictions filled or re-filled")
    return dg.MaterializeResult(
        metadata={
            "as_of": as_of.isoformat(),
            "rows_read": predictions.height,
            "predictions_filled": written,
            "accuracy_by_metric": dg.MetadataValue.json(metrics),
            **{
                f"{m}_{k}": v
                for m, vals in metrics.items()
                for k, v in vals.items()
                if k != "n" and v is not None
            },
            **timer.metadata(),
        }
    )
