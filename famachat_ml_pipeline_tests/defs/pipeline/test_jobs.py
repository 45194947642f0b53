"""The whole-graph job's schedule covers every account in one ranged run; every job shares the queue tag."""

from __future__ import annotations

import dagster as dg

from famachat_ml_pipeline.definitions import defs


def test_definitions_load_with_the_seed_schedules() -> None:
    dg.Definitions.validate_loadable(defs)
    crons = {s.name: (s.cron_schedule, s.execution_timezone) for s in defs.schedules}
    assert crons["daily_ml_pipeline"] == ("0 2 * * *", "America/Sao_Paulo")
    assert crons["hourly_anomaly_detection_schedule"] == ("30 * * * *", "America/Sao_Paulo")
    assert crons["daily_prediction_validation_schedule"] == ("0 8 * * *", "America/Sao_Paulo")


def test_schedule_requests_one_ranged_run_over_all_accounts() -> None:
    with dg.instance_for_test() as instance:
        schedule = defs.get_schedule_def("daily_ml_pipeline")
        assert isinstance(
            schedule.evaluate_tick(dg.build_schedule_context(instance=instance)).skip_message, str
        )
        instance.add_dynamic_partitions("config_id", ["3", "4", "9"])
        (request,) = schedule.evaluate_tick(dg.build_schedule_context(instance=instance)).run_requests
        assert request.tags["dagster/asset_partition_range_start"] == "3"
        assert request.tags["dagster/asset_partition_range_end"] == "9"


def test_every_job_shares_the_one_at_a_time_tag_that_dagster_yaml_limits() -> None:
    import yaml

    from famachat_ml_pipeline.instance import REPO_DAGSTER_YAML

    limits = yaml.safe_load(REPO_DAGSTER_YAML.read_text())["concurrency"]["runs"]["tag_concurrency_limits"]
    assert {"key": "famachat/pipeline", "limit": 1} in limits
    for job in (
        "ml_pipeline",
        "hourly_anomaly_detection",
        "batch_predictions",
        "daily_prediction_validation",
    ):
        assert defs.resolve_job_def(job).tags.get("famachat/pipeline") == "graph"
