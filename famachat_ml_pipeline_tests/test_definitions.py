"""The merged Definitions: every asset, check, job, schedule, sensor and resource is there, and the UI
(definitions.py) and the CLI (settings) resolve the same configuration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

import famachat_ml_pipeline.defs
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource, ModelStore

ASSETS = {
    "ad_insights",
    "campaign_features",
    "classifier_model",
    "campaign_classifications",
    "campaign_anomalies",
    "campaign_forecasts",
    "forecast_accuracy",
    "campaign_recommendations",
}
CHECKS = {"rows_set_aside_rate", "no_future_dates", "no_orphan_insights"}
JOBS = {
    "ml_pipeline",
    "model_retraining",
    "daily_classification",
    "daily_recommendations",
    "hourly_anomaly_detection",
    "batch_predictions",
    "daily_prediction_validation",
}
SCHEDULES = {
    "daily_ml_pipeline",
    "daily_model_retraining",
    "daily_classification",
    "daily_recommendations",
    "hourly_anomaly_detection_schedule",
    "batch_predictions_schedule",
    "daily_prediction_validation_schedule",
}
SENSORS = {
    "new_accounts_sensor",
    "source_data_sensor",
    "critical_anomaly_sensor",
    "run_failure_alert_sensor",
    "failure_post_retry_sensor",
    "first_model_sensor",
    "dead_training_jobs_sensor",
}
RESOURCES = {"database", "model_store", "daily_frame_io_manager", "pass_along_io_manager", "alert_webhook"}


def test_every_definition_is_loaded() -> None:
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} == ASSETS
    assert {k.name for k in graph.asset_check_keys} == CHECKS
    assert {j.name for j in defs.jobs} == JOBS
    assert {s.name for s in defs.schedules} == SCHEDULES
    assert {s.name for s in defs.sensors} == SENSORS
    assert set(defs.resources) == RESOURCES


def test_every_schedule_and_sensor_says_what_it_does_in_the_ui() -> None:
    """The UI's Automation page showed the schedules' descriptions and none for the sensors (Dagster does
    not read a sensor function's docstring): seven blank rows beside the seven schedules."""
    automation = [*defs.schedules, *defs.sensors]
    blank = [a.name for a in automation if not (a.description or "").strip()]
    assert blank == []
    assert len(automation) == len(SCHEDULES) + len(SENSORS)


def test_every_job_runs_in_one_process() -> None:
    """Daemon-launched runs execute as the CLI's do: one process, no code location load per step."""
    for name in JOBS:
        assert defs.resolve_job_def(name).executor_def is dg.in_process_executor, name


def test_each_stage_defines_its_own_jobs_and_schedules() -> None:
    from famachat_ml_pipeline.defs.anomalies import jobs as anomaly_jobs
    from famachat_ml_pipeline.defs.forecasts import jobs as forecast_jobs
    from famachat_ml_pipeline.defs.pipeline import jobs as pipeline_jobs

    assert anomaly_jobs.hourly_anomaly_detection_schedule.job_name == "hourly_anomaly_detection"
    assert forecast_jobs.batch_predictions_schedule.job_name == "batch_predictions"
    assert pipeline_jobs.daily_ml_pipeline.job_name == "ml_pipeline"


def test_nothing_under_defs_reads_global_settings() -> None:
    root = Path(famachat_ml_pipeline.defs.__file__).parent
    readers = [p.relative_to(root) for p in root.rglob("*.py") if "get_settings" in p.read_text()]
    assert readers == []


def test_resources_do_not_fall_back_to_global_settings() -> None:
    with pytest.raises(dg.DagsterInvalidConfigError):
        DatabaseResource(url="", default_timezone="America/Sao_Paulo").engine()
    with pytest.raises(dg.DagsterInvalidConfigError):
        ModelStore(path="").artifact_path("m.ubj")


# What the UI's code server resolves (it imports definitions.py, then Dagster reads the EnvVars) and what
# the CLI uses (load_settings), each printed by a fresh process started with the same environment.
UI_VALUES = """
import json, dagster as dg
from famachat_ml_pipeline.definitions import defs
with dg.build_resources(dict(defs.resources)) as r:
    print(json.dumps([r.database.url, r.database.default_timezone, r.model_store.path,
                      r.daily_frame_io_manager.base_dir]))
"""
CLI_VALUES = """
import json
from famachat_ml_pipeline.settings import load_settings
s = load_settings()
print(json.dumps([s.database_url, s.default_timezone, str(s.models_storage_path),
                  str(s.frames_storage_path)]))
"""
VARIABLES = (
    "DATABASE_URL",
    "MODELS_STORAGE_PATH",
    "FRAMES_STORAGE_PATH",
    "DEFAULT_TIMEZONE",
    "FAMACHAT_ML_DATA_DIR",
)


def _resolved(script: str, cwd: Path, **env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_ui_and_cli_resolve_the_same_defaults(tmp_path: Path) -> None:
    ui, cli = _resolved(UI_VALUES, tmp_path), _resolved(CLI_VALUES, tmp_path)
    assert ui == cli
    data = tmp_path.resolve() / ".data"
    assert ui == [
        f"sqlite:///{data / 'famachat_ml.db'}",
        "America/Sao_Paulo",
        str(data / "models"),
        str(data / "frames"),
    ]


def test_ui_and_cli_resolve_the_same_postgres_url(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "postgresql://root@127.0.0.1:5432/x", "FRAMES_STORAGE_PATH": str(tmp_path / "f")}
    ui, cli = _resolved(UI_VALUES, tmp_path, **env), _resolved(CLI_VALUES, tmp_path, **env)
    assert ui == cli
    assert ui[0] == "postgresql+psycopg://root@127.0.0.1:5432/x" and ui[3] == str(tmp_path / "f")


def test_the_project_names_the_code_location_as_serve_registers_it(tmp_path: Path) -> None:
    """`serve`, `ui`, workspace.yaml and `dagster job launch` load `-m famachat_ml_pipeline.definitions`,
    which registers the location under that name; [tool.dg.project] named it 'famachat_ml_pipeline' and
    the loader warned "does not match" on every load (175 times in two minutes of `serve`)."""
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    dagster = Path(sys.executable).parent / "dagster"
    out = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "famachat_ml_pipeline.definitions"],
        cwd=Path(famachat_ml_pipeline.defs.__file__).parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "does not match" not in out.stdout + out.stderr
