"""A backfill launched as the UI launches it (GraphQL launchPartitionBackfill over a partition range, an
asset selection, no tags: the implicit asset job, not one of our jobs) whose run is killed with -9 mid-graph
is re-run once by the daemon from its first step and succeeds: a re-run "from failure" would find none of
the dead process's frames and fail again (alerted twice).

Its own deployment: the shared one's tests assert that no run failed."""

from __future__ import annotations

import time
from pathlib import Path

import dagster as dg
import pytest

from famachat_ml_pipeline_tests.e2e.served import Served, serve
from famachat_ml_pipeline_tests.e2e.test_served_killed_run import (
    WRITTEN_IN_ORDER,
    _kill_once_written,
    _latest_run_of,
    _sensor_runs,
)

SUCCESS, FAILURE = dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE
ACCOUNTS = ["1", "2"]
RETRY_STRATEGY_TAG = "dagster/retry_strategy"  # what the run-retry daemon reads

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.xdist_group("served")]


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
def test_a_killed_ui_backfill_run_is_re_run_from_its_first_step(tmp_path: Path) -> None:
    with serve(tmp_path) as served:
        served.wait(lambda: _sensor_runs(served, "new_accounts_sensor", SUCCESS), 300, "new accounts run")
        served.wait(served.idle, 240, "the queue to drain")
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
            return [b["text"] for b in served.receiver.delivered if b["text"].startswith(":x:")]

        served.wait(failures, 60, "the kill's failure post")
        time.sleep(15)  # a few sensor ticks: nothing else failed, nothing is posted twice
        assert len(failures()) == 1 and run.run_id in failures()[0], failures()
