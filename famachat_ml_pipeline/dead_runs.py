"""The dead-run sweeper: a `famachat-ml run` killed with -9 leaves its Dagster run STARTED (which blocks
the `famachat/pipeline` queue for good), its training job RUNNING and its frames on disk. The next
`famachat-ml run` marks such runs failed, closes their training jobs and removes their frames.

Runs launched by the daemon are not ours to judge (Dagster's run monitoring marks those, see
dagster.yaml); a CLI run is known dead when the process recorded in its tags is gone from this host.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field

import dagster as dg
import sqlalchemy as sa

from famachat_ml_pipeline.db import registry
from famachat_ml_pipeline.defs.shared.io_managers import remove_frames_except

PID_TAG = "famachat/pid"
HOST_TAG = "famachat/host"

_IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def process_tags() -> dict[str, str]:
    """Tags that let a later `famachat-ml run` tell whether this process still runs its run."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process with that id: treat as alive, never guess
        return True
    return True


def is_dead_cli_run(run: dg.DagsterRun, host: str) -> bool:
    pid = run.tags.get(PID_TAG)
    return run.tags.get(HOST_TAG) == host and pid is not None and pid.isdigit() and not _alive(int(pid))


@dataclass
class SweepReport:
    runs_failed: list[str] = field(default_factory=list)
    training_jobs_closed: list[str] = field(default_factory=list)  # the runs whose jobs it closed
    frames_removed: list[str] = field(default_factory=list)


def sweep_dead_runs(instance: dg.DagsterInstance, engine: sa.Engine, frames_dir: str) -> SweepReport:
    """Mark dead CLI runs failed (via the instance API), close the training jobs of every run that has
    ended without finishing them, and remove the frames of every run no longer in progress."""
    report = SweepReport()
    host = socket.gethostname()
    # NOT_STARTED too: a CLI killed while Dagster recorded its run's planned materialisations (~10 ms per
    # asset and account, over a minute for a fleet) left it NOT_STARTED for good
    maybe_running = [dg.DagsterRunStatus.NOT_STARTED, *_IN_PROGRESS]
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=maybe_running)):
        if is_dead_cli_run(run, host):
            instance.report_run_failed(run, "the famachat-ml process running it is gone (killed?)")
            report.runs_failed.append(run.run_id)
    report.training_jobs_closed = close_training_jobs_of_ended_runs(instance, engine)
    in_progress = [r.run_id for r in instance.get_runs(filters=dg.RunsFilter(statuses=_IN_PROGRESS))]
    report.frames_removed = remove_frames_except(frames_dir, in_progress)
    return report


def ended_run_reason(run: dg.DagsterRun) -> str:
    if run.status == dg.DagsterRunStatus.CANCELED:
        return f"its Dagster run {run.run_id} was cancelled (CANCELED) before it finished"
    return (
        f"its Dagster run {run.run_id} ended ({run.status.value}) without finishing it: the run's process "
        "died (kill -9, out of memory, a lost pod?)"
    )


def close_training_jobs_of_ended_runs(instance: dg.DagsterInstance, engine: sa.Engine) -> list[str]:
    """The PENDING or RUNNING ml_training_jobs rows whose Dagster run has ended, closed as their run ended:
    CANCELLED for a cancelled run, FAILED otherwise (its process died before the asset could record the
    outcome), with the reason. Returns the run ids. A run this instance does not know is left alone."""
    closed = []
    for run_id in registry.runs_with_unfinished_training_jobs(engine):
        run = instance.get_run_by_id(run_id)
        if run is None or not run.is_finished:
            continue
        status = "CANCELLED" if run.status == dg.DagsterRunStatus.CANCELED else "FAILED"
        if registry.close_training_jobs_of_run(engine, run_id, status, ended_run_reason(run)):
            closed.append(run_id)
    return closed
