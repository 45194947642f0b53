"""`famachat-ml status`: whether the deployment is healthy, in figures, and an exit code for a monitor.

Read-only: it opens the Dagster instance only if its storage exists (instance.existing_instance) and the
database only at this code's schema revision (preflight.check_ready); it creates and migrates nothing.
Every query is one the pipeline already makes (the sensors' indexed max per account, the instance's run
records), so a fleet costs a few index seeks per account, never a read of the insight rows.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import dagster as dg
import sqlalchemy as sa

from famachat_ml_pipeline.counted import counted

HEALTHY, NEEDS_A_PERSON = 0, 1
FAILED_WINDOW = dt.timedelta(hours=24)
STALE_AFTER = dt.timedelta(days=1)  # results may be one day behind the source: today is not complete yet
SHOWN_FAILURES = 3
SHOWN_ACCOUNTS = 10
_IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


@dataclass
class Section:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # each one makes the exit code 1


def age(seconds: float) -> str:
    """`45 s`, `12 min`, `3.2 h`, `2.1 days`: how long ago, for a person."""
    if seconds < 90:
        return f"{max(seconds, 0):.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def daemon_section(instance: dg.DagsterInstance, now: float, expect_daemon: bool) -> Section:
    from famachat_ml_pipeline.runner import daemon_is_running

    out = Section()
    beats = instance.get_daemon_heartbeats()
    newest = max((b.timestamp for b in beats.values()), default=None)
    if daemon_is_running(instance):
        out.lines.append(f"daemon: running, last heartbeat {age(now - newest)} ago")
        statuses = instance.get_daemon_statuses()
        unhealthy = sorted(name for name, s in statuses.items() if s.required and not s.healthy)
        if unhealthy:
            out.problems.append(f"daemons unhealthy: {', '.join(unhealthy)}")
    elif newest is not None:
        out.problems.append(
            f"daemon: not running, its last heartbeat is {age(now - newest)} old (it died without serve's "
            "clean stop: killed? out of memory?): no schedule, sensor or queued run runs"
        )
    else:
        line = "daemon: not running (no heartbeat: never started here, or stopped cleanly)"
        (out.problems if expect_daemon else out.lines).append(line)
    return out


def _oldest(records: list[dg.RunRecord], now: float) -> str:
    oldest = min(r.start_time or r.create_timestamp.timestamp() for r in records)
    return f", oldest {age(now - oldest)}"


def runs_section(instance: dg.DagsterInstance, job_names: list[str], now: float, daemon_up: bool) -> Section:
    out = Section()
    active = list(instance.get_run_records(dg.RunsFilter(statuses=_IN_PROGRESS)))
    queued = list(instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.QUEUED])))
    out.lines.append(
        f"runs: {len(active)} in progress{_oldest(active, now) if active else ''}, "
        f"{len(queued)} queued{_oldest(queued, now) if queued else ''}"
    )
    if queued and not daemon_up:
        out.problems.append(f"{counted(len(queued), 'run')} queued and no daemon runs to launch them")
    for job in job_names:
        last = instance.get_run_records(dg.RunsFilter(job_name=job), limit=1)
        if last:
            run, created = last[0].dagster_run, last[0].create_timestamp.timestamp()
            out.lines.append(
                f"  {job}: last run {run.run_id[:8]} {run.status.value} {age(now - created)} ago"
            )
        else:
            out.lines.append(f"  {job}: never run")
    failures = _failures_section(instance, now)
    out.lines += failures.lines
    out.problems += failures.problems
    return out


def _failures_section(instance: dg.DagsterInstance, now: float) -> Section:
    out = Section()
    since = dt.datetime.fromtimestamp(now, dt.UTC) - FAILED_WINDOW
    failed = list(
        instance.get_run_records(
            dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE], updated_after=since),
            order_by="create_timestamp",
        )
    )
    out.lines.append(f"runs FAILED in the last 24 h: {len(failed)}")
    for record in failed[:SHOWN_FAILURES]:
        run = record.dagster_run
        error = first_error(instance, run.run_id)
        out.lines.append(
            f"  {run.run_id[:8]} {run.job_name}, {age(now - record.create_timestamp.timestamp())} ago"
            + (f": {error}" if error else "")
        )
    unresolved = [r for r in _newest_per_job(failed) if not _succeeded_after(instance, r)]
    for record in unresolved:
        run = record.dagster_run
        out.problems.append(
            f"job {run.job_name}: run {run.run_id[:8]} FAILED and no later run of it succeeded"
        )
    return out


def _newest_per_job(records: list[dg.RunRecord]) -> list[dg.RunRecord]:
    newest: dict[str, dg.RunRecord] = {}
    for r in records:
        known = newest.get(r.dagster_run.job_name)
        if known is None or r.create_timestamp > known.create_timestamp:
            newest[r.dagster_run.job_name] = r
    return list(newest.values())


def _succeeded_after(instance: dg.DagsterInstance, failure: dg.RunRecord) -> bool:
    ok = instance.get_run_records(
        dg.RunsFilter(
            job_name=failure.dagster_run.job_name,
            statuses=[dg.DagsterRunStatus.SUCCESS],
            created_after=failure.create_timestamp,
        ),
        limit=1,
    )
    return bool(ok)


def first_error(instance: dg.DagsterInstance, run_id: str) -> str | None:
    """The failed run's first step error in one line (as its alert says it), else the run's own failure
    message: two event types of one run, a single indexed read."""
    from famachat_ml_pipeline.defs.orchestration.alerts import step_error_line

    kinds = {dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_FAILURE}
    records = instance.get_records_for_run(run_id, of_type=kinds, limit=20).records
    events = [r.event_log_entry.dagster_event for r in records if r.event_log_entry.dagster_event]
    for event in events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            line = step_error_line(event.event_specific_data.error)
            if line:
                return line
    messages = [e.message for e in events if e.event_type == dg.DagsterEventType.RUN_FAILURE and e.message]
    return messages[0].strip().splitlines()[0] if messages else None


@dataclass(frozen=True)
class Freshness:
    accounts: int
    source: dict[int, dt.date]  # latest day of insights, per account with any
    results: dict[int, dt.date]  # latest day of results (classifications), per account with any
    today: dt.date | None = None  # São Paulo's: a source day that is today is partial, never run yet

    def complete(self, account: int) -> dt.date:
        """The account's latest complete source day: today's rows so far are no day the run can have."""
        day = self.source[account]
        return min(day, self.today - dt.timedelta(days=1)) if self.today else day

    def stale(self) -> list[tuple[int, dt.date, dt.date]]:
        """(account, latest complete source day, results' day) of the accounts more than a day behind: from
        midnight to the daily run, results a day behind are on schedule (was a false PROBLEM every night
        once today's first rows arrived)."""
        return [
            (c, self.complete(c), day)
            for c, day in sorted(self.results.items())
            if c in self.source and self.complete(c) - day > STALE_AFTER
        ]

    def without_results(self) -> list[int]:
        return sorted(set(self.source) - set(self.results))


def read_freshness(engine: sa.Engine, now: dt.datetime) -> Freshness:
    from famachat_ml_pipeline.db.reader import latest_classified_days
    from famachat_ml_pipeline.source.read import last_insight_days, list_config_ids

    ids = list_config_ids(engine)
    source = last_insight_days(engine, ids, now=now)
    # up to the day after tomorrow: any results at all, whatever the timezone of their as_of
    results = latest_classified_days(engine, ids, up_to=now.date() + dt.timedelta(days=2))
    from famachat_ml_pipeline.source.clean import account_zone

    return Freshness(len(ids), source, results, now.astimezone(account_zone(None)).date())


def _first(items: list[str], sep: str) -> str:
    """The first SHOWN_ACCOUNTS items, and how many more: a fleet's list stays one line."""
    more = f" and {len(items) - SHOWN_ACCOUNTS} more" if len(items) > SHOWN_ACCOUNTS else ""
    return sep.join(items[:SHOWN_ACCOUNTS]) + more


def freshness_section(fresh: Freshness) -> Section:
    out = Section()
    source, results = max(fresh.source.values(), default=None), max(fresh.results.values(), default=None)
    # "latest day 2026-12-02" beside results of 12-01 read as a day behind: the source's today is partial
    partial = ", today so far; results cover complete days" if source and source == fresh.today else ""
    out.lines.append(
        f"accounts: {fresh.accounts} in the source (latest day {source or 'none'}{partial}), "
        f"{len(fresh.results)} with results (latest day {results or 'none'})"
    )
    stale = fresh.stale()
    if stale:
        shown = _first([f"{c} (source {s}, results {r})" for c, s, r in stale], "; ")
        out.problems.append(f"{counted(len(stale), 'account')} behind the source by over a day: {shown}")
    missing = fresh.without_results()
    if missing:
        shown = _first([str(c) for c in missing], ", ")
        out.lines.append(f"{counted(len(missing), 'account')} with source data and no results yet: {shown}")
    return out


def job_names() -> list[str]:
    from famachat_ml_pipeline.definitions import defs

    return sorted(j.name for j in defs.resolve_all_job_defs() if not j.name.startswith("__"))


def gather(instance: dg.DagsterInstance, engine: sa.Engine, expect_daemon: bool) -> list[Section]:
    from famachat_ml_pipeline.runner import daemon_is_running

    now = time.time()
    daemon = daemon_section(instance, now, expect_daemon)
    runs = runs_section(instance, job_names(), now, daemon_is_running(instance))
    fresh = freshness_section(read_freshness(engine, dt.datetime.fromtimestamp(now, dt.UTC)))
    return [daemon, runs, fresh]


def exit_code(sections: list[Section]) -> int:
    return NEEDS_A_PERSON if any(s.problems for s in sections) else HEALTHY
