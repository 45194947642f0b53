"""campaign_anomalies: the 12 anomaly types for the last 28 complete days, upserted into ml_anomalies."""

import datetime as dt

import dagster as dg
import polars as pl

from famachat_ml_pipeline.core.anomalies import AnomalyConfig, detect_anomalies
from famachat_ml_pipeline.core.anomalies.inputs import campaigns_to_detect, input_fingerprints
from famachat_ml_pipeline.core.frames import KEY
from famachat_ml_pipeline.db.reader import read_anomaly_inputs
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
    # Re-detect only the campaigns whose input rows (or the settings, or as_of) changed since their last
    # detection: the stored rows of the others are exactly what detecting them again would write
    # (core.anomalies.inputs). False detects and rewrites every campaign of the run.
    reuse_unchanged: bool = True


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
    lookback = config.lookback_days
    with run.timer("compute"):
        inputs = input_fingerprints(ad_insights, as_of, lookback, settings)
    scope = None
    if config.reuse_unchanged:
        with run.timer("read"):
            scope = campaigns_to_detect(inputs, read_anomaly_inputs(database.engine(), run.config_ids))
    with run.timer("compute"):
        frame = ad_insights if scope is None else ad_insights.join(scope, on=KEY, how="semi")
        found = detect_anomalies(frame, as_of, settings, lookback_days=lookback)
    days = [as_of - dt.timedelta(days=i) for i in range(lookback)]
    with run.writing():
        # a day whose source row was set aside is unknown, not a day without the anomaly
        unknown = ad_insights.filter(pl.col("spend").is_null() & pl.col("date").is_in(days)).select(
            *KEY, "date"
        )
        written = upsert_anomalies(
            database.engine(),
            found,
            run.config_ids,
            days,
            campaigns=scope,
            inputs=inputs,
            unknown_days=unknown,
        )
    detected = inputs.height if scope is None else scope.height
    kept = inputs.height - detected
    context.log.info(
        f"campaign_anomalies as of {as_of}: {detected:,} of {inputs.height:,} campaigns detected "
        f"({found.height:,} anomalies among them): {written['inserted']:,} new, {written['updated']:,} "
        f"updated, {written['unchanged']:,} unchanged, {written['withdrawn']:,} withdrawn"
        + (
            f"; {kept:,} campaigns' inputs unchanged since their last detection: their rows kept"
            if kept
            else ""
        )
    )
    return run.result(
        rows_read=ad_insights.height,
        campaigns=inputs.height,
        campaigns_detected=detected,
        anomalies=found.height,
        by_type=dg.MetadataValue.json(_counts(found, "anomaly_type")),
        by_severity=dg.MetadataValue.json(_counts(found, "severity")),
        **written,
    )
