"""`kill -9` of a real `famachat-ml run` at several points. Right after each kill FamaChat sees every
(account, day) slice with either the old or the new complete set of rows (never a half-written table);
the next run succeeds, marks the dead run failed and cancels its training job; nothing stays STARTED or
RUNNING and no frames are left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable

import pytest

from famachat_ml_pipeline_tests.robustness.conftest import Fleet, duplicates, slice_counts

pytestmark = pytest.mark.postgres


def _kill_when(fleet: Fleet, proc: subprocess.Popen, ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 400
    while not ready():
        assert proc.poll() is None, "the run ended before reaching the crash point"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)


def test_kill_9_at_several_points_loses_nothing(fleet: Fleet) -> None:
    first = fleet.run("run", "--all")
    assert first.returncode == 0, first.stdout[-3000:]
    complete = slice_counts(fleet)
    db = fleet.scalar("SELECT current_database()")
    points: dict[str, Callable[[], bool]] = {
        # the daily frame is handed over (in memory: one process): between ad_insights and the writers
        "after the ad_insights hand-off": lambda: fleet.step_succeeded_in_a_started_run("ad_insights"),
        # a writer holds its advisory lock, i.e. is inside its delete-then-insert transaction
        "during a write": lambda: bool(
            fleet.scalar(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                f"WHERE l.locktype = 'advisory' AND d.datname = '{db}'"
            )
        ),
        # this run's training job (not a killed run's, still RUNNING until the sweeper sees it)
        "during training": lambda: bool(
            fleet.scalar(f"SELECT count(*) FROM ml_training_jobs WHERE status = 'RUNNING' AND id > {seen[0]}")
        ),
    }
    seen = [0]
    for point, ready in points.items():
        seen[0] = int(fleet.scalar("SELECT coalesce(max(id), 0) FROM ml_training_jobs"))
        # a daily run never trains (the retraining job does): kill a retraining run at that point
        proc = fleet.start("retrain") if point == "during training" else fleet.start("run", "--all")
        _kill_when(fleet, proc, ready)
        time.sleep(0.5)  # the server notices the dropped connection and rolls its transaction back
        assert slice_counts(fleet) == complete, point
        assert duplicates(fleet) == dict.fromkeys(duplicates(fleet), 0), point

    last = fleet.run("run", "--all")
    assert last.returncode == 0, last.stdout[-3000:]
    assert "dead run(s) failed" in last.stdout
    statuses = fleet.run_statuses()
    assert set(statuses) == {"SUCCESS", "FAILURE"}, statuses
    # the first `run --all` trains the first model in its own run: 2 there, 1 at the end
    assert statuses["FAILURE"] == len(points) and statuses["SUCCESS"] == 3
    assert fleet.scalar("SELECT count(*) FROM ml_training_jobs WHERE status IN ('PENDING', 'RUNNING')") == 0
    # the killed retraining run's job: FAILED (its process died), as the daemon's sensor closes it
    assert fleet.scalar("SELECT count(*) FROM ml_training_jobs WHERE status = 'FAILED'") >= 1
    assert fleet.scalar("SELECT count(*) FROM ml_training_jobs WHERE status = 'CANCELLED'") == 0
    assert slice_counts(fleet) == complete
    assert list(fleet.frames.glob("runs/*")) == []
