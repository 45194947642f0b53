"""The instance's run launcher lets run monitoring check a run's worker: a run whose worker process is gone
from this host (SIGKILL of serve's whole tree, a node restart: its code server gone too, so nobody else
says so) is marked failed by Dagster's own monitoring step, and re-run by `run_retries`; a live worker, a
reused pid, another host's run and a run it cannot place are left alone. On SQLite and Postgres storage."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import EngineEventData
from dagster._core.launcher import WorkerStatus
from dagster._daemon.monitoring.run_monitoring import monitor_started_run

from famachat_ml_pipeline.dead_runs import HOST_TAG, PID_TAG
from famachat_ml_pipeline.instance import prepare_dagster_home
from famachat_ml_pipeline.run_launcher import (
    LAUNCH_HOST_TAG,
    LocalRunLauncher,
    Worker,
    process_started_at,
    worker_alive,
)
from famachat_ml_pipeline.settings import get_settings
from famachat_ml_pipeline_tests.conftest import create_pg_database, drop_pg_database

HOST = socket.gethostname()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def instance(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dg.DagsterInstance]:
    """The instance `famachat-ml` prepares from the repo's dagster.yaml, on either Dagster storage."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'famachat_ml.db'}")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    url = None
    if request.param == "postgres":
        url = create_pg_database("fcml_launcher")
        monkeypatch.setenv("DAGSTER_PG_URL", url.replace("postgresql+psycopg://", "postgresql://"))
    get_settings.cache_clear()
    try:
        with dg.DagsterInstance.from_config(str(prepare_dagster_home(get_settings()))) as inst:
            yield inst
    finally:
        get_settings.cache_clear()
        if url:
            drop_pg_database(url)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _started_run(instance: dg.DagsterInstance, tags: dict[str, str], worker_pid: int | None) -> dg.DagsterRun:
    """A STARTED run as the daemon's launcher leaves it: tagged, and its worker's first engine event (what
    Dagster's worker reports: "Started process for run (pid: N).") when `worker_pid` is given."""
    run = instance.create_run_for_job(dg.GraphDefinition("noop").to_job(), tags=tags)
    if worker_pid is not None:
        instance.report_engine_event(
            f"Started process for run (pid: {worker_pid}).", run, EngineEventData.in_process(worker_pid)
        )
    instance.handle_new_event(
        dg.EventLogEntry(
            error_info=None,
            level=logging.DEBUG,
            user_message="",
            run_id=run.run_id,
            timestamp=time.time(),
            dagster_event=dg.DagsterEvent(
                dg.DagsterEventType.RUN_START.value, job_name=run.job_name, event_specific_data=None
            ),
        )
    )
    run = instance.get_run_by_id(run.run_id)
    assert run is not None and run.status == dg.DagsterRunStatus.STARTED
    return run


def _monitor(instance: dg.DagsterInstance, run: dg.DagsterRun) -> dg.DagsterRun:
    """One pass of the daemon's run monitoring over the run (Dagster's own function), as stored after it."""
    record = instance.get_run_record_by_id(run.run_id)
    assert record is not None
    monitor_started_run(instance, None, record, logging.getLogger("run_monitoring"))  # type: ignore[arg-type]
    after = instance.get_run_by_id(run.run_id)
    assert after is not None
    return after


def test_the_instance_checks_its_run_workers(instance: dg.DagsterInstance) -> None:
    assert isinstance(instance.run_launcher, LocalRunLauncher)
    assert instance.run_launcher.supports_check_run_worker_health
    assert instance.run_monitoring_enabled and instance.run_retries_enabled


def test_run_monitoring_fails_a_run_whose_worker_is_gone(instance: dg.DagsterInstance) -> None:
    dead = _dead_pid()
    run = _started_run(instance, {LAUNCH_HOST_TAG: HOST}, dead)
    health = instance.run_launcher.check_run_worker_health(run)
    assert health.status == WorkerStatus.FAILED and f"pid {dead} on {HOST}" in (health.msg or "")

    after = _monitor(instance, run)
    assert after.status == dg.DagsterRunStatus.FAILURE
    messages = [e.message for e in instance.all_logs(run.run_id)]
    assert any(f"pid {dead} on {HOST}) is gone" in m and "Marking run" in m for m in messages), messages


def test_a_dead_cli_run_is_failed_by_the_same_rule(instance: dg.DagsterInstance) -> None:
    run = _started_run(instance, {PID_TAG: str(_dead_pid()), HOST_TAG: HOST}, None)
    assert _monitor(instance, run).status == dg.DagsterRunStatus.FAILURE


def test_live_unknown_and_foreign_workers_are_left_running(instance: dg.DagsterInstance) -> None:
    alive = _started_run(instance, {LAUNCH_HOST_TAG: HOST}, os.getpid())
    elsewhere = _started_run(instance, {LAUNCH_HOST_TAG: "another-node"}, _dead_pid())
    not_ours = _started_run(instance, {}, _dead_pid())  # launched before this launcher: not judged
    not_started = _started_run(instance, {LAUNCH_HOST_TAG: HOST}, None)  # no worker yet
    cli_alive = _started_run(instance, {PID_TAG: str(os.getpid()), HOST_TAG: HOST}, None)
    for run in (alive, elsewhere, not_ours, not_started, cli_alive):
        assert instance.run_launcher.check_run_worker_health(run).status == WorkerStatus.RUNNING
        assert _monitor(instance, run).status == dg.DagsterRunStatus.STARTED, run.tags


def test_a_pid_reused_after_the_worker_died_is_not_its_worker() -> None:
    started = process_started_at(os.getpid())
    assert started is not None and started <= time.time()
    assert worker_alive(Worker(os.getpid(), HOST, started_by=time.time()))
    # the worker reported itself an hour before this process started: this process is another one
    assert not worker_alive(Worker(os.getpid(), HOST, started_by=started - 3600))
    assert process_started_at(_dead_pid()) is None
