"""What every stage's schedule shares: one ranged run over every account, in FamaChat's timezone."""

from __future__ import annotations

import dagster as dg

from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.defs.shared.partitions import config_partitions

# Every job reads the source into the shared ad_insights hand-off: dagster.yaml lets one such run go at a
# time (the rest wait in the run queue), so an hourly run never interleaves with the daily one.
RUN_TAGS = {"famachat/pipeline": "graph"}


def account_job(
    name: str, *asset_keys: str, description: str | None = None
) -> dg.UnresolvedAssetJobDefinition:
    """A job over `asset_keys` (all assets when empty), partitioned by account, queued like the others."""
    selection = dg.AssetSelection.assets(*asset_keys) if asset_keys else dg.AssetSelection.all()
    return dg.define_asset_job(
        name, selection=selection, partitions_def=config_partitions, tags=RUN_TAGS, description=description
    )


def ranged_run_tags(first: str, last: str) -> dict[str, str]:
    return {
        "dagster/asset_partition_range_start": first,
        "dagster/asset_partition_range_end": last,
    }


def _all_accounts(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    """One ranged run over every account: the graph processes them in a single vectorised pass."""
    keys = context.instance.get_dynamic_partitions(config_partitions.name)
    if not keys:
        return dg.SkipReason("no accounts registered yet")
    return dg.RunRequest(run_key=None, tags=ranged_run_tags(keys[0], keys[-1]))


def all_accounts_schedule(
    name: str, job: dg.UnresolvedAssetJobDefinition, cron: str
) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone=DEFAULT_TIMEZONE,
        execution_fn=_all_accounts,
    )
