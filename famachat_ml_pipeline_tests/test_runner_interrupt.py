"""Ctrl-C during a run executed in this process (`famachat-ml run` with no daemon serving). It printed
Dagster's tracebacks of DagsterExecutionInterruptedError (the step's and the run's, ~140 lines) before
our line, exited 1 (or went on to the next run), and Dagster recorded the run as failed "unexpectedly. No
user initiated termination request was found", which the failure alert posts. Now: one line, exit 130,
the run CANCELED with the reason, and no later run. A real SIGINT, a real Dagster instance, SQLite."""

from __future__ import annotations

import os
import signal
import sys
import threading
from functools import partial
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.errors import DagsterExecutionInterruptedError

from famachat_ml_pipeline.cli import main
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.interrupted_run import REASON
from famachat_ml_pipeline.settings import get_settings
from famachat_ml_pipeline_tests.interrupts import ctrl_c_raises, main_interrupted  # noqa: F401 (a fixture)
from famachat_ml_pipeline_tests.test_run_queue import _sqlite_deployment


def _ctrl_c_when(
    instance: dg.DagsterInstance, moment: str, dropped: threading.Event, stop: threading.Event
) -> None:
    """SIGINT to this process as the first run is created (`created`: Dagster still recording its planned
    materialisations, or starting) or once its first step started (`step`). Again, as a person would, only
    when Python dropped the interrupt: an exception a signal handler raises inside a garbage-collection
    callback goes to sys.unraisablehook (seen once in the full suite: Dagster's
    DagsterExecutionInterruptedError "ignored in" SQLAlchemy's `_collection_gced`, and the run went on)."""
    while not stop.is_set():
        runs = instance.get_runs(limit=1)
        if runs and (
            moment == "created" or _records(instance, runs[0].run_id, dg.DagsterEventType.STEP_START)
        ):
            break
        stop.wait(0.005)
    for _ in range(3):
        if stop.is_set():
            return
        dropped.clear()
        os.kill(os.getpid(), signal.SIGINT)
        while not (stop.is_set() or dropped.is_set()):
            stop.wait(0.05)


def _records(instance: dg.DagsterInstance, run_id: str, kind: dg.DagsterEventType) -> bool:
    return bool(instance.get_records_for_run(run_id, of_type=kind).records)


def _interrupted_run(
    argv: list[str],
    moment: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture,
) -> tuple[int | None, str, dg.DagsterInstance]:
    settings = _sqlite_deployment(tmp_path, monkeypatch)
    dropped = threading.Event()
    previous = sys.unraisablehook

    def unraisable(failure: sys.UnraisableHookArgs) -> None:
        if failure.exc_type is not None and issubclass(failure.exc_type, _INTERRUPTS):
            dropped.set()
        previous(failure)

    monkeypatch.setattr(sys, "unraisablehook", unraisable)
    try:
        assert main(["generate-demo-data", "--accounts", "2", "--days", "40"]) == 0
        instance = get_instance(settings)
        capfd.readouterr()
        code = main_interrupted(argv, partial(_ctrl_c_when, instance, moment, dropped))
    finally:
        get_settings.cache_clear()
    captured = capfd.readouterr()
    return code, captured.out + captured.err, instance


@pytest.mark.timeout(300)
@pytest.mark.own_process
@pytest.mark.usefixtures("ctrl_c_raises")
@pytest.mark.parametrize("moment", ["step", "created"])
def test_ctrl_c_during_an_in_process_run_is_one_line_and_a_cancelled_run(
    moment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture
) -> None:
    code, said, instance = _interrupted_run(
        ["run", "--config-id", "1", "2"], moment, tmp_path, monkeypatch, capfd
    )
    (run,) = instance.get_runs()
    assert code == 130, said
    for traceback in ("Traceback", "Stack Trace", "DagsterExecutionInterruptedError", "RUN_FAILURE"):
        assert traceback not in said, said
    lines = [line for line in said.splitlines() if "interrupted" in line]
    assert lines[0].startswith(f"interrupted: cancelled run {run.run_id[:8]} "), said
    assert lines[-1] == "interrupted"
    if moment == "step":
        assert f"cancelled run {run.run_id[:8]} during step" in said

    assert run.status == dg.DagsterRunStatus.CANCELED
    kinds = [r.event_log_entry for r in instance.get_records_for_run(run.run_id).records]
    events = [e.dagster_event.event_type for e in kinds if e.dagster_event]
    assert dg.DagsterEventType.RUN_FAILURE not in events  # nothing for the failure alert to post
    reasons = [e.message for e in kinds if e.dagster_event and e.dagster_event.event_type in _CANCEL]
    assert any(m.startswith(REASON) for m in reasons), reasons


_INTERRUPTS = (KeyboardInterrupt, DagsterExecutionInterruptedError)
_CANCEL = {dg.DagsterEventType.RUN_CANCELING, dg.DagsterEventType.RUN_CANCELED}


@pytest.mark.timeout(300)
@pytest.mark.own_process
@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_in_the_first_of_two_runs_stops_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture
) -> None:
    """`run --all` on a fresh deployment trains first, then runs the graph: Ctrl-C in the training run
    went on to the graph's run (and exited 1 once it ended)."""
    code, said, instance = _interrupted_run(["run", "--all"], "step", tmp_path, monkeypatch, capfd)
    assert code == 130, said
    last, *earlier = instance.get_runs()  # newest first
    assert last.status == dg.DagsterRunStatus.CANCELED, said
    assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in earlier), said
