"""The retraining job's read: the sampled accounts' 120 days, read while the sample is still being drawn."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import sqlalchemy as sa

from famachat_ml_pipeline.defs.classification.sampling import sampled_account_groups
from famachat_ml_pipeline.source.clean import SourceRead
from famachat_ml_pipeline.source.read import campaigns_per_account, read_daily_insights_streamed


def read_training_sample(
    engine: sa.Engine,
    config_ids: Sequence[int],
    as_of: dt.date,
    lookback_days: int,
    now: dt.datetime | None = None,
) -> tuple[list[int], SourceRead]:
    """`sampled_accounts` (sorted) and `read_daily_insights` of them over `lookback_days`, the same as
    one after the other; on Postgres the accounts a count adds are read (COPY) while the next is counted."""
    start = as_of - dt.timedelta(days=lookback_days - 1)
    picked: list[int] = []

    def groups() -> Iterator[list[int]]:
        count = lambda ids: campaigns_per_account(engine, ids, start)  # noqa: E731
        for group in sampled_account_groups(config_ids, as_of, count):
            picked.extend(group)
            yield group

    read = read_daily_insights_streamed(engine, groups(), as_of, lookback_days=lookback_days, now=now)
    return sorted(picked), read
