"""Jobs and their schedules: the seed's Celery beat table, in America/Sao_Paulo, as Dagster schedules."""

import dagster as dg

from famachat_ml_pipeline.defs.partitions import config_partitions

TIMEZONE = "America/Sao_Paulo"
# Every job reads the source into the shared ad_insights hand-off: dagster.yaml lets one such run go at a
# time (the rest wait in the run queue), so an hourly run never interleaves with the daily one.
RUN_TAGS = {"famachat/pipeline": "graph"}

ml_pipeline_job = dg.define_asset_job(
    "ml_pipeline", selection=dg.AssetSelection.all(), partitions_def=config_partitions, tags=RUN_TAGS,
    description="The whole graph (the seed's daily-ml-pipeline).",
)  # fmt: skip
anomaly_job = dg.define_asset_job(
    "hourly_anomaly_detection",
    selection=dg.AssetSelection.assets("ad_insights", "campaign_anomalies"),
    partitions_def=config_partitions,
    tags=RUN_TAGS,
    description="Re-reads the source and upserts anomalies; never duplicates them.",
)
forecast_job = dg.define_asset_job(
    "batch_predictions",
    selection=dg.AssetSelection.assets("ad_insights", "campaign_forecasts"),
    partitions_def=config_partitions,
    tags=RUN_TAGS,
)
validation_job = dg.define_asset_job(
    "daily_prediction_validation",
    selection=dg.AssetSelection.assets("ad_insights", "forecast_accuracy"),
    partitions_def=config_partitions,
    tags=RUN_TAGS,
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


def _schedule(name: str, job: object, cron: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name=name, job=job, cron_schedule=cron, execution_timezone=TIMEZONE, execution_fn=_all_accounts
    )


schedules = [
    _schedule("daily_ml_pipeline", ml_pipeline_job, "0 2 * * *"),
    _schedule("hourly_anomaly_detection_schedule", anomaly_job, "30 * * * *"),
    _schedule("batch_predictions_schedule", forecast_job, "15 */4 * * *"),
    _schedule("daily_prediction_validation_schedule", validation_job, "0 8 * * *"),
]
jobs = [ml_pipeline_job, anomaly_job, forecast_job, validation_job]
