"""The retraining read, pipelined (the sample's counting and the cleaning beside the COPY): on real
databases, the same accounts and exactly the same daily frame and counts as sampling, then one read."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.defs.classification import sampling
from famachat_ml_pipeline.defs.classification.training_read import read_training_sample
from famachat_ml_pipeline.demo.generator import DIRTY_REASONS, generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.source import read
from famachat_ml_pipeline.source.clean import SourceRead
from famachat_ml_pipeline.source.read import campaigns_per_account, read_daily_insights

AS_OF = dt.date(2026, 3, 31)
NOW = dt.datetime(2026, 4, 1, 15, tzinfo=dt.UTC)  # the demo's future rows (AS_OF + 5) are future here
LOOKBACK = 120
ACCOUNTS = list(range(1, 15))


@pytest.fixture
def demo_engine(db_url: str) -> sa.Engine:
    """14 demo accounts x 130 days (the days before the window are read as outside it), dirty rows too."""
    engine = get_engine(db_url)
    write_demo(engine, generate_demo(n_accounts=len(ACCOUNTS), days=130, seed=5, end_date=AS_OF))
    return engine


def _counter(engine: sa.Engine) -> Callable[[list[int]], dict[int, int]]:
    start = AS_OF - dt.timedelta(days=LOOKBACK - 1)
    return lambda ids: campaigns_per_account(engine, ids, start)


def _plain(engine: sa.Engine) -> tuple[list[int], SourceRead]:
    accounts = sampling.sampled_accounts(ACCOUNTS, AS_OF, _counter(engine))
    return accounts, read_daily_insights(engine, accounts, AS_OF, lookback_days=LOOKBACK, now=NOW)


def _counts(r: SourceRead) -> tuple:
    return r.rows_read, r.rejected, r.rows_used, r.rows_outside_window


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 3 accounts counted 2 then 1 at a time, a cap that takes about 2/3 of the fleet, reads of
    at most 4 accounts."""
    monkeypatch.setattr(sampling, "COUNT_CHUNK", 3)
    monkeypatch.setattr(sampling, "COUNT_PIECE", 2)
    monkeypatch.setattr(read, "PART_ACCOUNTS", 4)
    monkeypatch.setattr(sampling, "MAX_TRAINING_SAMPLES", 1_200)


class ReadSpy:
    """The real `read_source`, recording the accounts of each read; it can hold a read back until the next
    group is drawn (so the reads come apart) or fail one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail_read: int | None = None) -> None:
        self.calls: list[list[int]] = []
        self.fail_read = fail_read
        self.real = read.read_source
        monkeypatch.setattr(read, "read_source", self)

    def __call__(self, engine: sa.Engine, ids: list[int], start: dt.date) -> tuple[pl.DataFrame, ...]:
        self.calls.append(list(ids))
        if len(self.calls) == self.fail_read:
            raise RuntimeError("read failed")
        return self.real(engine, ids, start)


@pytest.mark.usefixtures("small_chunks")
def test_the_pipelined_read_equals_sampling_then_one_read(
    demo_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts, plain = _plain(demo_engine)
    groups = list(sampling.sampled_account_groups(ACCOUNTS, AS_OF, _counter(demo_engine)))
    assert len(groups) >= 3  # several counts add accounts
    assert 3 < len(accounts) < len(ACCOUNTS)
    # dirty rows of every kind the demo makes are in the sample, and days before the window
    assert set(plain.rejected) >= DIRTY_REASONS
    assert plain.rows_outside_window > 0

    spy = ReadSpy(monkeypatch)
    got_accounts, got = read_training_sample(demo_engine, ACCOUNTS, AS_OF, LOOKBACK, now=NOW)
    assert got_accounts == accounts
    assert_frame_equal(got.daily, plain.daily, check_exact=True)
    assert _counts(got) == _counts(plain)
    assert {e["reason"] for e in got.reject_examples} == set(plain.rejected)
    if demo_engine.dialect.name == "postgresql":
        assert sorted(c for ids in spy.calls for c in ids) == accounts  # each account read once
    else:
        assert [sorted(ids) for ids in spy.calls] == [accounts]  # SQLite: sampled first, read at once


@pytest.mark.postgres
@pytest.mark.usefixtures("small_chunks")
def test_reads_apart_and_reads_merged_give_the_same_frame(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = get_engine(pg_url)
    write_demo(engine, generate_demo(n_accounts=len(ACCOUNTS), days=130, seed=5, end_date=AS_OF))
    accounts, plain = _plain(engine)
    spy = ReadSpy(monkeypatch)
    # each group drawn only once the read before has started: every count's accounts are read apart
    started = threading.Event()
    real_read = spy.real

    def signalling(*args: object) -> tuple[pl.DataFrame, ...]:
        started.set()
        return real_read(*args)

    spy.real = signalling

    def slow_groups() -> Iterator[list[int]]:
        for group in sampling.sampled_account_groups(ACCOUNTS, AS_OF, _counter(engine)):
            assert started.wait(10)
            started.clear()
            yield group

    started.set()
    apart = read.read_daily_insights_streamed(engine, slow_groups(), AS_OF, LOOKBACK, now=NOW)
    assert len(spy.calls) >= 3 and sorted(c for ids in spy.calls for c in ids) == accounts
    assert_frame_equal(apart.daily, plain.daily, check_exact=True)
    assert _counts(apart) == _counts(plain)

    # all groups at once: the reader is still busy with the first, the rest are read together (4 at most)
    spy.calls.clear()
    groups = [accounts[:2], accounts[2:5], accounts[5:6], accounts[6:]]
    merged = read.read_daily_insights_streamed(engine, iter(groups), AS_OF, LOOKBACK, now=NOW)
    assert sorted(c for ids in spy.calls for c in ids) == accounts
    assert max(len(ids) for ids in spy.calls) <= 4
    assert_frame_equal(merged.daily, plain.daily, check_exact=True)
    assert _counts(merged) == _counts(plain)


@pytest.mark.postgres
def test_no_accounts_reads_the_empty_frame(pg_url: str) -> None:
    engine = get_engine(pg_url)
    write_demo(engine, generate_demo(n_accounts=2, days=40, seed=5, end_date=AS_OF))
    got = read.read_daily_insights_streamed(engine, iter([[], []]), AS_OF, LOOKBACK, now=NOW)
    plain = read_daily_insights(engine, [], AS_OF, lookback_days=LOOKBACK, now=NOW)
    assert_frame_equal(got.daily, plain.daily, check_exact=True)
    assert got.daily.is_empty() and _counts(got) == _counts(plain)


@pytest.mark.postgres
@pytest.mark.parametrize("fail_read", [1, 2])
def test_a_failed_read_fails_the_whole_read_and_returns_its_connections(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, fail_read: int
) -> None:
    engine = get_engine(pg_url)
    write_demo(engine, generate_demo(n_accounts=6, days=40, seed=5, end_date=AS_OF))
    ReadSpy(monkeypatch, fail_read=fail_read)

    def groups() -> Iterator[list[int]]:
        for c in range(1, 7):
            yield [c]

    with pytest.raises(RuntimeError, match="read failed"):
        read.read_daily_insights_streamed(engine, groups(), AS_OF, LOOKBACK, now=NOW)
    assert engine.pool.checkedout() == 0
    assert not [t for t in threading.enumerate() if t.name.startswith(("source-read", "source-clean"))]


@pytest.mark.postgres
def test_a_failed_count_stops_the_reads(pg_url: str) -> None:
    engine = get_engine(pg_url)
    write_demo(engine, generate_demo(n_accounts=4, days=40, seed=5, end_date=AS_OF))

    def groups() -> Iterator[list[int]]:
        yield [1, 2]
        raise RuntimeError("count failed")

    with pytest.raises(RuntimeError, match="count failed"):
        read.read_daily_insights_streamed(engine, groups(), AS_OF, LOOKBACK, now=NOW)
    assert engine.pool.checkedout() == 0
    assert not [t for t in threading.enumerate() if t.name.startswith(("source-read", "source-clean"))]
