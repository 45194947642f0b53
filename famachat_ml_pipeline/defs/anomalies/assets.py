"""campaign_anomalies: the 12 anomaly types for the last 28 complete days, upserted into ml_anomalies."""

import datetime as dt

import dagster as dg
import polars as pl

from famachat_ml_pipeline.core.anomalies import AnomalyConfig, detect_anomalies
from famachat_ml_pipeline.db.writer import upsert_anomalies
from famachat_ml_pipeline.defs.shared.account_run import AccountRun
from famachat_ml_pipeline.defs.shared.partitions import account_asset
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource


class AnomalyRunConfig(dg.Config):
    # Every run re-detects the 28 days Meta may restate (recommendations read the last 7): an anomaly
    # the restated data no longer shows is withdrawn, e.g. a ZERO_SPEND from a day that arrived late.
    lookback_days: int = 28
    z_threshold: float = 2.5
    robust_z_threshold: float = 3.5
    frequency_threshold: float = 3.5


def _counts(frame: pl.DataFrame, col: str) -> dict[str, int]:
    return dict(sorted(frame.group_by(col).len().iter_rows())) if frame.height else {}


@account_asset(
    group_name="anomalies",
    kinds={"polars", "sql"},
)
def campaign_anomalies(
    context: dg.AssetExecutionContext,
    config: AnomalyRunConfig,
    database: DatabaseResource,
    ad_insights: pl.DataFrame,
) -> dg.MaterializeResult:
    """Upserts ml_anomalies (one row per account, campaign, type, metric and day), keeping users' acks."""
    run = AccountRun.from_context(context, database)
    if ad_insights.is_empty():
        return run.result(rows_read=0, anomalies=0)
    as_of = run.as_of
    settings = AnomalyConfig(
        z_threshold=config.z_threshold,
        robust_z_threshold=config.robust_z_threshold,
        frequency_threshold=config.frequency_threshold,
    )
    with run.timer("compute"):
        found = detect_anomalies(ad_insights, as_of, settings, lookback_days=config.lookback_days)
    days = [as_of - dt.timedelta(days=i) for i in range(config.lookback_days)]
    with run.timer("write"):
        written = upsert_anomalies(database.engine(), found, run.config_ids, days)
    context.log.info(
        f"campaign_anomalies: {found.height:,} anomalies as of {as_of}: {written['inserted']:,} new, "
        f"{written['updated']:,} updated, {written['unchanged']:,} unchanged, "
        f"{written['withdrawn']:,} withdrawn"
    )
    return run.result(
        rows_read=ad_insights.height,
        campaigns=ad_insights.select("config_id", "campaign_id").n_unique(),
        anomalies=found.height,
        by_type=dg.MetadataValue.json(_counts(found, "anomaly_type")),
        by_severity=dg.MetadataValue.json(_counts(found, "severity")),
        **written,
    )
