"""What every asset needs to know about its run: which accounts, and as of which day."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import sqlalchemy as sa

from famachat_ml_pipeline.defs.partitions import AS_OF_TAG
from famachat_ml_pipeline.settings import get_settings
from famachat_ml_pipeline.source.clean import latest_complete_day
from famachat_ml_pipeline.source.read import account_timezones


def resolve_as_of(context: dg.AssetExecutionContext, engine: sa.Engine, config_ids: list[int]) -> dt.date:
    """The run's `famachat/as_of` tag, else the latest complete day of every account in the run.

    Accounts in different timezones get the earliest of their latest complete days, so that no account
    is analysed on a partial day.
    """
    latest = latest_complete_day_of(engine, config_ids)
    tag = context.run.tags.get(AS_OF_TAG)
    if not tag:
        return latest
    as_of = dt.date.fromisoformat(tag)
    if as_of > latest:
        raise dg.Failure(f"{AS_OF_TAG}={as_of} is not a complete day yet (the latest is {latest})")
    return as_of


def latest_complete_day_of(engine: sa.Engine, config_ids: list[int]) -> dt.date:
    zones = set(account_timezones(engine, config_ids).values()) or {get_settings().default_timezone}
    return min(latest_complete_day(z) for z in zones)


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
