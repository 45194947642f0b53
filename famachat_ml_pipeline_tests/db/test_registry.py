"""The training-job registry: started_at is set once, versions are unique within a second, and the jobs
of runs that ended without finishing them are closed as their run ended."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db import registry, schema
from famachat_ml_pipeline.db.engine import get_engine

J = schema.ml_training_jobs


def _job(engine: sa.Engine, job_id: int) -> sa.RowMapping:
    with engine.connect() as conn:
        return conn.execute(sa.select(J).where(J.c.id == job_id)).mappings().one()


def test_started_at_is_set_once(migrated_url: str) -> None:
    engine = get_engine(migrated_url)
    job_id = registry.start_training_job(engine, "CAMPAIGN_CLASSIFIER", "run-a")
    registry.update_training_job(engine, job_id, "RUNNING", 0.05)
    started = _job(engine, job_id)["started_at"]
    assert started is not None
    time.sleep(1.1)  # the column's resolution is at least a second on some databases
    registry.update_training_job(engine, job_id, "RUNNING", 0.5)
    registry.update_training_job(engine, job_id, "COMPLETED", 1.0)
    row = _job(engine, job_id)
    assert row["started_at"] == started
    assert row["completed_at"] > started


def test_two_versions_in_the_same_second_differ() -> None:
    versions = {registry.unique_version(None) for _ in range(50)}
    assert len(versions) == 50
    by_run = registry.unique_version("0f3a9c2e-1111-2222")
    assert by_run.startswith("v") and by_run.endswith("-0f3a9c2e")


def test_the_jobs_of_an_ended_run_are_closed_with_its_status(migrated_url: str) -> None:
    engine = get_engine(migrated_url)
    dead = registry.start_training_job(engine, "CAMPAIGN_CLASSIFIER", "dead-run")
    registry.update_training_job(engine, dead, "RUNNING", 0.25)
    done = registry.start_training_job(engine, "CAMPAIGN_CLASSIFIER", "dead-run")
    registry.update_training_job(engine, done, "COMPLETED", 1.0)
    stopped = registry.start_training_job(engine, "CAMPAIGN_CLASSIFIER", "cancelled-run")
    alive = registry.start_training_job(engine, "CAMPAIGN_CLASSIFIER", "live-run")
    registry.update_training_job(engine, alive, "RUNNING", 0.25)
    assert registry.close_training_jobs_of_run(engine, "dead-run", "FAILED", "killed") == 1
    assert registry.close_training_jobs_of_run(engine, "cancelled-run", "CANCELLED", "cancelled") == 1
    assert (str(_job(engine, dead)["status"]), _job(engine, dead)["error_message"]) == ("FAILED", "killed")
    assert _job(engine, dead)["completed_at"] is not None
    assert str(_job(engine, stopped)["status"]) == "CANCELLED"
    assert str(_job(engine, done)["status"]) == "COMPLETED"
    assert str(_job(engine, alive)["status"]) == "RUNNING"
    with pytest.raises(ValueError, match="RUNNING is not a finished job status"):
        registry.close_training_jobs_of_run(engine, "live-run", "RUNNING", "?")
