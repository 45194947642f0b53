"""What every stage's schedule and sensor shares: ranged runs over accounts, in FamaChat's timezone, queued
one at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import dagster as dg

from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.defs.shared.io_managers import RETRY_FROM_FIRST_STEP
from famachat_ml_pipeline.defs.shared.partitions import (
    config_partitions,
    ranged_run_requests,
    ranged_run_tags,
)

__all__ = ["ranged_run_tags"]  # kept importable from here for the jobs that build ranged runs

# Every job reads the source into the shared ad_insights hand-off: dagster.yaml lets one such run go at a
# time (the rest wait in the run queue), so an hourly run never interleaves with the daily one.
PIPELINE_TAG = "famachat/pipeline"
RUN_TAGS = {PIPELINE_TAG: "graph"}
# A run whose process died (kill -9, out of memory) is re-run once by the daemon (dagster.yaml
# `run_retries`), from its first step: its frames were in that process's memory, so Dagster's default
# "from failure" would have nothing to load. Runs launched without these tags (the UI's) get the retry
# strategy from the IO managers when they hand over their first frame (defs/shared/io_managers.py).
JOB_TAGS = {**RUN_TAGS, **RETRY_FROM_FIRST_STEP}


def account_job(
    name: str, *asset_keys: str, description: str | None = None
) -> dg.UnresolvedAssetJobDefinition:
    """A job over `asset_keys` (all assets when empty), partitioned by account, queued like the others."""
    selection = dg.AssetSelection.assets(*asset_keys) if asset_keys else dg.AssetSelection.all()
    return dg.define_asset_job(
        name,
        selection=selection,
        partitions_def=config_partitions,
        tags=JOB_TAGS,
        description=description,
    )


def contiguous_ranges(ordered_keys: Sequence[str], wanted: set[str], max_gap: int = 0) -> list[list[str]]:
    """Split the wanted keys into runs that are contiguous in the instance's partition order.

    A Dagster ranged run covers start..end inclusive, so a non-contiguous selection needs several runs.
    With `max_gap` > 0, two ranges separated by at most that many unwanted keys become one run that also
    covers those keys: re-running a few unchanged accounts in a vectorised pass costs less than a run.
    """
    ranges: list[list[str]] = []
    current: list[str] = []
    gap: list[str] = []
    for key in ordered_keys:
        if key in wanted:
            if current and gap and len(gap) <= max_gap:
                current.extend(gap)
            elif current and gap:
                ranges.append(current)
                current = []
            current.append(key)
            gap = []
        elif current:
            gap.append(key)
    if current:
        ranges.append(current)
    return ranges


def _all_accounts(context: dg.ScheduleEvaluationContext) -> Iterator[dg.RunRequest | dg.SkipReason]:
    """One ranged run over every account (a single vectorised pass), or one per MAX_PARTITIONS_PER_RUN
    chunk when that is set (a schedule yields several requests; their run keys name tick and chunk)."""
    keys = context.instance.get_dynamic_partitions(config_partitions.name)
    if not keys:
        yield dg.SkipReason("no accounts registered yet")
        return
    # a tick with several requests needs a run key on each (Dagster scopes them to the tick)
    yield from ranged_run_requests(keys, run_key_prefix="all-accounts")


# Schedules run as soon as a daemon runs (`famachat-ml serve` or `ui`); stop one in the UI or with
# `dagster schedule stop NAME` (README, "Schedules and sensors").
RUNNING = dg.DefaultScheduleStatus.RUNNING


def all_accounts_schedule(
    name: str, job: dg.UnresolvedAssetJobDefinition, cron: str, description: str | None = None
) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone=DEFAULT_TIMEZONE,
        execution_fn=_all_accounts,
        default_status=RUNNING,
        description=description,
    )
