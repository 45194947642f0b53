"""The sensor keeps config_id partitions in step with the source's accounts."""

from __future__ import annotations

import dagster as dg

from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.defs.ingest.sensors import config_id_partitions_sensor
from famachat_ml_pipeline.defs.shared.partitions import config_partitions
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo


def test_sensor_adds_new_accounts_once(db_url: str) -> None:
    write_demo(get_engine(db_url), generate_demo(n_accounts=3, days=40, seed=1, first_config_id=10))
    database = DatabaseResource(url=db_url, default_timezone=DEFAULT_TIMEZONE)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(config_partitions.name, ["10"])
        ctx = dg.build_sensor_context(instance=instance, resources={"database": database})
        result = config_id_partitions_sensor(ctx)
        assert isinstance(result, dg.SensorResult)
        (request,) = result.dynamic_partitions_requests
        assert request.partitions_def_name == "config_id"
        assert list(request.partition_keys) == ["11", "12"]

        instance.add_dynamic_partitions(config_partitions.name, list(request.partition_keys))
        again = config_id_partitions_sensor(
            dg.build_sensor_context(instance=instance, resources={"database": database})
        )
        assert isinstance(again, dg.SkipReason)
