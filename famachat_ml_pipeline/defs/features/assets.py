"""campaign_features: the seed's per-campaign features over 7, 14 and 30 days, written to ml_features."""

import dagster as dg
import polars as pl

from famachat_ml_pipeline.core.features import compute_features_wide, features_long
from famachat_ml_pipeline.db.writer import replace_features
from famachat_ml_pipeline.defs.shared.account_run import AccountRun
from famachat_ml_pipeline.defs.shared.io_managers import PASS_ALONG_IO_MANAGER
from famachat_ml_pipeline.defs.shared.partitions import account_asset
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource


@account_asset(
    group_name="features",
    kinds={"polars", "sql"},
    # the wide frame goes on to the classifications and recommendations of the same run
    io_manager_key=PASS_ALONG_IO_MANAGER,
)
def campaign_features(
    context: dg.AssetExecutionContext, database: DatabaseResource, ad_insights: pl.DataFrame
) -> dg.Output[pl.DataFrame | None]:
    """Writes ml_features: one row per campaign and window (7/14/30 days), replacing the day's rows."""
    run = AccountRun.from_context(context, database)
    if ad_insights.is_empty():
        return dg.Output(None, metadata=run.metadata(rows_read=0, rows_written=0, campaigns=0))
    with run.timer("compute"):
        wide = compute_features_wide(ad_insights, run.as_of)
        features = features_long(wide)
    with run.writing():
        written = replace_features(database.engine(), features, run.config_ids, run.as_of)
    campaigns = features.select("config_id", "campaign_id").n_unique()
    context.log.info(f"campaign_features: {campaigns:,} campaigns, {written:,} rows as of {run.as_of}")
    return dg.Output(
        wide,
        metadata=run.metadata(
            rows_read=ad_insights.height,
            rows_set_aside=ad_insights["spend"].null_count(),  # unknown days skipped, not zeroed
            campaigns=campaigns,
            rows_written=written,
            insufficient_data_rows=int(features["insufficient_data"].sum()),
        ),
    )
