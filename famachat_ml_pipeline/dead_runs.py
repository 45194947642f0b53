"""The dead-run sweeper: a `famachat-ml run` killed with -9 leaves its Dagster run STARTED (which blocks
the `famachat/pipeline` queue for good), its training job RUNNING and its frames on disk. The next
`famachat-ml run` marks such runs failed, cancels their training jobs and removes their frames.

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
_ENDED = [dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED, dg.DagsterRunStatus.SUCCESS]


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
    training_jobs_cancelled: int = 0
    frames_removed: list[str] = field(default_factory=list)


def sweep_dead_runs(instance: dg.DagsterInstance, engine: sa.Engine, frames_dir: str) -> SweepReport:
    """Mark dead CLI runs failed (via the instance API), cancel the training jobs of every run that has
    ended without finishing them, and remove the frames of every run no longer in progress."""
    report = SweepReport()
    host = socket.gethostname()
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=_IN_PROGRESS)):
        if is_dead_cli_run(run, host):
            instance.report_run_failed(run, "the famachat-ml process running it is gone (killed?)")
            report.runs_failed.append(run.run_id)
    ended = [r.run_id for r in instance.get_runs(filters=dg.RunsFilter(statuses=_ENDED[:2]), limit=200)]
    report.training_jobs_cancelled = registry.cancel_training_jobs_of_runs(
        engine, sorted(set(ended) | set(report.runs_failed)), "its run ended without finishing it"
    )
    in_progress = [r.run_id for r in instance.get_runs(filters=dg.RunsFilter(statuses=_IN_PROGRESS))]
    report.frames_removed = remove_frames_except(frames_dir, in_progress)
    return report
