"""A training job whose Dagster run ended without finishing it is closed as its run ended: FAILED with the
reason when its process was killed (a daemon run, then marked failed by run monitoring; a CLI run, by the
next `famachat-ml run`'s sweep), CANCELLED when the run was cancelled; one whose run is in progress is not."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.db import registry, schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.dead_runs import HOST_TAG, PID_TAG, sweep_dead_runs
from famachat_ml_pipeline.defs.classification import sensors
from famachat_ml_pipeline.defs.classification.assets import MODEL_TYPE
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource
from famachat_ml_pipeline_tests.conftest import instance_for_test

J = schema.ml_training_jobs


def _started_run(instance: dg.DagsterInstance) -> dg.DagsterRun:
    """A model_retraining run as the daemon leaves it while its process works: STARTED."""
    from famachat_ml_pipeline.definitions import defs

    run = instance.create_run_for_job(defs.get_job_def("model_retraining"))
    instance.handle_run_event(
        run.run_id,
        dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name=run.job_name, message="started"),
    )
    return instance.get_run_by_id(run.run_id)


def _row(engine: sa.Engine, job_id: int) -> sa.RowMapping:
    with engine.connect() as conn:
        return conn.execute(sa.select(J).where(J.c.id == job_id)).mappings().one()


def test_the_training_job_of_a_killed_run_is_marked_failed(migrated_url: str) -> None:
    engine = get_engine(migrated_url)
    database = DatabaseResource(url=migrated_url, default_timezone=DEFAULT_TIMEZONE)
    with instance_for_test() as instance:
        killed, alive = _started_run(instance), _started_run(instance)
        dead_job = registry.start_training_job(engine, MODEL_TYPE, killed.run_id)
        registry.update_training_job(engine, dead_job, "RUNNING", 0.5)
        live_job = registry.start_training_job(engine, MODEL_TYPE, alive.run_id)
        registry.update_training_job(engine, live_job, "RUNNING", 0.25)
        unknown_job = registry.start_training_job(engine, MODEL_TYPE, "a-run-of-another-instance")

        def tick() -> dg.SkipReason:
            return sensors.dead_training_jobs_sensor(
                dg.build_sensor_context(instance=instance, resources={"database": database})
            )

        tick()
        assert {str(_row(engine, j)["status"]) for j in (dead_job, live_job)} == {"RUNNING"}
        # what run monitoring does once the run's process is gone
        instance.report_run_failed(killed, "Run worker process exited (killed)")
        tick()
        dead = _row(engine, dead_job)
        assert str(dead["status"]) == "FAILED" and dead["completed_at"] is not None
        assert killed.run_id in dead["error_message"] and "FAILURE" in dead["error_message"]
        assert "died" in dead["error_message"]
        assert str(_row(engine, live_job)["status"]) == "RUNNING"  # its run is still in progress
        assert str(_row(engine, unknown_job)["status"]) == "PENDING"  # not this instance's run to judge
        assert registry.runs_with_unfinished_training_jobs(engine) == sorted(
            [alive.run_id, "a-run-of-another-instance"]
        )


def test_the_training_job_of_a_cancelled_run_is_marked_cancelled(migrated_url: str) -> None:
    engine = get_engine(migrated_url)
    database = DatabaseResource(url=migrated_url, default_timezone=DEFAULT_TIMEZONE)
    with instance_for_test() as instance:
        run = _started_run(instance)
        job = registry.start_training_job(engine, MODEL_TYPE, run.run_id)
        registry.update_training_job(engine, job, "RUNNING", 0.5)
        instance.report_run_canceled(run, "cancelled in the UI")
        sensors.dead_training_jobs_sensor(
            dg.build_sensor_context(instance=instance, resources={"database": database})
        )
        row = _row(engine, job)
        assert str(row["status"]) == "CANCELLED" and "cancelled (CANCELED)" in row["error_message"]


def test_the_cli_sweep_closes_a_dead_cli_runs_job_as_failed_as_the_sensor_does(
    migrated_url: str, tmp_path: Path
) -> None:
    """`famachat-ml run` sweeps a run whose process is gone: the run FAILURE, its job FAILED with the
    reason (it said CANCELLED while the daemon's sensor said FAILED for the same death)."""
    engine = get_engine(migrated_url)
    with instance_for_test() as instance:
        run = _started_run(instance)
        dead_pid = _exited_pid()
        instance.add_run_tags(run.run_id, {PID_TAG: str(dead_pid), HOST_TAG: socket.gethostname()})
        job = registry.start_training_job(engine, MODEL_TYPE, run.run_id)
        registry.update_training_job(engine, job, "RUNNING", 0.5)
        report = sweep_dead_runs(instance, engine, str(tmp_path))
        assert report.runs_failed == [run.run_id] and report.training_jobs_closed == [run.run_id]
        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
        row = _row(engine, job)
        assert str(row["status"]) == "FAILED" and "died" in row["error_message"]
        assert sweep_dead_runs(instance, engine, str(tmp_path)).training_jobs_closed == []  # once


def _exited_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid
