"""The seed's seven schedules (section 9.2), RUNNING by default; the daily job never trains, the retraining
job only trains; every schedule covers every account in one ranged run; every job shares the queue tag."""

from __future__ import annotations

import dagster as dg

from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline_tests.conftest import instance_for_test

SAO_PAULO = "America/Sao_Paulo"
# schedule: (cron, job) - the seed's table: 02:00, 05:00, 06:00, 07:00, *:30, */4h:15, 08:00
SEED_TABLE = {
    "daily_ml_pipeline": ("0 2 * * *", "ml_pipeline"),
    "daily_model_retraining": ("0 5 * * *", "model_retraining"),
    "daily_classification": ("0 6 * * *", "daily_classification"),
    "daily_recommendations": ("0 7 * * *", "daily_recommendations"),
    "hourly_anomaly_detection_schedule": ("30 * * * *", "hourly_anomaly_detection"),
    "batch_predictions_schedule": ("15 */4 * * *", "batch_predictions"),
    "daily_prediction_validation_schedule": ("0 8 * * *", "daily_prediction_validation"),
}


def _assets(job: str) -> set[str]:
    return {k.to_user_string() for k in defs.resolve_job_def(job).asset_layer.selected_asset_keys}


def test_the_seed_schedules_exactly_and_running_by_default() -> None:
    dg.Definitions.validate_loadable(defs)
    got = {s.name: (s.cron_schedule, s.job_name) for s in defs.schedules}
    assert got == SEED_TABLE
    for schedule in defs.schedules:
        assert schedule.execution_timezone == SAO_PAULO
        assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def test_only_the_retraining_job_trains() -> None:
    assert _assets("model_retraining") == {"classifier_model"}
    everything = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert _assets("ml_pipeline") == everything - {"classifier_model"}
    for job in SEED_TABLE.values():
        if job[1] != "model_retraining":
            assert "classifier_model" not in _assets(job[1])
    assert _assets("daily_classification") == {"ad_insights", "campaign_classifications"}
    assert _assets("daily_recommendations") == {"ad_insights", "campaign_recommendations"}


def test_schedule_requests_one_ranged_run_over_all_accounts() -> None:
    with instance_for_test() as instance:
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
    for job in {j for _, j in SEED_TABLE.values()}:
        assert defs.resolve_job_def(job).tags.get("famachat/pipeline") == "graph"
