"""A training job whose Dagster run ended without finishing it (its process killed: a daemon run, then
marked failed by run monitoring) is marked FAILED with the reason; one whose run is in progress is not."""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa

from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.db import registry, schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.defs.classification import sensors
from famachat_ml_pipeline.defs.classification.assets import MODEL_TYPE
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource

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
    with dg.instance_for_test() as instance:
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
