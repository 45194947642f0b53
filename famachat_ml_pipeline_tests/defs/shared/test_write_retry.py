"""A write that gives up on a lock FamaChat holds (WriteLockTimeout) is retried by Dagster within the run,
on real Postgres and the real pipeline: a lock released in time costs a retry, not a failed run waiting for
the next schedule; one held for good still fails the run, naming the lock, after WRITE_RETRIES retries."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg
import psycopg
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.defs.orchestration.alerts import step_error_line
from famachat_ml_pipeline.defs.shared.account_run import WRITE_RETRIES
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import Settings, get_settings

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(600)]

STEP = "campaign_features"  # rewrites its rows on every run


def _waiting_on_a_lock(url: str) -> bool:
    with get_engine(url).connect() as conn:
        return bool(
            conn.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )
        )


@contextmanager
def _row_lock_held(url: str, until: Callable[[], bool]) -> Iterator[None]:
    """A session's uncommitted edit of one ml_features row (its row lock held) until `until()`."""
    raw = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(False)
    holder = psycopg.connect(raw)
    holder.execute(
        "UPDATE ml_features SET insufficient_data = insufficient_data "
        "WHERE id = (SELECT min(id) FROM ml_features)"
    )
    done = threading.Event()

    def release() -> None:
        while not (done.is_set() or until()):
            time.sleep(0.1)
        holder.rollback()

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(30)
        holder.close()


@pytest.fixture
def locked_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("WRITE_LOCK_TIMEOUT_SECONDS", "1")
    get_settings.cache_clear()
    fresh = get_settings()
    engine = get_engine(fresh.database_url)
    data = generate_demo(n_accounts=2, days=45, seed=3)
    write_demo(engine, data)
    (first,) = run_pipeline(fresh, as_of=data.end_date, echo=lambda _: None)
    assert first.success
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(schema.ml_features))  # a row to lock
    return fresh


def _events(settings: Settings, run_id: str, kind: dg.DagsterEventType) -> list:
    records = get_instance(settings).get_records_for_run(run_id, of_type=kind).records
    return [r.event_log_entry.dagster_event for r in records if r.event_log_entry.step_key == STEP]


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_lock_released_in_time_costs_a_retry_not_the_run(locked_settings: Settings) -> None:
    url = locked_settings.database_url
    seen: list[float] = []

    def released_after_a_first_timeout() -> bool:
        if not seen and _waiting_on_a_lock(url):
            seen.append(time.monotonic())
        return bool(seen) and time.monotonic() - seen[0] > 1.5  # the 1 s lock timeout has fired

    lines: list[str] = []
    with _row_lock_held(url, released_after_a_first_timeout):
        (run,) = run_pipeline(locked_settings, echo=lines.append)
    assert seen, "the write never waited on the held row"
    assert run.success, lines
    (retry,) = _events(locked_settings, run.run_id, dg.DagsterEventType.STEP_UP_FOR_RETRY)
    assert "WriteLockTimeout" in str(retry.event_specific_data.error.cause)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_lock_held_for_good_fails_the_run_after_the_retries_naming_it(locked_settings: Settings) -> None:
    lines: list[str] = []
    with _row_lock_held(locked_settings.database_url, lambda: False):
        (run,) = run_pipeline(locked_settings, echo=lines.append)
    assert not run.success
    assert len(_events(locked_settings, run.run_id, dg.DagsterEventType.STEP_UP_FOR_RETRY)) == WRITE_RETRIES
    (failed,) = [line for line in lines if line.startswith(f"step {STEP} failed: ")]
    assert failed.startswith(f"step {STEP} failed: WriteLockTimeout: ml_* write gave up after waiting 1s"), (
        failed
    )
    # the alert's line names our error through RetryRequested's "Exceeded max_retries of 2"
    (failure,) = _events(locked_settings, run.run_id, dg.DagsterEventType.STEP_FAILURE)
    said = step_error_line(failure.event_specific_data.error)
    assert said.startswith("WriteLockTimeout: ml_* write gave up after waiting 1s"), said
