"""One queue for everyone: without a daemon, `run` waits its turn behind any active pipeline run (the
in-process twin of dagster.yaml's `famachat/pipeline` limit). With a daemon it submits to the daemon's run
queue: e2e/test_served_run_queue.py, on the served stack."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest
from dagster._daemon.types import DaemonHeartbeat

from famachat_ml_pipeline import runner
from famachat_ml_pipeline.cli import main
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.run_turn import QueueBusy, wait_for_turn
from famachat_ml_pipeline.runner import (
    HEARTBEAT_FRESH_SECONDS,
    QUEUE_DAEMON,
    daemon_is_running,
    submit_and_wait,
)
from famachat_ml_pipeline.settings import Settings, get_settings
from famachat_ml_pipeline_tests.conftest import instance_for_test


def _active_pipeline_run(instance: dg.DagsterInstance) -> dg.DagsterRun:
    run = dg.DagsterRun(
        job_name="ml_pipeline",
        run_id=str(uuid.uuid4()),
        status=dg.DagsterRunStatus.STARTED,
        tags={"famachat/pipeline": "graph"},
    )
    return instance.add_run(run)


def test_without_a_daemon_a_run_waits_for_the_active_pipeline_run() -> None:
    said: list[str] = []
    with instance_for_test() as instance:
        assert not daemon_is_running(instance)
        other = _active_pipeline_run(instance)
        with pytest.raises(QueueBusy, match=other.run_id):
            wait_for_turn(instance, said.append, poll_seconds=0.1, timeout_seconds=0.5)
        assert said == [
            f"waiting for run {other.run_id[:8]} (ml_pipeline) to finish: one pipeline run at a time"
        ]
        instance.report_run_failed(other)
        start = time.monotonic()
        wait_for_turn(instance, said.append, poll_seconds=0.1, timeout_seconds=0.5)
        assert time.monotonic() - start < 0.5


def _sqlite_deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'famachat_ml.db'}")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("MODELS_STORAGE_PATH", str(tmp_path / "models"))
    monkeypatch.setenv("FRAMES_STORAGE_PATH", str(tmp_path / "frames"))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    get_settings.cache_clear()
    return get_settings()


def _last_beat(instance: dg.DagsterInstance, seconds_ago: float) -> None:
    """The queue daemon's last heartbeat, as a `serve` stopped `seconds_ago` leaves it."""
    beat = DaemonHeartbeat(time.time() - seconds_ago, QUEUE_DAEMON, "stopped-serve", None)
    instance.add_daemon_heartbeat(beat)


def _stop_beating_once_queued(instance: dg.DagsterInstance, after: float, stop: threading.Event) -> None:
    """Keep the queue daemon's heartbeat fresh until a run is QUEUED, then leave one that goes stale
    `after` seconds later (a `serve` that stops then)."""
    queued = dg.RunsFilter(statuses=[dg.DagsterRunStatus.QUEUED])
    while not stop.is_set():
        if instance.get_runs(queued):
            _last_beat(instance, HEARTBEAT_FRESH_SECONDS - after)
            return
        _last_beat(instance, 0)
        stop.wait(0.2)


def test_a_run_queued_for_a_daemon_that_stopped_is_cancelled_and_runs_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`serve` stopped less than a minute before `run`: the heartbeat looked fresh, the run was queued, and
    the CLI waited silently for ever (the QUEUED run was launched much later by an unrelated daemon)."""
    settings = _sqlite_deployment(tmp_path, monkeypatch)
    monkeypatch.setattr(runner, "PROGRESS_SECONDS", 2.0)
    try:
        assert main(["generate-demo-data", "--accounts", "1", "--days", "40"]) == 0
        instance = get_instance(settings)
        _last_beat(instance, 0)  # fresh: `run` submits to the queue
        # the daemon stops 8 s after the run is queued, however long `dagster job launch` took (over
        # 28 s on a loaded machine): a progress line (every 2 s) comes first
        stop = threading.Event()
        watcher = threading.Thread(target=_stop_beating_once_queued, args=(instance, 8.0, stop))
        watcher.start()
        capsys.readouterr()
        try:
            assert main(["run", "--config-id", "1"]) == 0
        finally:
            stop.set()
            watcher.join()
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert "submitting to its run queue" in out
    assert "still queued: waiting for the dagster-daemon to pick it up" in out  # every PROGRESS_SECONDS
    cancelled = [r for r in instance.get_runs() if r.status == dg.DagsterRunStatus.CANCELED]
    assert len(cancelled) == 1
    queued_id = cancelled[0].run_id
    assert (
        "the dagster-daemon stopped serving this instance (its heartbeat is stale): cancelled queued run "
        f"{queued_id[:8]}; running ml_pipeline in this process"
    ) in " ".join(out.split())
    statuses = sorted(r.status.value for r in instance.get_runs())
    assert statuses == ["CANCELED", "SUCCESS"]  # nothing left QUEUED for a later daemon


def test_a_run_never_picked_up_with_nothing_ahead_is_cancelled_after_the_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh heartbeat but no dequeuing: past `pickup_seconds` with nothing ahead, the run is withdrawn
    (without an in-process fallback the caller gets QueueBusy, one line)."""
    settings = _sqlite_deployment(tmp_path, monkeypatch)
    try:
        instance = get_instance(settings)
        _last_beat(instance, 0)
        said: list[str] = []
        with pytest.raises(QueueBusy, match="did not pick the run up in 3s with nothing ahead"):
            job, poll = "model_retraining", {"poll_seconds": 0.2, "pickup_seconds": 3}
            submit_and_wait(instance, job, None, {}, "INFO", said.append, **poll)
    finally:
        get_settings.cache_clear()
    assert [r.status for r in instance.get_runs()] == [dg.DagsterRunStatus.CANCELED]
