"""One queue for everyone: with a real dagster-daemon serving the instance, `famachat-ml run` submits to
the daemon's run queue and follows the run to its end, printing its steps (the served stack's daemon)."""

from __future__ import annotations

import re
import subprocess

import dagster as dg
import pytest

from famachat_ml_pipeline_tests.e2e.served import CLI, Served

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.xdist_group("served")]


@pytest.mark.timeout(300)
def test_run_submits_to_the_daemons_queue_and_follows_the_run(served: Served) -> None:
    done = subprocess.run(
        [CLI, "run", "--config-id", "1"],
        env={**served.env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=280,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    assert "a dagster-daemon serves this instance: submitting to its run queue" in out, out[-4000:]
    assert re.search(r"STEP_SUCCESS\s+campaign_features", out), out[-4000:]
    (run_id,) = re.findall(r"run ([0-9a-f]{8}) \(1 account\): success", out)
    (stored,) = [r for r in served.runs() if r.run_id.startswith(run_id)]
    assert stored.status == dg.DagsterRunStatus.SUCCESS
    assert stored.tags["famachat/pipeline"] == "graph"  # so the queue's limit applied to it
    assert stored.tags["dagster/asset_partition_range_start"] == "1"
    assert "dagster/sensor_name" not in stored.tags and "dagster/schedule_name" not in stored.tags
    # the daemon's run worker executed it, not this process: the queue launched it
    assert served.instance.get_records_for_run(
        stored.run_id, of_type=dg.DagsterEventType.RUN_ENQUEUED
    ).records
