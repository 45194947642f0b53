"""Which runs of the daily graph already cover an account, and since when: source_data_sensor's starting
point for an account its cursor does not hold yet. Without it, a new account's first sync, which
new_accounts_sensor had just run, looked new to source_data_sensor too and was run a second time.

A run reads the source when it starts, after its creation: a row synced (its `updated_at`, the sync's
start) before the run was created is the run's to read; one synced after it may be missed by it, so it
gets its own run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import dagster as dg

RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"
PARTITION, SENSOR = "dagster/partition", "dagster/sensor_name"
# A failed or cancelled run wrote nothing (or not everything): it covers no one.
LIVE = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.SUCCESS,
]
# `updated_at` is the database's clock, a run's creation the daemon's; SQLite's CURRENT_TIMESTAMP keeps
# whole seconds. A row synced this close before the run's creation gets a run of its own: never lost.
CLOCK_MARGIN = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Covering:
    run_id: str
    created: dt.datetime  # UTC
    sensor: str | None  # the sensor that requested it, if one did

    def since(self) -> dt.datetime:
        """Rows synced after this instant are not surely the run's."""
        return self.created - CLOCK_MARGIN

    def name(self) -> str:
        return f"run {self.run_id[:8]}" + (f" ({self.sensor})" if self.sensor else "")


def run_partitions(tags: Mapping[str, str], ordered: Sequence[str], position: Mapping[str, int]) -> list[str]:
    """The partitions a run's tags cover (one, or a range of `ordered`, whose `position`s are given); none
    if the range names a partition no longer there."""
    if PARTITION in tags:
        return [tags[PARTITION]]
    start, end = position.get(tags.get(RANGE_START, "")), position.get(tags.get(RANGE_END, ""))
    return [] if start is None or end is None else list(ordered[start : end + 1])


def newest_covering(
    records: Iterable[dg.RunRecord], ordered: Sequence[str], wanted: set[str]
) -> dict[str, Covering]:
    """For each partition of `wanted`, the newest of `records` (live runs of the whole daily graph) that
    covers it."""
    position = {key: i for i, key in enumerate(ordered)}
    found: dict[str, Covering] = {}
    for record in sorted(records, key=lambda r: _utc(r.create_timestamp)):
        run = record.dagster_run
        covering = Covering(run.run_id, _utc(record.create_timestamp), run.tags.get(SENSOR))
        found.update(dict.fromkeys(set(run_partitions(run.tags, ordered, position)) & wanted, covering))
    return found


def _utc(moment: dt.datetime) -> dt.datetime:
    """Run storage's timestamps are UTC, naive on some backends."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
