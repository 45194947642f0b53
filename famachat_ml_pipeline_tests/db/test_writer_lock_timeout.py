"""A lock held elsewhere on an ml_* table or row (a FamaChat transaction left open), on real Postgres: the
pipeline's write gives up after WRITE_LOCK_TIMEOUT_SECONDS with a clear message, instead of stalling its
run (and the one-at-a-time run queue) for as long as the other transaction stays open; nothing of it is
written."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import polars as pl
import psycopg
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db import registry, schema, writer
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline_tests.db.test_writer import DAY, anomalies, forecast_frame

pytestmark = pytest.mark.postgres

TIMEOUT_SECONDS = 1
GIVE_UP_AFTER_SECONDS = 20  # the write did not give up: it waits on the holder (the old behaviour)


@contextmanager
def _held(url: str, statement: str) -> Iterator[None]:
    """FamaChat's own connection with `statement` run in a transaction left open (its locks held)."""
    raw = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(raw) as holder:
        holder.execute(statement)
        try:
            yield
        finally:
            holder.rollback()


def _outcome(write: Callable[[], object]) -> tuple[BaseException | None, float]:
    """What the write raised and after how long; fails if it was still waiting after the grace period."""
    result: list[BaseException | None] = []

    def target() -> None:
        try:
            write()
            result.append(None)
        except BaseException as exc:  # judged below
            result.append(exc)

    start = time.monotonic()
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(GIVE_UP_AFTER_SECONDS)
    assert result, f"the write was still waiting for the lock after {GIVE_UP_AFTER_SECONDS}s"
    return result[0], time.monotonic() - start


@pytest.fixture
def engine(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    migrate(pg_url)
    monkeypatch.setenv("WRITE_LOCK_TIMEOUT_SECONDS", str(TIMEOUT_SECONDS))  # README, "Settings"
    return get_engine(pg_url)


def _observed(engine: sa.Engine) -> list[float]:
    t = schema.ml_anomalies
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(t.c.observed_value)).scalars())


def test_an_anomaly_row_locked_by_famachat_fails_the_write_after_the_timeout(
    pg_url: str, engine: sa.Engine
) -> None:
    writer.upsert_anomalies(engine, anomalies(observed=300.0), [1], [DAY])
    before = _observed(engine)
    # a user's acknowledgement, not committed yet: its row is locked until FamaChat commits
    with _held(pg_url, "UPDATE ml_anomalies SET resolution_notes = 'olhando' WHERE entity_id = '111'"):
        error, seconds = _outcome(
            lambda: writer.upsert_anomalies(engine, anomalies(observed=900.0), [1], [DAY])
        )
    assert isinstance(error, writer.WriteLockTimeout), error
    assert f"waiting {TIMEOUT_SECONDS}s" in str(error) and "WRITE_LOCK_TIMEOUT_SECONDS" in str(error)
    assert "lock timeout" in str(error).lower()  # Postgres's own words follow ours
    assert seconds < GIVE_UP_AFTER_SECONDS
    assert _observed(engine) == before  # the whole write rolled back: the previous rows stay


def test_a_locked_forecasts_table_fails_the_streamed_write(pg_url: str, engine: sa.Engine) -> None:
    with _held(pg_url, "LOCK TABLE ml_forecasts IN ACCESS EXCLUSIVE MODE"):

        def stream() -> None:
            with writer.ForecastStream(engine, [1], DAY, "v", horizon=3) as out:
                out.write(forecast_frame(10.0))
                out.commit()

        error, _ = _outcome(stream)
    assert isinstance(error, writer.WriteLockTimeout), error
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(schema.ml_predictions)) == 0


def test_the_timeout_is_local_to_the_write_transaction(pg_url: str, engine: sa.Engine) -> None:
    """SET LOCAL: the pooled connection goes back to the server's setting after the write."""
    writer.replace_features(engine, _no_features(), [1], DAY)
    with engine.connect() as conn:  # the pool's one connection, the write's
        assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
    with writer.write_transaction(engine) as conn:
        assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == f"{TIMEOUT_SECONDS}s"


def _no_features() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "config_id": pl.Int64,
            "campaign_id": pl.String,
            "window_days": pl.Int64,
            "features": pl.String,
            "insufficient_data": pl.Boolean,
        }
    )


def test_a_training_job_row_locked_by_famachat_fails_the_registry_write(
    pg_url: str, engine: sa.Engine
) -> None:
    """The model registry writes under the same bound: a job row held open by FamaChat does not stall the
    retraining run (and the run queue) behind it."""
    job = registry.start_training_job(engine, "CAMPAIGN_CLASSIFIER", "run-a")
    with _held(pg_url, f"UPDATE ml_training_jobs SET progress = 0.1 WHERE id = {job}"):
        error, seconds = _outcome(lambda: registry.update_training_job(engine, job, "RUNNING", 0.5))
    assert isinstance(error, writer.WriteLockTimeout), error
    assert seconds < GIVE_UP_AFTER_SECONDS
    with engine.connect() as conn:
        assert str(conn.scalar(sa.select(schema.ml_training_jobs.c.status))) == "PENDING"


def test_a_locked_models_table_fails_the_model_registration(pg_url: str, engine: sa.Engine) -> None:
    def register() -> int:
        return registry.register_model(
            engine,
            name="m",
            model_type="CAMPAIGN_CLASSIFIER",
            version="v1",
            path="/tmp/m.json",
            parameters={},
            feature_columns=["cpl"],
            training_metrics={},
            validation_metrics={},
            samples_count=10,
            data_start=DAY,
            data_end=DAY,
            activate=True,
        )

    with _held(pg_url, "LOCK TABLE ml_trained_models IN ACCESS EXCLUSIVE MODE"):
        error, _ = _outcome(register)
    assert isinstance(error, writer.WriteLockTimeout), error
    assert registry.active_model(engine, "CAMPAIGN_CLASSIFIER") is None  # nothing was written
    register()  # once the lock is gone, it is written
    assert registry.active_model(engine, "CAMPAIGN_CLASSIFIER") is not None
