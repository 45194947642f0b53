"""A fresh deployment trains its first model once, as soon as accounts exist; later, only the 05:00 job."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.db import registry
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.defs.classification.sensors import FIRST_MODEL_RUN_KEY, first_model_sensor
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource
from famachat_ml_pipeline_tests.conftest import instance_for_test


def test_first_model_is_requested_once(sqlite_url: str) -> None:
    migrate(sqlite_url)
    database = DatabaseResource(url=sqlite_url, default_timezone=DEFAULT_TIMEZONE)
    with instance_for_test() as instance:

        def tick(cursor: str | None) -> dg.SensorResult | dg.SkipReason:
            ctx = dg.build_sensor_context(instance=instance, resources={"database": database}, cursor=cursor)
            return first_model_sensor(ctx)

        assert isinstance(tick(None), dg.SkipReason)  # no accounts yet
        instance.add_dynamic_partitions("config_id", ["1"])
        first = tick(None)
        assert [r.run_key for r in first.run_requests] == [FIRST_MODEL_RUN_KEY]
        assert isinstance(tick(first.cursor), dg.SkipReason)  # once

    with instance_for_test() as instance:  # a deployment that already has a model: nothing to do
        instance.add_dynamic_partitions("config_id", ["1"])
        registry.register_model(
            get_engine(sqlite_url),
            name="m",
            model_type="CAMPAIGN_CLASSIFIER",
            version="v1",
            path="/x.ubj",
            parameters={},
            feature_columns=[],
            training_metrics={},
            validation_metrics={},
            samples_count=1,
            data_start=dt.date(2026, 1, 1),
            data_end=dt.date(2026, 1, 1),
            activate=False,
        )
        ctx = dg.build_sensor_context(instance=instance, resources={"database": database})
        result = first_model_sensor(ctx)
        assert not result.run_requests and result.cursor == FIRST_MODEL_RUN_KEY
