"""Keeps the `config_id` partitions in step with the accounts in FamaChat's source tables."""

import dagster as dg

from famachat_ml_pipeline.defs.shared.partitions import config_partitions
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource
from famachat_ml_pipeline.source.read import list_config_ids


def missing_partitions(instance: dg.DagsterInstance, source_ids: list[int]) -> list[str]:
    known = set(instance.get_dynamic_partitions(config_partitions.name))
    return [str(c) for c in source_ids if str(c) not in known]


@dg.sensor(minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.RUNNING)
def config_id_partitions_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource
) -> dg.SensorResult | dg.SkipReason:
    """Adds a partition for each ad account that appears in sistema_facebook_ads_campaigns."""
    new = missing_partitions(context.instance, list_config_ids(database.engine()))
    if not new:
        return dg.SkipReason("no new accounts")
    context.log.info(f"adding {len(new)} config_id partitions")
    return dg.SensorResult(dynamic_partitions_requests=[config_partitions.build_add_request(new)])
