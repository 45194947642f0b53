"""Runs the graph for a set of accounts, recorded in the Dagster instance (visible in the UI).

One queue for everyone: when a daemon serves the instance, runs are submitted to its run queue (where the
dagster.yaml tag limit orders them with the schedules', sensors' and UI's runs) and this process waits,
printing step events and the assets' own log lines (and, while queued, what it waits for); if the daemon
stops serving meanwhile, the still-queued run is cancelled and executes here. Otherwise runs execute here,
after waiting for any running pipeline run to end, under an inter-process lock (`run_turn`) so two
processes never both execute.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dagster as dg
import sqlalchemy as sa
from dagster._core.utils import make_new_run_id
from dagster._utils.error import SerializableErrorInfo

from famachat_ml_pipeline.counted import counted
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.db.orchestration_queries import any_model_trained
from famachat_ml_pipeline.dead_runs import process_tags, sweep_dead_runs
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.defs.classification.assets import MODEL_TYPE
from famachat_ml_pipeline.defs.classification.jobs import model_retraining_job
from famachat_ml_pipeline.defs.orchestration.alerts import step_error_line
from famachat_ml_pipeline.defs.pipeline.jobs import ml_pipeline_job
from famachat_ml_pipeline.defs.shared.account_run import latest_complete_day_of
from famachat_ml_pipeline.defs.shared.io_managers import remove_run_frames
from famachat_ml_pipeline.defs.shared.partitions import AS_OF_TAG, config_partitions
from famachat_ml_pipeline.defs.shared.schedules import contiguous_ranges, ranged_run_tags
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.interrupted_run import InterruptWatch, cli_console_logger
from famachat_ml_pipeline.preflight import check_database, check_storage
from famachat_ml_pipeline.run_turn import QueueBusy, in_process_turn
from famachat_ml_pipeline.settings import Settings, export_resource_environment
from famachat_ml_pipeline.source.read import list_config_ids

__all__ = ["IncompleteDay", "RunSummary", "UnknownAccounts", "contiguous_ranges", "run_pipeline"]

CODE_LOCATION = "famachat_ml_pipeline.definitions"  # the module workspace.yaml and `serve` load
QUEUE_DAEMON = "QUEUED_RUN_COORDINATOR"
HEARTBEAT_FRESH_SECONDS = 60.0  # the daemon beats every 30 s
PROGRESS_SECONDS = 15.0  # a line while a submitted run waits in the queue
# queued this long with nothing ahead and a fresh heartbeat: the daemon is not dequeuing
PICKUP_SECONDS = 300.0
SHOWN_EVENTS = {
    dg.DagsterEventType.RUN_START,
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.RUN_FAILURE,
    dg.DagsterEventType.RUN_SUCCESS,
}


class UnknownAccounts(ValueError):
    pass


class IncompleteDay(ValueError):
    pass


@dataclass
class RunSummary:
    run_id: str
    first: str
    last: str
    accounts: int
    success: bool
    seconds: float


def run_pipeline(
    settings: Settings,
    config_ids: Sequence[int] | None = None,
    as_of: dt.date | None = None,
    echo: Callable[[str], None] = print,
    log_level: str = "INFO",
    train_if_no_model: bool = False,
) -> list[RunSummary]:
    """Register the accounts as partitions, then materialise the whole graph as ranged runs.

    The assets' resources read `settings` through the environment (settings.export_resource_environment).
    Each run's as_of is decided here, once: `as_of`, else the latest complete day of its accounts.
    It never trains: training is the retraining job's. With `train_if_no_model` (the CLI's `run --all`
    and `demo`), a run over every account, not of a past day, on a deployment with no model registered
    yet runs the retraining job once first, so a fresh install classifies with a model if one wins.
    """
    check_storage(settings)
    export_resource_environment(settings)
    check_database(settings.database_url, need_source=True)
    engine = get_engine(settings.database_url)
    migrate(settings.database_url)
    source_ids = list_config_ids(engine)
    whole_fleet = config_ids is None
    if config_ids is None:
        config_ids = source_ids
    else:
        unknown = sorted(set(config_ids) - set(source_ids))
        if unknown:
            raise UnknownAccounts(f"config_id not found in the source tables: {unknown}")
    if not config_ids:
        raise UnknownAccounts("the source tables have no accounts (run `famachat-ml generate-demo-data`?)")

    if as_of is not None:
        latest_day = latest_complete_day_of(engine, list(config_ids), settings.default_timezone)
        if as_of > latest_day:
            raise IncompleteDay(
                f"--as-of {as_of} is not a complete day yet: the latest complete day for these accounts is "
                f"{latest_day} (today is partial and its conversions are still arriving)"
            )
    instance = get_instance(settings)
    frames_dir = str(settings.frames_storage_path)
    _sweep(instance, engine, frames_dir, echo)
    known = set(instance.get_dynamic_partitions(config_partitions.name))
    new = [str(c) for c in config_ids if str(c) not in known]
    if new:
        instance.add_dynamic_partitions(config_partitions.name, new)
        echo(f"registered {len(new)} new config_id partitions")
    ordered = instance.get_dynamic_partitions(config_partitions.name)
    latest = latest_complete_day_of(engine, list(config_ids), settings.default_timezone)
    execute = _submitter(instance, echo, frames_dir, settings.dagster_pg_url)
    summaries = []
    first_model = train_if_no_model and whole_fleet and (as_of is None or as_of >= latest)
    if first_model and not any_model_trained(engine, MODEL_TYPE):
        # A fresh deployment: train once now, so this first run classifies with a model if one wins.
        echo("no classifier trained yet: training it once first (later, the 05:00 retraining job does)")
        summaries.append(execute(model_retraining_job.name, None, None, log_level))
    for keys in contiguous_ranges(ordered, {str(c) for c in config_ids}):
        run_as_of = as_of or latest_complete_day_of(engine, [int(k) for k in keys], settings.default_timezone)
        tags = {**ranged_run_tags(keys[0], keys[-1]), AS_OF_TAG: run_as_of.isoformat()}
        echo(
            f"running the graph for {counted(len(keys), 'account')} ({keys[0]}..{keys[-1]}); Dagster first "
            "records the planned materialisations (about 10 ms per asset and account)"
        )
        summaries.append(execute(ml_pipeline_job.name, keys, tags, log_level))
    return summaries


def retrain_model(
    settings: Settings, echo: Callable[[str], None] = print, log_level: str = "INFO"
) -> RunSummary:
    """The retraining job (the 05:00 schedule's), now: through the daemon's queue when one runs."""
    check_storage(settings)
    export_resource_environment(settings)
    check_database(settings.database_url, need_source=True)
    engine = get_engine(settings.database_url)
    migrate(settings.database_url)
    instance = get_instance(settings)
    frames_dir = str(settings.frames_storage_path)
    _sweep(instance, engine, frames_dir, echo)
    execute = _submitter(instance, echo, frames_dir, settings.dagster_pg_url)
    return execute(model_retraining_job.name, None, None, log_level)


def _sweep(
    instance: dg.DagsterInstance, engine: sa.Engine, frames_dir: str, echo: Callable[[str], None]
) -> None:
    swept = sweep_dead_runs(instance, engine, frames_dir)
    if swept.runs_failed:
        echo(f"marked {len(swept.runs_failed)} dead run(s) failed: {', '.join(swept.runs_failed)}")
    if swept.training_jobs_closed:
        closed = swept.training_jobs_closed
        echo(f"closed the unfinished training jobs of {len(closed)} ended run(s): {', '.join(closed)}")


Execute = Callable[[str, list[str] | None, dict[str, str] | None, str], RunSummary]


def daemon_is_running(instance: dg.DagsterInstance) -> bool:
    """Whether a dagster-daemon dequeues this instance's runs: its queue heartbeat is recent."""
    beat = instance.get_daemon_heartbeats().get(QUEUE_DAEMON)
    return beat is not None and time.time() - beat.timestamp < HEARTBEAT_FRESH_SECONDS


def _submitter(
    instance: dg.DagsterInstance, echo: Callable[[str], None], frames_dir: str, dagster_pg_url: str | None
) -> Execute:
    def here(job: str, keys: list[str] | None, tags: dict[str, str] | None, level: str) -> RunSummary:
        return execute_here(instance, job, keys, tags or {}, level, echo, frames_dir, dagster_pg_url)

    if daemon_is_running(instance):
        echo("a dagster-daemon serves this instance: submitting to its run queue")
        return lambda job, keys, tags, level: submit_and_wait(
            instance, job, keys, tags or {}, level, echo, run_here=here
        )
    return here


def _run_config(log_level: str) -> dict:
    return {"loggers": {"console": {"config": {"log_level": log_level}}}}


def _summary(run_id: str, keys: list[str] | None, success: bool, start: float) -> RunSummary:
    first, last = (keys[0], keys[-1]) if keys else ("", "")
    return RunSummary(run_id, first, last, len(keys or []), success, time.perf_counter() - start)


def execute_here(
    instance: dg.DagsterInstance,
    job_name: str,
    keys: list[str] | None,
    tags: dict[str, str],
    log_level: str,
    echo: Callable[[str], None],
    frames_dir: str,
    dagster_pg_url: str | None = None,
) -> RunSummary:
    mine = process_tags()
    run_id = make_new_run_id()
    watch = InterruptWatch(instance, run_id)
    instance.add_event_listener(run_id, watch)
    job = defs.resolve_job_def(job_name).with_logger_defs({"console": cli_console_logger})
    with in_process_turn(instance, dagster_pg_url, echo):
        start = time.perf_counter()
        try:
            result = job.execute_in_process(
                instance=instance,
                run_id=run_id,
                tags={**tags, **mine},
                raise_on_error=False,
                run_config=_run_config(log_level),
            )
        except KeyboardInterrupt:  # before the steps: Dagster creating the run (its planned events)
            said = watch.conclude()
            if said:
                echo(said)
            raise
        finally:  # the run's hand-off frames are its own: gone when it ends, whichever way
            remove_run_frames(frames_dir, run_id)
    said = watch.conclude()
    if said:  # Ctrl-C: the run is cancelled; stop here, the next runs too
        echo(said)
        raise KeyboardInterrupt
    if not result.success:
        failures = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
        for event in failures:
            echo(f"step {event.step_key} failed: {root_cause(event.event_specific_data.error)}")
    return _summary(result.run_id, keys, result.success, start)


def root_cause(error: SerializableErrorInfo | None) -> str:
    """The failed step's own error in one line, as its alert says it (`alerts.step_error_line`), e.g.
    "OperationalError: (sqlite3.OperationalError) database is locked", or our WriteLockTimeout's message
    through Dagster's and RetryRequested's wrappers (the innermost error was psycopg's bare "canceling
    statement due to lock timeout")."""
    return step_error_line(error) or "unknown error"


def submit_and_wait(
    instance: dg.DagsterInstance,
    job_name: str,
    keys: list[str] | None,
    tags: dict[str, str],
    log_level: str,
    echo: Callable[[str], None],
    poll_seconds: float = 1.0,
    run_here: Execute | None = None,
    progress_seconds: float | None = None,
    pickup_seconds: float = PICKUP_SECONDS,
) -> RunSummary:
    """Submit through the instance's run queue (`dagster job launch`, which queues under a
    QueuedRunCoordinator), then follow the run's step events until it ends.

    While the run is queued this says every `progress_seconds` (`PROGRESS_SECONDS`, read at the call) what
    it waits for. If the daemon stops
    serving the queue (its heartbeat goes stale: `serve` stopped less than a minute before the submission),
    or nothing is ahead and the run is still not picked up after `pickup_seconds`, the run is cancelled
    while still QUEUED (so no daemon started later launches it) and `run_here` executes it in this process
    (without `run_here`: QueueBusy)."""
    start = time.perf_counter()
    run_id = str(uuid.uuid4())
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    command = [
        dagster,
        "job",
        "launch",
        "-m",
        CODE_LOCATION,
        "-j",
        job_name,
        "--run-id",
        run_id,
        "--tags",
        json.dumps(tags),
        "--config-json",
        json.dumps(_run_config(log_level)),
    ]
    try:  # Ctrl-C from here on: a run `dagster job launch` already queued is withdrawn (_interrupted)
        launched = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
        if launched.returncode != 0:
            stderr = launched.stderr.strip()[-500:]
            raise QueueBusy(f"could not submit {job_name} to the run queue: {stderr}")
        echo(f"run {run_id[:8]} ({job_name}) queued")
        progress = PROGRESS_SECONDS if progress_seconds is None else progress_seconds
        timing = (start, poll_seconds, progress, pickup_seconds)
        return _follow(instance, run_id, job_name, keys, tags, log_level, echo, run_here, *timing)
    except KeyboardInterrupt:
        said = _interrupted(instance, run_id)
        if said:
            echo(said)
        raise


def _interrupted(instance: dg.DagsterInstance, run_id: str) -> str | None:
    """What Ctrl-C did to a run this process submitted: a run still QUEUED is cancelled (the daemon would
    have launched it later, after the person had stopped it); a run the daemon launched goes on, and is
    said to. It was a KeyboardInterrupt traceback either way, the queued run left to run. None for a run
    already ended (withdrawn, then interrupted while it ran in this process: Dagster's own stop)."""
    reason = "famachat-ml run was interrupted (Ctrl-C) before the run started"
    if withdraw_queued_run(instance, run_id, reason, message=reason):
        return f"interrupted: cancelled run {run_id[:8]}, still queued (it will not run)"
    run = instance.get_run_by_id(run_id)
    if run is None or run.is_finished:
        return None
    status = run.status.value
    return (
        f"interrupted: stopped following run {run_id[:8]} ({status}); the dagster-daemon runs it to its end "
        "(the UI's Runs page shows it, and can terminate it)"
    )


def _follow(
    instance: dg.DagsterInstance,
    run_id: str,
    job_name: str,
    keys: list[str] | None,
    tags: dict[str, str],
    log_level: str,
    echo: Callable[[str], None],
    run_here: Execute | None,
    start: float,
    poll_seconds: float,
    progress_seconds: float,
    pickup_seconds: float,
) -> RunSummary:
    """Print the submitted run's steps and log lines until it ends (`submit_and_wait`)."""
    threshold = logging.getLevelNamesMapping().get(log_level.upper(), logging.INFO)
    cursor = None
    queued_at = next_progress = time.monotonic()
    next_progress += progress_seconds
    while True:
        run = instance.get_run_by_id(run_id)
        page = instance.get_records_for_run(run_id, cursor=cursor, limit=1000)
        cursor = page.cursor
        for record in page.records:
            event = record.event_log_entry.dagster_event
            said = log_line(record.event_log_entry, threshold)
            if said is not None:
                echo(f"run {run_id[:8]}: {said}")
            if event is not None and event.event_type in SHOWN_EVENTS:
                step = f" {event.step_key}" if event.step_key else ""
                echo(f"run {run_id[:8]}: {event.event_type_value}{step}")
                if event.event_type == dg.DagsterEventType.STEP_FAILURE:
                    echo(f"step {event.step_key} failed: {root_cause(event.event_specific_data.error)}")
        if run is not None and run.is_finished and not page.has_more:
            return _summary(run_id, keys, run.status == dg.DagsterRunStatus.SUCCESS, start)
        if run is not None and run.status == dg.DagsterRunStatus.QUEUED:
            now = time.monotonic()
            ahead = runs_ahead_of(instance, run)
            if not daemon_is_running(instance):
                reason = "the dagster-daemon stopped serving this instance (its heartbeat is stale)"
            elif not ahead and now - queued_at > pickup_seconds:
                reason = (
                    f"the dagster-daemon did not pick the run up in {pickup_seconds:.0f}s with nothing ahead"
                )
            else:
                reason = None
            if reason is not None and withdraw_queued_run(instance, run_id, reason):
                if run_here is None:
                    raise QueueBusy(f"{reason}: cancelled queued run {run_id[:8]}")
                echo(
                    f"{reason}: cancelled queued run {run_id[:8]}; running {job_name} in this process instead"
                )
                return run_here(job_name, keys, tags, log_level)
            if now >= next_progress:
                next_progress = now + progress_seconds
                if ahead:
                    first = ahead[0]
                    echo(f"run {run_id[:8]} still queued behind run {first.run_id[:8]} ({first.job_name})")
                else:
                    echo(f"run {run_id[:8]} still queued: waiting for the dagster-daemon to pick it up")
        time.sleep(poll_seconds)


def log_line(entry: dg.EventLogEntry, threshold: int) -> str | None:
    """An asset's own log record (`context.log`) at or above the run's log level, as an in-process run
    prints it: followed through the daemon's queue, `run` printed the steps alone, so a backfill said
    "success" without "account 7: all 1,282 source rows set aside; kept the results of ...". None for
    Dagster's events (the steps are said apart) and for records below the level."""
    if entry.dagster_event is not None or entry.level < threshold:
        return None
    level = logging.getLevelName(entry.level)
    return entry.user_message if entry.level < logging.WARNING else f"{level}: {entry.user_message}"


_IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def runs_ahead_of(instance: dg.DagsterInstance, run: dg.DagsterRun) -> list[dg.DagsterRun]:
    """Runs the queue may hold `run` behind: every run in progress, then the queued runs older than it."""
    active = list(instance.get_runs(dg.RunsFilter(statuses=_IN_PROGRESS)))
    queued = instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.QUEUED]))
    mine = next((r for r in queued if r.dagster_run.run_id == run.run_id), None)
    older = [
        r.dagster_run
        for r in sorted(queued, key=lambda r: r.create_timestamp)
        if mine is not None and r.create_timestamp < mine.create_timestamp
    ]
    return active + older


def withdraw_queued_run(
    instance: dg.DagsterInstance, run_id: str, reason: str, message: str | None = None
) -> bool:
    """Cancel our run if it is still QUEUED, so that no daemon launches it later; False when a daemon has
    picked it up meanwhile (then it is followed as before). `message` is the UI's reason (default: the run
    executes in this process instead)."""
    run = instance.get_run_by_id(run_id)
    if run is None or run.status != dg.DagsterRunStatus.QUEUED:
        return False
    instance.report_run_canceled(run, message=message or f"famachat-ml ran it in-process instead: {reason}")
    return True
