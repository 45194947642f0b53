"""The run launcher in dagster.yaml: Dagster's DefaultRunLauncher, plus a health check of each run's worker
process, so that the daemon's run monitoring notices a run whose worker is gone.

DefaultRunLauncher cannot check a worker, so run monitoring never looks at a STARTED run: when a worker died
alone, the code server that spawned it marked its run failed; when both died (a node restart, SIGKILL of
`famachat-ml serve` and its children), nobody did. The run stayed STARTED for good and, every job sharing the
one-run `famachat/pipeline` queue, no run started again (measured: 200 s after the restart, the killed run
still STARTED, the first model's run still QUEUED behind it). Now run monitoring (every
`poll_interval_seconds`) marks it failed, `run_retries` re-runs it from its first step and
`dead_training_jobs_sensor` closes its training job.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster._core.launcher import CheckRunHealthResult, DefaultRunLauncher, LaunchRunContext, WorkerStatus

from famachat_ml_pipeline.dead_runs import HOST_TAG, PID_TAG

LAUNCH_HOST_TAG = "famachat/launch_host"  # where the daemon launched it: the worker runs on that host
_WORKER_STARTED = "Started process for run"  # the worker's first engine event, with its pid (Dagster's)
_SLACK_SECONDS = 2.0  # /proc's start times are in clock ticks since boot: allow the rounding


@dataclass(frozen=True)
class Worker:
    pid: int
    host: str
    started_by: float  # a timestamp the process had started by (its first event, or its run's creation)


def process_started_at(pid: int) -> float | None:
    """When a live process started (Unix time), None if there is no such process or it is a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime"))
    except (OSError, StopIteration):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": comm may hold spaces
    if fields[0] in ("Z", "X"):
        return None
    return int(boot.split()[1]) + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def worker_alive(worker: Worker) -> bool:
    """Its pid is a live process that had started by then: a pid reused after the worker died (a node's
    restart numbers processes again from 1) is a process that started later."""
    started = process_started_at(worker.pid)
    return started is not None and started <= worker.started_by + _SLACK_SECONDS


def run_worker(instance: dg.DagsterInstance, run: dg.DagsterRun) -> Worker | None:
    """The process that runs `run`: a `famachat-ml run` (its tags), or the worker a code server spawned for
    the daemon (its first engine event). None when this launcher did not launch it and no CLI tagged it."""
    if PID_TAG in run.tags and HOST_TAG in run.tags and run.tags[PID_TAG].isdigit():
        record = instance.get_run_record_by_id(run.run_id)
        created = record.create_timestamp.timestamp() if record else 0.0
        return Worker(int(run.tags[PID_TAG]), run.tags[HOST_TAG], created)
    if LAUNCH_HOST_TAG not in run.tags:
        return None
    for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        if entry.message.startswith(_WORKER_STARTED) and entry.dagster_event is not None:
            pid = entry.dagster_event.event_specific_data.metadata.get("pid")  # type: ignore[union-attr]
            if pid is not None and str(pid.value).isdigit():
                return Worker(int(pid.value), run.tags[LAUNCH_HOST_TAG], entry.timestamp)
    return None


def worker_health(instance: dg.DagsterInstance, run: dg.DagsterRun, host: str) -> CheckRunHealthResult:
    """FAILED only for a worker known to be gone from this host; RUNNING when it cannot tell (another host,
    a worker not started yet: STARTING runs have run monitoring's `start_timeout_seconds`)."""
    worker = run_worker(instance, run)
    if worker is None or worker.host != host:
        return CheckRunHealthResult(WorkerStatus.RUNNING, "not a worker of this host to check")
    if worker_alive(worker):
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"process {worker.pid} is alive")
    return CheckRunHealthResult(
        WorkerStatus.FAILED,
        f"the process running it (pid {worker.pid} on {worker.host}) is gone: killed, or its machine"
        " restarted",
    )


class LocalRunLauncher(DefaultRunLauncher):
    """DefaultRunLauncher (a run per code-server subprocess) whose workers run monitoring can check."""

    def launch_run(self, context: LaunchRunContext) -> None:
        self._instance.add_run_tags(context.dagster_run.run_id, {LAUNCH_HOST_TAG: socket.gethostname()})
        super().launch_run(context)

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> CheckRunHealthResult:
        return worker_health(self._instance, run, socket.gethostname())
