"""ad_insights: the one asset that reads, cleans and validates FamaChat's source tables."""

from collections.abc import Iterator

import dagster as dg
import polars as pl

from famachat_ml_pipeline.counted import counted
from famachat_ml_pipeline.db.reader import latest_classified_days
from famachat_ml_pipeline.defs.shared.account_run import AccountRun
from famachat_ml_pipeline.defs.shared.partitions import account_asset
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource
from famachat_ml_pipeline.source.clean import REJECT_REASONS, SourceRead
from famachat_ml_pipeline.source.read import read_daily_insights, read_start

# Above this share of rows set aside, the source sync is probably broken, not merely dirty.
MAX_SET_ASIDE_RATE = 0.01
KEPT_LINES = 20  # accounts named one by one in the log; a fleet-wide break is summed up after them

CHECKS = [
    dg.AssetCheckSpec(
        "rows_set_aside_rate",
        asset="ad_insights",
        description=f"At most {MAX_SET_ASIDE_RATE:.0%} of source rows set aside "
        "(copies of a used row excluded; counts by reason in the metadata), and no account whose every "
        "row was set aside (its results were kept).",
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
    run = AccountRun.from_context(context, database, reads_source=True)
    with run.timer("read"):
        read = read_daily_insights(database.engine(), run.config_ids, run.as_of)
    by_reason = {r: read.rejected.get(r, 0) for r in REJECT_REASONS}
    daily = _keep_results(context, database, run, read)
    context.log.info(
        f"ad_insights: {counted(read.rows_read, 'source row')} for "
        f"{counted(len(run.config_ids) + len(run.kept), 'account')} as "
        f"of {run.as_of}; {read.rows_set_aside:,} set aside; {daily.height:,} campaign-days "
        f"in {run.timer.seconds['read']:.1f}s"
    )
    if daily.is_empty() and run.config_ids:  # (those that kept their results are named above)
        context.log.warning(
            f"ad_insights: no complete day of insights on or before {run.as_of} for accounts "
            f"{', '.join(map(str, run.config_ids))}: nothing downstream to compute "
            f"(a run of the latest day retires their recommendations){_why_no_day(read, run)}"
        )
    yield dg.Output(
        daily,
        metadata=run.metadata(
            accounts=len(run.config_ids) + len(run.kept),
            rows_read=read.rows_read,
            rows_set_aside=read.rows_set_aside,
            set_aside_by_reason=dg.MetadataValue.json(by_reason),
            campaigns=daily.select("config_id", "campaign_id").n_unique() if daily.height else 0,
            rows_written=daily.height,  # campaign-days handed to the downstream assets
        ),
    )
    real_rejects = read.rows_set_aside - by_reason["duplicate_superseded"]  # a copy of a used row
    rate = real_rejects / read.rows_read if read.rows_read else 0.0
    warn = dg.AssetCheckSeverity.WARN
    yield dg.AssetCheckResult(
        check_name="rows_set_aside_rate",
        passed=rate <= MAX_SET_ASIDE_RATE and not read.all_set_aside,
        severity=warn,
        metadata={
            "rate": rate,
            "by_reason": dg.MetadataValue.json(by_reason),
            "examples": dg.MetadataValue.json(read.reject_examples),
            # config_id -> its rows set aside (JSON keys are text)
            "accounts_all_set_aside": dg.MetadataValue.json(
                {str(c): n for c, n in read.all_set_aside.items()}
            ),
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


def _why_no_day(read: SourceRead, run: AccountRun) -> str:
    """Why the run's accounts (those that did not keep their results) have no usable day. It said
    "(every row was set aside)" whenever a row was read: a backfill of a day before an account's first
    insight (its rows all later) looked like a broken sync. Every row set aside as malformed is not one of
    these cases: such an account kept its results (`_keep_results`)."""
    later = read.rows_outside_window
    orphans = read.rejected.get("orphan_campaign", 0)
    said = []
    if later:
        said.append(f"{later:,} rows read are after {run.as_of}: is it before their first insight?")
    if orphans:
        said.append(f"{orphans:,} rows of campaigns missing from the campaigns table, set aside")
    if not read.rows_read:
        said.append(f"no insight on or after {read_start(run.as_of)}: is it before their first insight?")
    return f" ({'; '.join(said)})" if said else ""


def _keep_results(
    context: dg.AssetExecutionContext, database: DatabaseResource, run: AccountRun, read: SourceRead
) -> pl.DataFrame:
    """The daily frame handed on, without the accounts whose every row was set aside: they keep their
    stored results (account_run.py), pinned on the run. The log names them, with the day of those results."""
    run.keep_results_of(list(read.all_set_aside))
    if not run.kept:
        return read.daily
    kept_days = latest_classified_days(database.engine(), run.kept, run.as_of)
    for config_id in run.kept[:KEPT_LINES]:
        day = kept_days.get(config_id)
        context.log.warning(
            f"account {config_id}: all {read.all_set_aside[config_id]:,} source rows set aside; "
            + (f"kept the results of {day}" if day else "no earlier results to keep (none written)")
        )
    if len(run.kept) > KEPT_LINES:
        context.log.warning(
            f"{len(run.kept) - KEPT_LINES:,} more accounts with every source row set aside kept their "
            f"results: {run.kept[KEPT_LINES:]}"
        )
    return read.daily.filter(~pl.col("config_id").is_in(run.kept))
