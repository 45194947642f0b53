"""Runs the whole asset graph for a set of accounts, recorded in the Dagster instance (visible in the UI)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dagster as dg

from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.dead_runs import process_tags, sweep_dead_runs
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.defs.pipeline.jobs import ml_pipeline_job
from famachat_ml_pipeline.defs.shared.account_run import latest_complete_day_of
from famachat_ml_pipeline.defs.shared.io_managers import remove_run_frames
from famachat_ml_pipeline.defs.shared.partitions import AS_OF_TAG, config_partitions
from famachat_ml_pipeline.defs.shared.schedules import ranged_run_tags
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.preflight import check_database
from famachat_ml_pipeline.settings import Settings, export_resource_environment
from famachat_ml_pipeline.source.read import list_config_ids


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


def contiguous_ranges(ordered_keys: Sequence[str], wanted: set[str]) -> list[list[str]]:
    """Split the wanted keys into runs that are contiguous in the instance's partition order.

    A Dagster ranged run covers start..end inclusive, so a non-contiguous selection needs several runs.
    """
    ranges: list[list[str]] = []
    current: list[str] = []
    for key in ordered_keys:
        if key in wanted:
            current.append(key)
        elif current:
            ranges.append(current)
            current = []
    if current:
        ranges.append(current)
    return ranges


def run_pipeline(
    settings: Settings,
    config_ids: Sequence[int] | None = None,
    as_of: dt.date | None = None,
    echo: Callable[[str], None] = print,
    log_level: str = "INFO",
) -> list[RunSummary]:
    """Register the accounts as partitions, then materialise the whole graph as ranged runs.

    The assets' resources read `settings` through the environment (settings.export_resource_environment).
    Each run's as_of is decided here, once: `as_of`, else the latest complete day of its accounts.
    """
    export_resource_environment(settings)
    check_database(settings.database_url, need_source=True)
    engine = get_engine(settings.database_url)
    migrate(settings.database_url)
    source_ids = list_config_ids(engine)
    if config_ids is None:
        config_ids = source_ids
    else:
        unknown = sorted(set(config_ids) - set(source_ids))
        if unknown:
            raise UnknownAccounts(f"config_id not found in the source campaigns table: {unknown}")
    if not config_ids:
        raise UnknownAccounts(
            "the source campaigns table has no accounts (run `famachat-ml generate-demo-data`?)"
        )

    if as_of is not None:
        latest = latest_complete_day_of(engine, list(config_ids), settings.default_timezone)
        if as_of > latest:
            raise IncompleteDay(
                f"--as-of {as_of} is not a complete day yet: the latest complete day for these accounts is "
                f"{latest} (today is partial and its conversions are still arriving)"
            )
    instance = get_instance(settings)
    frames_dir = str(settings.frames_storage_path)
    swept = sweep_dead_runs(instance, engine, frames_dir)
    if swept.runs_failed:
        echo(f"marked {len(swept.runs_failed)} dead run(s) failed: {', '.join(swept.runs_failed)}")
    known = set(instance.get_dynamic_partitions(config_partitions.name))
    new = [str(c) for c in config_ids if str(c) not in known]
    if new:
        instance.add_dynamic_partitions(config_partitions.name, new)
        echo(f"registered {len(new)} new config_id partitions")
    ordered = instance.get_dynamic_partitions(config_partitions.name)
    job = defs.resolve_job_def(ml_pipeline_job.name)
    summaries = []
    for keys in contiguous_ranges(ordered, {str(c) for c in config_ids}):
        run_as_of = as_of or latest_complete_day_of(engine, [int(k) for k in keys], settings.default_timezone)
        tags = {**ranged_run_tags(keys[0], keys[-1]), AS_OF_TAG: run_as_of.isoformat(), **process_tags()}
        echo(
            f"running the graph for {len(keys)} accounts ({keys[0]}..{keys[-1]}); Dagster first records "
            "the planned materialisations (about 10 ms per asset and account)"
        )
        start = time.perf_counter()
        try:
            result = job.execute_in_process(
                instance=instance,
                tags=tags,
                raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            )
        finally:  # the run's hand-off frames are its own: gone when it ends, whichever way
            for run in instance.get_runs(filters=dg.RunsFilter(tags=process_tags()), limit=1):
                remove_run_frames(frames_dir, run.run_id)
        summaries.append(
            RunSummary(
                result.run_id, keys[0], keys[-1], len(keys), result.success, time.perf_counter() - start
            )
        )
        if not result.success:
            failures = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
            for event in failures:
                echo(f"step {event.step_key} failed: {event.event_specific_data.error.message.strip()}")
    return summaries
