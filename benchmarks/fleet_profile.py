"""Where a run's wall goes, from its Dagster event log: each step's wall (STEP_START to STEP_SUCCESS), what
the asset itself measured (its seconds_read/compute/write metadata), and Dagster's bookkeeping around it.

Event timestamps are wall-clock seconds written by the run's process; the split is by the events that
bound each phase:
  STEP_START .. STEP_INPUT          input hand-off (the IO manager loads the upstream frame)
  STEP_INPUT .. first STEP_OUTPUT   the asset body (our read + compute + write, and the rest of the body)
  first STEP_OUTPUT .. STEP_SUCCESS materialisation events (one per partition), asset checks, and the
                                    output hand-off (HANDLED_OUTPUT: the IO manager stores the frame)
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import dagster as dg
import sqlalchemy as sa

STAGES = ("read", "compute", "write")
T = dg.DagsterEventType


@dataclass
class Step:
    key: str
    start: float = 0.0
    end: float = 0.0
    input_done: float | None = None
    first_output: float | None = None
    handled_output: float = 0.0  # seconds spent storing outputs (event gap before HANDLED_OUTPUT)
    metadata: dict[str, float] = field(default_factory=dict)
    events: Counter = field(default_factory=Counter)

    @property
    def wall(self) -> float:
        return self.end - self.start

    @property
    def measured(self) -> float:
        return sum(self.metadata.get(s, 0.0) for s in STAGES)

    @property
    def input_handoff(self) -> float:
        return (self.input_done or self.start) - self.start

    @property
    def body(self) -> float:
        return (self.first_output or self.end) - (self.input_done or self.start)

    @property
    def tail(self) -> float:
        return self.end - (self.first_output or self.end)


@dataclass
class RunProfile:
    created: float  # the run record's creation (after the runner's preflight, before Dagster's planning)
    first_event: float
    run_start: float
    run_end: float
    planned_events: int
    steps: list[Step]
    total_events: int

    @property
    def steps_seconds(self) -> float:
        return sum(s.wall for s in self.steps)

    @property
    def metadata_seconds(self) -> float:
        return sum(s.measured for s in self.steps)

    def metadata_by_stage(self) -> dict[str, float]:
        return {st: sum(s.metadata.get(st, 0.0) for s in self.steps) for st in STAGES}


def stage_seconds(meta: dict) -> dict[str, float]:
    """The seconds_read/compute/write an asset measured, from the metadata of one of its events; empty
    on an event without them (a ranged run's other partitions)."""
    return {s: float(meta[f"seconds_{s}"].value) for s in STAGES if f"seconds_{s}" in meta}


def _records(instance: dg.DagsterInstance, run_id: str) -> list:
    out, cursor = [], None
    while True:
        page = instance.get_records_for_run(run_id, cursor=cursor, limit=5000)
        out.extend(page.records)
        cursor = page.cursor
        if not page.has_more:
            return out


def profile_run(instance: dg.DagsterInstance, run_id: str) -> RunProfile:
    records = _records(instance, run_id)
    steps: dict[str, Step] = {}
    run_start = run_end = 0.0
    planned = 0
    previous = records[0].event_log_entry.timestamp if records else 0.0
    for record in records:
        entry = record.event_log_entry
        event, ts = entry.dagster_event, entry.timestamp
        kind = event.event_type if event else None
        if kind in (T.ASSET_MATERIALIZATION_PLANNED, T.ASSET_CHECK_EVALUATION_PLANNED):
            planned += 1
        elif kind == T.RUN_START:
            run_start = ts
        elif kind in (T.RUN_SUCCESS, T.RUN_FAILURE):
            run_end = ts
        if (
            entry.step_key
            and kind is not None
            and kind
            not in (
                T.ASSET_MATERIALIZATION_PLANNED,
                T.ASSET_CHECK_EVALUATION_PLANNED,
            )
        ):
            step = steps.setdefault(entry.step_key, Step(entry.step_key))
            step.events[kind.value] += 1
            if kind == T.STEP_START:
                step.start = ts
            elif kind == T.STEP_INPUT and step.input_done is None:
                step.input_done = ts
            elif kind == T.STEP_OUTPUT and step.first_output is None:
                step.first_output = ts
            elif kind == T.HANDLED_OUTPUT:
                step.handled_output += ts - previous
            elif kind in (T.STEP_SUCCESS, T.STEP_FAILURE):
                step.end = ts
            elif kind == T.ASSET_MATERIALIZATION and not step.metadata:
                # the event that carries the run's figures: the last partition's in a ranged run
                # (defs/shared/run_metadata.py), the one event otherwise
                step.metadata = stage_seconds(event.event_specific_data.materialization.metadata)
        previous = ts
    first = records[0].event_log_entry.timestamp if records else 0.0
    ordered = sorted(steps.values(), key=lambda s: s.start)
    stamp = instance.get_run_record_by_id(run_id).create_timestamp
    created = (stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)).timestamp()  # stored in UTC
    return RunProfile(created, first, run_start, run_end, planned, ordered, len(records))


def print_steps(profile: RunProfile) -> None:
    print(
        f"  {'step':<26}{'wall':>7}{'read':>7}{'comp':>7}{'write':>7}{'in-IO':>7}{'body-':>7}"
        f"{'events':>7}{'out-IO':>7}{'#mat':>6}"
    )
    print(f"  {'':<26}{'s':>7}{'s':>7}{'s':>7}{'s':>7}{'s':>7}{'meta s':>7}{'+chk s':>7}{'s':>7}{'':>6}")
    for s in profile.steps:
        m = s.metadata
        print(
            f"  {s.key:<26}{s.wall:7.2f}{m.get('read', 0):7.2f}{m.get('compute', 0):7.2f}"
            f"{m.get('write', 0):7.2f}{s.input_handoff:7.2f}{s.body - s.measured:7.2f}"
            f"{s.tail - s.handled_output:7.2f}{s.handled_output:7.2f}"
            f"{s.events.get('ASSET_MATERIALIZATION', 0):6d}"
        )
    stages = profile.metadata_by_stage()
    print(
        f"  {'sum of steps':<26}{profile.steps_seconds:7.2f}{stages['read']:7.2f}{stages['compute']:7.2f}"
        f"{stages['write']:7.2f}{sum(s.input_handoff for s in profile.steps):7.2f}"
        f"{sum(s.body - s.measured for s in profile.steps):7.2f}"
        f"{sum(s.tail - s.handled_output for s in profile.steps):7.2f}"
        f"{sum(s.handled_output for s in profile.steps):7.2f}"
        f"{sum(s.events.get('ASSET_MATERIALIZATION', 0) for s in profile.steps):6d}"
    )


def print_bookkeeping(profile: RunProfile, call_start: float, call_end: float) -> None:
    """Run wall minus the steps' own read+compute+write, split by where it is spent."""
    wall = call_end - call_start
    steps = profile.steps
    parts = {
        "runner before the run record (preflight, migrate, partitions)": profile.created - call_start,
        "run record to run start (planning, planned events)": profile.run_start - profile.created,
        "run start to first step (executor, resources)": (steps[0].start if steps else profile.run_end)
        - profile.run_start,
        "input hand-off (IO manager load)": sum(s.input_handoff for s in steps),
        "asset body beyond its read+compute+write": sum(s.body - s.measured for s in steps),
        "materialisation + check events after the body": sum(s.tail - s.handled_output for s in steps),
        "output hand-off (IO manager store)": sum(s.handled_output for s in steps),
        "between steps": sum(b.start - a.end for a, b in zip(steps, steps[1:], strict=False)),
        "last step to run end, then after the run": call_end - (steps[-1].end if steps else profile.run_end),
    }
    bookkeeping = wall - profile.metadata_seconds
    print(
        f"  Dagster bookkeeping = run wall {wall:.1f} s - steps' read+compute+write "
        f"{profile.metadata_seconds:.1f} s = {bookkeeping:.1f} s; {profile.total_events:,} events in "
        f"the run's log ({profile.planned_events:,} planned)"
    )
    for name, seconds in parts.items():
        print(f"    {name:<70}{seconds:7.2f} s")


@dataclass
class EventBytes:
    events: int
    bytes: int
    materializations: int
    materialization_bytes: int


def event_bytes(dagster_url: str, run_id: str) -> EventBytes:
    """The size of a run's rows in Dagster's event_logs table (Postgres storage): all of them, and its
    ASSET_MATERIALIZATION events (where the assets' metadata is)."""
    sql = sa.text(
        "SELECT count(*), coalesce(sum(length(event)), 0), "
        "count(*) FILTER (WHERE dagster_event_type = 'ASSET_MATERIALIZATION'), "
        "coalesce(sum(length(event)) FILTER (WHERE dagster_event_type = 'ASSET_MATERIALIZATION'), 0) "
        "FROM event_logs WHERE run_id = :run_id"
    )
    engine = sa.create_engine(dagster_url)
    try:
        with engine.connect() as conn:
            return EventBytes(*(int(v) for v in conn.execute(sql, {"run_id": run_id}).one()))
    finally:
        engine.dispose()


def print_event_bytes(size: EventBytes) -> None:
    per = size.materialization_bytes / size.materializations if size.materializations else 0.0
    print(
        f"  event log rows: {size.events:,} events, {size.bytes / 1e6:.2f} MB; of them "
        f"{size.materializations:,} ASSET_MATERIALIZATION, {size.materialization_bytes / 1e6:.2f} MB "
        f"({per / 1e3:.2f} KB each)"
    )
