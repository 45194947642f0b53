"""ad_insights: the one asset that reads, cleans and validates FamaChat's source tables."""

from collections.abc import Iterator

import dagster as dg

from famachat_ml_pipeline.defs.shared.account_run import AccountRun
from famachat_ml_pipeline.defs.shared.partitions import account_asset
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource
from famachat_ml_pipeline.source.clean import REJECT_REASONS
from famachat_ml_pipeline.source.read import read_daily_insights

# Above this share of rows set aside, the source sync is probably broken, not merely dirty.
MAX_SET_ASIDE_RATE = 0.01

CHECKS = [
    dg.AssetCheckSpec(
        "rows_set_aside_rate",
        asset="ad_insights",
        description=f"At most {MAX_SET_ASIDE_RATE:.0%} of source rows set aside "
        "(restatements excluded; counts by reason in the metadata).",
    ),
    dg.AssetCheckSpec(
        "no_future_dates",
        asset="ad_insights",
        description="No insight dated after today in its account's timezone.",
    ),
    dg.AssetCheckSpec(
        "no_orphan_insights",
        asset="ad_insights",
        description="Every insight's campaign exists in the campaigns table.",
    ),
]


@account_asset(
    io_manager_key="daily_frame_io_manager",
    check_specs=CHECKS,
    group_name="ingest",
    kinds={"polars"},
)
def ad_insights(context: dg.AssetExecutionContext, database: DatabaseResource) -> Iterator:
    """Clean, dense daily campaign insights: one row per campaign per complete day, zero days filled."""
    run = AccountRun.from_context(context, database)
    with run.timer("read"):
        read = read_daily_insights(database.engine(), run.config_ids, run.as_of)
    by_reason = {r: read.rejected.get(r, 0) for r in REJECT_REASONS}
    context.log.info(
        f"ad_insights: {read.rows_read:,} source rows for {len(run.config_ids)} accounts as of {run.as_of}; "
        f"{read.rows_set_aside:,} set aside; {read.daily.height:,} campaign-days "
        f"in {run.timer.seconds['read']:.1f}s"
    )
    if read.daily.is_empty():
        context.log.warning(
            f"ad_insights: no complete day of insights on or before {run.as_of} for accounts "
            f"{', '.join(map(str, run.config_ids))}: nothing downstream to compute "
            "(a run of the latest day retires their recommendations)"
            + (
                " (every row was set aside)"
                if read.rows_read
                else " (is the day before their first insight?)"
            )
        )
    yield dg.Output(
        read.daily,
        metadata=run.metadata(
            accounts=len(run.config_ids),
            rows_read=read.rows_read,
            rows_set_aside=read.rows_set_aside,
            set_aside_by_reason=dg.MetadataValue.json(by_reason),
            campaigns=read.daily.select("config_id", "campaign_id").n_unique() if read.daily.height else 0,
            rows_written=read.daily.height,  # campaign-days handed to the downstream assets
        ),
    )
    real_rejects = read.rows_set_aside - by_reason["duplicate_superseded"]  # restatements are normal
    rate = real_rejects / read.rows_read if read.rows_read else 0.0
    warn = dg.AssetCheckSeverity.WARN
    yield dg.AssetCheckResult(
        check_name="rows_set_aside_rate",
        passed=rate <= MAX_SET_ASIDE_RATE,
        severity=warn,
        metadata={
            "rate": rate,
            "by_reason": dg.MetadataValue.json(by_reason),
            "examples": dg.MetadataValue.json(read.reject_examples),
        },
    )
    yield dg.AssetCheckResult(
        check_name="no_future_dates",
        passed=by_reason["future_date"] == 0,
        severity=warn,
        metadata={"future_rows": by_reason["future_date"]},
    )
    yield dg.AssetCheckResult(
        check_name="no_orphan_insights",
        passed=by_reason["orphan_campaign"] == 0,
        severity=warn,
        metadata={"orphan_rows": by_reason["orphan_campaign"]},
    )
