"""campaign_forecasts: spend, leads and CPL for the next days, with 95 % intervals."""

import dagster as dg
import polars as pl

from famachat_ml_pipeline.core.forecasting import forecast_fleet
from famachat_ml_pipeline.db.writer import replace_forecasts
from famachat_ml_pipeline.defs.partitions import backfill_policy, config_partitions, partition_config_ids
from famachat_ml_pipeline.defs.resources import DatabaseResource
from famachat_ml_pipeline.defs.run_context import StageTimer

MODEL_VERSION = "forecast-1"


class ForecastRunConfig(dg.Config):
    horizon_days: int = 7
    method: str = "auto"


@dg.asset(
    partitions_def=config_partitions,
    backfill_policy=backfill_policy,
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
    context.log.info(f"campaign_forecasts: {written} as of {as_of}")
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
