"""The failure post of a run whose process died (kill -9, as the OOM killer does): no step failed, so it
names the step that was in progress and says the process died, instead of "nenhuma etapa". The run is
real: executed by another process on a shared instance, killed during its second step, then marked
failed from outside as Dagster does when it finds the process gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import dagster as dg

from famachat_ml_pipeline.defs.orchestration import alerts
from famachat_ml_pipeline.defs.orchestration.alerts import AlertWebhook
from famachat_ml_pipeline.defs.orchestration.sensors import run_failure_alert_sensor
from famachat_ml_pipeline_tests.conftest import instance_for_test
from famachat_ml_pipeline_tests.defs.orchestration.webhook_receiver import webhook_receiver


@dg.op
def read_source() -> int:
    return 1


@dg.op
def write_features(rows: int) -> int:
    time.sleep(300)  # killed long before
    return rows


@dg.job
def slow_job() -> None:
    write_features(read_source())


_EXECUTE = (
    "import dagster as dg\n"
    "from famachat_ml_pipeline_tests.defs.orchestration.test_killed_run_alert import slow_job\n"
    "slow_job.execute_in_process(instance=dg.DagsterInstance.get())\n"
)


def _killed_during(instance: dg.DagsterInstance, step: str) -> dg.DagsterRun:
    """Runs slow_job in another process on `instance` and kill -9s it once `step` has started."""
    env = {**os.environ, "DAGSTER_HOME": instance.root_directory}
    proc = subprocess.Popen([sys.executable, "-c", _EXECUTE], env=env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for run in instance.get_runs():
                started = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.STEP_START)
                if any(r.event_log_entry.step_key == step for r in started.records):
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait(30)
                    return instance.get_run_by_id(run.run_id)
            assert proc.poll() is None, "the run's process ended by itself"
            time.sleep(0.2)
        raise AssertionError(f"{step} did not start")
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_killed_runs_post_names_the_step_in_progress() -> None:
    with webhook_receiver() as receiver, instance_for_test() as instance:
        run = _killed_during(instance, "write_features")
        assert run.status == dg.DagsterRunStatus.STARTED  # nobody left to record its end
        failure = instance.report_run_failed(run)  # "marked as failed from outside", as Dagster words it
        ctx = dg.build_run_status_sensor_context(
            sensor_name=run_failure_alert_sensor.name,
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(run.run_id),
            resources={"alert_webhook": AlertWebhook(url=receiver.url)},
        ).for_run_failure()
        run_failure_alert_sensor(ctx)
    (posted,) = [d["text"] for d in receiver.delivered]
    assert posted.startswith(":x:") and run.run_id in posted and "slow_job" in posted
    assert "O processo da execução morreu durante a etapa write_features" in posted, posted
    assert "read_source" not in posted  # it had ended
    assert "nenhuma etapa (falha da execução)" not in posted


def test_steps_in_progress_are_those_begun_and_not_ended() -> None:
    with instance_for_test() as instance:
        result = slow_job.execute_in_process(instance=instance, op_selection=["read_source"])
        events = [e for e in result.all_events if e.step_key]
        assert alerts.steps_in_progress(events) == []  # every step that began, ended
        started = [e for e in events if e.event_type == dg.DagsterEventType.STEP_START]
        assert alerts.steps_in_progress(started) == ["read_source"]


def test_the_text_keeps_failing_steps_first() -> None:
    assert "Etapa com falha: a." in alerts.run_failure_text("j", "r", ["a"], "boom", ["b"])
    assert "nenhuma etapa (falha da execução)" in alerts.run_failure_text("j", "r", [], "boom", [])
    both = alerts.run_failure_text("j", "r", [], "boom", ["b", "c"])
    assert "durante as etapas b, c" in both and both.endswith("Erro: boom")
