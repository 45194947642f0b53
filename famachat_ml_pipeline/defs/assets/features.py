"""campaign_features: the seed's per-campaign features over 7, 14 and 30 days, written to ml_features."""

import dagster as dg
import polars as pl

from famachat_ml_pipeline.core.features import compute_features
from famachat_ml_pipeline.db.writer import replace_features
from famachat_ml_pipeline.defs.partitions import account_asset, partition_config_ids
from famachat_ml_pipeline.defs.resources import DatabaseResource
from famachat_ml_pipeline.defs.run_context import StageTimer


@account_asset(
    group_name="features",
    kinds={"polars", "sql"},
)
def campaign_features(
    context: dg.AssetExecutionContext, database: DatabaseResource, ad_insights: pl.DataFrame
) -> dg.MaterializeResult:
    """Writes ml_features: one row per campaign and window (7/14/30 days), replacing the day's rows."""
    config_ids = partition_config_ids(context)
    timer = StageTimer()
    if ad_insights.is_empty():
        return dg.MaterializeResult(metadata={"rows_read": 0, "rows_written": 0, "campaigns": 0})
    as_of = ad_insights["date"].max()
    with timer("compute"):
        features = compute_features(ad_insights, as_of)
    with timer("write"):
        written = replace_features(database.engine(), features, config_ids, as_of)
    campaigns = features.select("config_id", "campaign_id").n_unique()
    context.log.info(f"campaign_features: {campaigns:,} campaigns, {written:,} rows as of {as_of}")
    return dg.MaterializeResult(
        metadata={
            "as_of": as_of.isoformat(),
            "rows_read": ad_insights.height,
            "rows_set_aside": ad_insights["spend"].null_count(),  # unknown days skipped, not zeroed
            "campaigns": campaigns,
            "rows_written": written,
            "insufficient_data_rows": int(features["insufficient_data"].sum()),
            **timer.metadata(),
        }
    )
