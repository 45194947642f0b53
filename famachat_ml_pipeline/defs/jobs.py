"""The whole graph as one job, and its daily schedule (the seed's 02:00 in America/Sao_Paulo)."""

import dagster as dg

from famachat_ml_pipeline.defs.partitions import config_partitions

ml_pipeline_job = dg.define_asset_job(
    "ml_pipeline", selection=dg.AssetSelection.all(), partitions_def=config_partitions
)


def ranged_run_tags(first: str, last: str) -> dict[str, str]:
    return {
        "dagster/asset_partition_range_start": first,
        "dagster/asset_partition_range_end": last,
    }


@dg.schedule(job=ml_pipeline_job, cron_schedule="0 2 * * *", execution_timezone="America/Sao_Paulo")
def daily_ml_pipeline(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    """One ranged run over every account: the graph processes them in a single vectorised pass."""
    keys = context.instance.get_dynamic_partitions(config_partitions.name)
    if not keys:
        return dg.SkipReason("no accounts registered yet")
    return dg.RunRequest(run_key=None, tags=ranged_run_tags(keys[0], keys[-1]))
