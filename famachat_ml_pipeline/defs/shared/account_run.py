"""What every account asset knows about its run: which accounts, as of which day, how long each stage took
and what it counted.

Where the metadata goes (the run's figures once, on the event Dagster stores last): run_metadata.py.

The run's as_of is decided once: the `famachat/as_of` tag when the run was launched with one (the CLI and
the schedules set it), otherwise the latest complete day, resolved by the first asset that needs it and
pinned on the run as that tag, so every later asset of the run reads the same day.

So are the accounts whose results the run keeps: those whose every source row was set aside as malformed
(`source.clean.accounts_all_set_aside`). A day without usable data is no reason to replace an account's
features, tiers, forecasts or anomalies, nor to retire its advice: FamaChat would show an empty account
because of bad data. `ad_insights` leaves them out of its frame and pins them on the run
(`famachat/results_kept`), and every later asset of the run leaves them out of `config_ids`, the accounts
it writes for, so their stored rows stay as they are.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import dagster as dg
import sqlalchemy as sa

from famachat_ml_pipeline.db.writer import WriteLockTimeout, write_lock_timeout_seconds
from famachat_ml_pipeline.defs.shared.partitions import AS_OF_TAG, RESULTS_KEPT_TAG
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource
from famachat_ml_pipeline.defs.shared.run_metadata import event_order, figures_partition, partition_metadata
from famachat_ml_pipeline.preflight import SchemaAhead, SchemaBehind, check_schema
from famachat_ml_pipeline.source.clean import latest_complete_day
from famachat_ml_pipeline.source.read import account_timezones

WRITE_RETRIES = 2


def latest_complete_days(
    engine: sa.Engine, config_ids: list[int], default_timezone: str
) -> dict[int, dt.date]:
    """Each account's latest complete day, in its own timezone (the default where none is recorded)."""
    zones = account_timezones(engine, config_ids)
    by_zone = {z: latest_complete_day(z) for z in {*zones.values(), default_timezone}}
    return {c: by_zone[zones.get(c, default_timezone)] for c in config_ids}


def latest_complete_day_of(engine: sa.Engine, config_ids: list[int], default_timezone: str) -> dt.date:
    """The earliest of the accounts' latest complete days, so no account is analysed on a partial day."""
    days = latest_complete_days(engine, config_ids, default_timezone)
    return min(days.values(), default=latest_complete_day(default_timezone))


def stored_run(context: dg.AssetExecutionContext) -> dg.DagsterRun | None:
    """The run as stored now (an earlier step may have pinned the as_of tag); None when the asset function
    is called directly (build_asset_context): there is no run, and no event to put metadata on."""
    return context.instance.get_run_by_id(context.op_execution_context.run_id)


def resolve_as_of(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    config_ids: list[int],
    stored: dg.DagsterRun | None,
) -> dt.date:
    """The run's as_of (see the module docstring); fails on a tag that is not a complete day yet."""
    latest = latest_complete_day_of(database.engine(), config_ids, database.default_timezone)
    tag = _run_tags(context, stored).get(AS_OF_TAG)
    if not tag:
        if stored is not None:
            context.instance.add_run_tags(stored.run_id, {AS_OF_TAG: latest.isoformat()})
        return latest
    as_of = dt.date.fromisoformat(tag)
    if as_of > latest:
        raise dg.Failure(f"{AS_OF_TAG}={as_of} is not a complete day yet (the latest is {latest})")
    return as_of


def _run_tags(context: dg.AssetExecutionContext, stored: dg.DagsterRun | None) -> Mapping[str, str]:
    return stored.tags if stored is not None else context.op_execution_context.run_tags


def kept_accounts(tags: Mapping[str, str]) -> list[int]:
    """The accounts pinned as `famachat/results_kept` on the run (none when the tag is absent or empty)."""
    return [int(c) for c in tags.get(RESULTS_KEPT_TAG, "").split(",") if c.strip()]


class StageTimer:
    """Wall-clock seconds per stage, reported as metadata (read / compute / write)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start

    def metadata(self) -> dict[str, float]:
        return {f"seconds_{k}": round(v, 3) for k, v in self.seconds.items()}


@dataclass
class AccountRun:
    """One asset's view of its run: the accounts (partitions) it covers and the single as_of of the run.

    `config_ids` are the accounts the asset computes and writes for: its partitions less `kept`, those
    whose results the run keeps (module docstring). `figures_on` is the partition key whose event gets
    the run-wide figures (run_metadata.py), None when the asset's one result carries them; `context` is
    where they are added then."""

    config_ids: list[int]
    as_of: dt.date
    timer: StageTimer = field(default_factory=StageTimer)
    figures_on: str | None = None
    context: dg.AssetExecutionContext | None = None
    kept: list[int] = field(default_factory=list)

    @classmethod
    def from_context(
        cls,
        context: dg.AssetExecutionContext,
        database: DatabaseResource,
        config_ids: list[int] | None = None,
        reads_source: bool = False,
    ) -> AccountRun:
        """The partitions' accounts (or `config_ids`, for an unpartitioned asset) and the run's as_of. The
        asset that `reads_source` covers every partition: it decides which accounts keep their results."""
        try:
            check_schema(database.url)
        except (SchemaBehind, SchemaAhead) as exc:  # one clear line in the UI, not an SQL error mid-run
            raise dg.Failure(description=str(exc)) from None
        keys = list(context.partition_keys) if config_ids is None else []
        ids = sorted(int(k) for k in keys) if config_ids is None else list(config_ids)
        stored = stored_run(context)
        as_of = resolve_as_of(context, database, ids, stored)
        pinned = (
            set()
            if reads_source or config_ids is not None
            else set(kept_accounts(_run_tags(context, stored)))
        )
        # no run (a direct call): the result is all there is, so it keeps everything
        figures_on = None
        if stored is not None and len(keys) > 1:
            figures_on = figures_partition(event_order(context.assets_def.partitions_def, keys))
        return cls(
            [c for c in ids if c not in pinned],
            as_of,
            figures_on=figures_on,
            context=context,
            kept=[c for c in ids if c in pinned],
        )

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The write stage, timed. A write that gave up on a lock held elsewhere (WriteLockTimeout: a FamaChat
        transaction left open) is retried by Dagster, WRITE_RETRIES more times, as long apart as the lock
        timeout: such a transaction usually ends within seconds, and the run-retry daemon re-runs no failed
        step (`run_retries`' retry_on_asset_or_op_failure is off, so bad code does not loop)."""
        with self.timer("write"):
            try:
                yield
            except WriteLockTimeout as exc:
                wait = write_lock_timeout_seconds()
                raise dg.RetryRequested(max_retries=WRITE_RETRIES, seconds_to_wait=wait) from exc

    def keep_results_of(self, config_ids: list[int]) -> None:
        """(The asset that reads the source.) These accounts keep their stored results: pinned on the run
        for its later assets; a tag left from the run this one re-executes is cleared."""
        self.kept = sorted(config_ids)
        self.config_ids = [c for c in self.config_ids if c not in self.kept]
        if self.context is None:
            return
        stored = stored_run(self.context)
        if stored is not None and (self.kept or RESULTS_KEPT_TAG in stored.tags):
            self.context.instance.add_run_tags(
                stored.run_id, {RESULTS_KEPT_TAG: ",".join(map(str, self.kept))}
            )

    def figures(self, **counts: object) -> dict[str, object]:
        """The run-wide figures: as_of, the asset's counts, then seconds per stage (and the accounts whose
        results the run kept, when there are any)."""
        kept = {"accounts_results_kept": dg.MetadataValue.json(self.kept)} if self.kept else {}
        return {"as_of": self.as_of.isoformat(), **counts, **kept, **self.timer.metadata()}

    def metadata(self, **counts: object) -> dict[str, object]:
        """The metadata of the asset's result, which Dagster copies onto every partition's event: the
        figures themselves when there is one event, else the small partition metadata, the figures going
        onto the `figures_on` partition's event only (one add_asset_metadata call: it reads the dynamic
        partitions from the instance to check the key)."""
        figures = self.figures(**counts)
        if self.figures_on is None or self.context is None:
            return figures
        self.context.add_asset_metadata(figures, partition_key=self.figures_on)
        return partition_metadata(self.as_of, len(self.config_ids) + len(self.kept), self.figures_on)

    def result(self, **counts: object) -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata=self.metadata(**counts))
