"""A backfill launched as the UI launches it (GraphQL launchPartitionBackfill over a partition range, an
asset selection, no tags: the implicit asset job, not one of our jobs) whose run is killed with -9 mid-graph
is re-run once by the daemon from its first step and succeeds: a re-run "from failure" would find none of
the dead process's frames and fail again (alerted twice).

On the package's deployment, after its other tests (they assert that no run failed: e2e/conftest.py); it
asserts only about its backfill's runs and the failure posts delivered while it ran."""

from __future__ import annotations

import time

import dagster as dg
import pytest

from famachat_ml_pipeline_tests.e2e.served import Served
from famachat_ml_pipeline_tests.e2e.test_served_killed_run import (
    WRITTEN_IN_ORDER,
    _kill_once_written,
    _latest_run_of,
)

SUCCESS, FAILURE = dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE
ACCOUNTS = ["1", "2"]
RETRY_STRATEGY_TAG = "dagster/retry_strategy"  # what the run-retry daemon reads

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.xdist_group("served"),
    pytest.mark.kills_runs,  # after the package's other tests (e2e/conftest.py)
]


def _launch_backfill_as_the_ui_does(served: Served) -> str:
    launched = served.graphql(
        """mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) {
             __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }""",
        {
            "p": {
                "assetSelection": [{"path": [asset]} for asset in WRITTEN_IN_ORDER],
                "partitionNames": ACCOUNTS,
                "fromFailure": False,
                "tags": [],
            }
        },
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    return launched["backfillId"]


def _backfill_runs(served: Served, backfill_id: str) -> list[dg.DagsterRun]:
    return [r for r in served.runs() if r.tags.get("dagster/backfill") == backfill_id]


@pytest.mark.timeout(600)
def test_a_killed_ui_backfill_run_is_re_run_from_its_first_step(served: Served) -> None:
    served.wait(served.idle, 240, "the queue to drain")
    posted_before = len(served.receiver.delivered)  # the package's earlier tests' posts are not ours
    backfill_id = _launch_backfill_as_the_ui_does(served)
    (run,) = served.wait(lambda: _backfill_runs(served, backfill_id), 240, "the backfill's run")
    assert run.job_name == "__ASSET_JOB" and RETRY_STRATEGY_TAG not in run.tags  # as the UI launched it
    _kill_once_written(served, run.run_id)

    served.wait(lambda: served.instance.get_run_by_id(run.run_id).status == FAILURE, 180, "marked failed")
    retry = served.wait(
        lambda: [r for r in served.runs() if r.parent_run_id == run.run_id and r.is_finished],
        300,
        "the daemon's re-run of the killed backfill run",
    )[0]
    assert retry.status == SUCCESS, served.log.read_text()[-4000:]
    assert retry.tags[RETRY_STRATEGY_TAG] == "ALL_STEPS"
    # from its first step, for both accounts of the range
    for asset in WRITTEN_IN_ORDER:
        for account in ACCOUNTS:
            assert _latest_run_of(served, asset, account) == retry.run_id, (asset, account)

    def failures() -> list[str]:
        return [b["text"] for b in served.receiver.delivered[posted_before:] if b["text"].startswith(":x:")]

    served.wait(failures, 60, "the kill's failure post")
    time.sleep(15)  # a few sensor ticks: nothing else failed, nothing is posted twice
    assert len(failures()) == 1 and run.run_id in failures()[0], failures()
