"""`famachat-ml serve` restarted while a sensor's run is mid-graph (its first ml_* writer done, the next
step begun): by a rollout (SIGTERM to serve) or a node's death (SIGKILL of serve and all its processes).
Started again on the same DAGSTER_HOME and DAGSTER_PG_URL, with nobody doing anything, the run ends
FAILURE, is alerted once, and the daemon re-runs it once from its first step, as of the same day, so the
restated account's results are whole and of one day again (the sensor that requested it moved its cursor).

After SIGKILL nobody was left to mark the run failed (its code server died with it): it stayed STARTED for
good and held the one-run queue, until run monitoring could check its worker (run_launcher.py).

On the package's deployment, after its other tests (they assert that no run failed: e2e/conftest.py); it
asserts only about the run it made restate, its re-run and the posts naming them."""

from __future__ import annotations

import os
import signal
import time

import dagster as dg
import pytest

from famachat_ml_pipeline_tests.e2e.served import Served
from famachat_ml_pipeline_tests.e2e.test_served_killed_run import (
    WRITTEN_IN_ORDER,
    _data_runs,
    _latest_run_of,
    _restate_and_stop,
)

SUCCESS, FAILURE = dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.xdist_group("served"),
    pytest.mark.kills_runs,  # after the package's other tests (e2e/conftest.py)
]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["rollout", "node_death"])
def test_a_run_in_flight_when_serve_restarts_is_re_run(served: Served, stop: signal.Signals) -> None:
    run, pid, _ = _restate_and_stop(served)
    logged = len(served.log.read_text())

    def worker_takes_the_signal() -> None:
        """The worker, stopped mid-step, goes on once serve has passed the SIGTERM to its services."""
        if stop == signal.SIGTERM:
            stopping = "stopping dagster-code-server"
            served.wait(lambda: stopping in served.log.read_text()[logged:], 30, "the stop")
            os.kill(pid, signal.SIGCONT)

    up = served.restart(stop, worker_takes_the_signal)
    restarted = time.monotonic() - up  # the new serve's start

    served.wait(lambda: served.instance.get_run_by_id(run.run_id).status == FAILURE, 120, "marked failed")
    failed_after = time.monotonic() - restarted
    retry = served.wait(
        lambda: [r for r in _data_runs(served) if r.parent_run_id == run.run_id and r.is_finished],
        180,
        "the daemon's re-run of the interrupted run",
    )[0]
    done_after = time.monotonic() - restarted
    print(f"{stop.name}: serve up {up:.1f} s, run failed {failed_after:.1f} s, re-run {done_after:.1f} s")
    assert retry.status == SUCCESS, served.log.read_text()[-4000:]
    interrupted = served.instance.get_run_by_id(run.run_id)
    assert retry.tags["famachat/as_of"] == interrupted.tags["famachat/as_of"]
    for asset in WRITTEN_IN_ORDER:  # from its first step: every ml_* writer of the account, of that day
        assert _latest_run_of(served, asset, "1") == retry.run_id, asset

    def posts_naming_the_run() -> list[str]:
        return [b["text"] for b in served.receiver.delivered if run.run_id in b["text"]]

    served.wait(posts_naming_the_run, 60, "the interrupted run's failure post")
    time.sleep(10)  # a few sensor ticks: not posted again
    assert len(posts_naming_the_run()) == 1, posts_naming_the_run()
    assert not [b for b in served.receiver.delivered if retry.run_id in b["text"]]
