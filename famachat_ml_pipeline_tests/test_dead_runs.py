"""`famachat-ml run` first marks failed the runs of CLI processes that are gone (`sweep_dead_runs`). A CLI
killed while Dagster recorded its run's planned materialisations (over a minute for a fleet) left the run
NOT_STARTED: the sweep passed it over, and the UI listed it as not started for good."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import dagster as dg

from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.dead_runs import HOST_TAG, PID_TAG, sweep_dead_runs
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline_tests.conftest import instance_for_test


def _exited_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_not_started_run_of_a_dead_cli_is_marked_failed_and_the_daemons_are_left(
    migrated_url: str, tmp_path: Path
) -> None:
    job = defs.resolve_job_def("ml_pipeline")
    with instance_for_test() as instance:
        instance.add_dynamic_partitions("config_id", ["1"])
        ranged = {"dagster/asset_partition_range_start": "1", "dagster/asset_partition_range_end": "1"}
        mine = {PID_TAG: str(_exited_pid()), HOST_TAG: socket.gethostname()}
        killed = instance.create_run_for_job(
            job, tags={**ranged, **mine}, status=dg.DagsterRunStatus.NOT_STARTED
        )
        # a run a sensor created, not yet submitted: no process of ours to ask about
        daemons = instance.create_run_for_job(job, tags=ranged, status=dg.DagsterRunStatus.NOT_STARTED)
        alive = {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
        planning = instance.create_run_for_job(
            job, tags={**ranged, **alive}, status=dg.DagsterRunStatus.NOT_STARTED
        )

        report = sweep_dead_runs(instance, get_engine(migrated_url), str(tmp_path))

        assert report.runs_failed == [killed.run_id]
        assert instance.get_run_by_id(killed.run_id).status == dg.DagsterRunStatus.FAILURE
        for left in (daemons, planning):
            assert instance.get_run_by_id(left.run_id).status == dg.DagsterRunStatus.NOT_STARTED
