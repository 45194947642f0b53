"""`famachat-ml run` through the daemon's run queue prints what the run's assets log, as a run in this
process does: a one-account backfill while `serve` ran said "success" and nothing about the account whose
every source row was set aside (its results kept), a warning only the UI and the daemon's log showed."""

from __future__ import annotations

import _thread
import threading
import time
from functools import partial
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.events import DagsterEvent, DagsterEventType
from dagster._core.execution.api import execute_run
from dagster._daemon.types import DaemonHeartbeat

from famachat_ml_pipeline.cli import main
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.runner import CODE_LOCATION, QUEUE_DAEMON
from famachat_ml_pipeline.settings import get_settings
from famachat_ml_pipeline.source.tables import insights_table
from famachat_ml_pipeline_tests.interrupts import ctrl_c_raises, main_interrupted  # noqa: F401 (a fixture)
from famachat_ml_pipeline_tests.test_run_queue import _sqlite_deployment


def _serve_the_queue(
    instance: dg.DagsterInstance, stop: threading.Event, errors: list[BaseException]
) -> None:
    """The daemon's part, in this process: a fresh queue heartbeat, then the queued run dequeued (STARTING,
    as `instance.launch_run` reports it) and executed by Dagster's `execute_run`, as its run worker does."""
    try:
        while not stop.is_set():
            instance.add_daemon_heartbeat(DaemonHeartbeat(time.time(), QUEUE_DAEMON, "test-daemon", None))
            queued = instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.QUEUED]))
            if queued:
                run = queued[0]
                starting = DagsterEvent(DagsterEventType.PIPELINE_STARTING.value, job_name=run.job_name)
                instance.report_dagster_event(starting, run_id=run.run_id)
                job = ReconstructableRepository.for_module(CODE_LOCATION, "defs").get_reconstructable_job(
                    run.job_name
                )
                execute_run(job, instance.get_run_by_id(run.run_id), instance)
                return
            stop.wait(0.2)
    except BaseException as exc:  # noqa: BLE001 - said by the test, not lost in the thread
        errors.append(exc)


@pytest.mark.timeout(300)
def test_a_run_followed_through_the_queue_prints_the_assets_log_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _sqlite_deployment(tmp_path, monkeypatch)
    try:
        assert main(["generate-demo-data", "--accounts", "1", "--days", "40"]) == 0
        engine = sa.create_engine(settings.database_url)
        with engine.begin() as conn:  # a sync that broke the whole account: every row set aside
            conn.execute(sa.update(insights_table).values(leads=None, actions="not a list"))
        instance = get_instance(settings)
        stop, errors = threading.Event(), []
        daemon = threading.Thread(target=_serve_the_queue, args=(instance, stop, errors))
        daemon.start()
        capsys.readouterr()
        try:
            code = main(["run", "--config-id", "1"])
        finally:
            stop.set()
            daemon.join()
    finally:
        get_settings.cache_clear()
    assert not errors, errors
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0, out
    assert "submitting to its run queue" in out  # followed through the queue, not run here
    (run,) = instance.get_runs()
    assert run.status == dg.DagsterRunStatus.SUCCESS
    # the warning an in-process run prints, and the asset's INFO summary (the CLI's level)
    assert f"run {run.run_id[:8]}: WARNING: account 1: all " in out, out
    assert "source rows set aside; kept the results of" in out or "no earlier results to keep" in out, out
    assert f"run {run.run_id[:8]}: ad_insights: " in out, out
    assert "STEP_SUCCESS campaign_features" in out  # the steps as before


def _interrupt_once(instance: dg.DagsterInstance, status: dg.DagsterRunStatus, stop: threading.Event) -> None:
    """Ctrl-C (SIGINT's KeyboardInterrupt in the main thread) once our run is `status`, with a fresh queue
    heartbeat throughout; a STARTED run is one the daemon launched (never executed here)."""
    while not stop.is_set():
        instance.add_daemon_heartbeat(DaemonHeartbeat(time.time(), QUEUE_DAEMON, "test-daemon", None))
        queued = instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.QUEUED]))
        if queued:
            if status == dg.DagsterRunStatus.STARTED:
                run = queued[0]
                for kind in (DagsterEventType.PIPELINE_STARTING, DagsterEventType.PIPELINE_START):
                    instance.report_dagster_event(DagsterEvent(kind.value, job_name=run.job_name), run.run_id)
            time.sleep(1.5)  # the follow loop is polling
            _thread.interrupt_main()
            return
        stop.wait(0.2)


@pytest.mark.timeout(300)
@pytest.mark.own_process
@pytest.mark.usefixtures("ctrl_c_raises")
@pytest.mark.parametrize("status", [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.STARTED])
def test_ctrl_c_while_following_cancels_a_queued_run_and_says_a_started_one_goes_on(
    status: dg.DagsterRunStatus,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Ctrl-C on `run` while it followed its run was a KeyboardInterrupt traceback, and a run still queued
    stayed QUEUED: the daemon launched it later, after the person had stopped it."""
    settings = _sqlite_deployment(tmp_path, monkeypatch)
    try:
        assert main(["generate-demo-data", "--accounts", "1", "--days", "40"]) == 0
        instance = get_instance(settings)
        capsys.readouterr()
        code = main_interrupted(["run", "--config-id", "1"], partial(_interrupt_once, instance, status))
    finally:
        get_settings.cache_clear()
    out = " ".join(capsys.readouterr().out.split())
    assert code == 130, out
    (run,) = instance.get_runs()
    if status == dg.DagsterRunStatus.QUEUED:
        assert run.status == dg.DagsterRunStatus.CANCELED  # no daemon launches it later
        assert f"interrupted: cancelled run {run.run_id[:8]}, still queued (it will not run)" in out
    else:
        assert run.status == dg.DagsterRunStatus.STARTED  # the daemon's: not cancelled from here
        assert f"interrupted: stopped following run {run.run_id[:8]} (STARTED)" in out
    assert out.endswith("interrupted")
