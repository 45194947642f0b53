"""One queue for everyone: without a daemon, `run` waits its turn behind any active pipeline run (the
in-process twin of dagster.yaml's `famachat/pipeline` limit). With a daemon it submits to the daemon's run
queue: e2e/test_served_run_queue.py, on the served stack."""

from __future__ import annotations

import time
import uuid

import dagster as dg
import pytest

from famachat_ml_pipeline.runner import QueueBusy, daemon_is_running, wait_for_turn


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
    with dg.instance_for_test() as instance:
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
