"""`to_matrices`: the sorted frame's shortcut (no group-by, no join) builds what the group-by and join did."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from famachat_ml_pipeline.core.anomalies.campaign_frames import (
    _METRICS,
    Matrices,
    _strictly_sorted,
    to_matrices,
    window_sum,
    window_sums_now_and_before,
)
from famachat_ml_pipeline.core.frames import KEY
from famachat_ml_pipeline.core.vocab import INACTIVE_STATUSES
from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo

AS_OF = dt.date(2026, 11, 28)


def _old_to_matrices(daily: pl.DataFrame, as_of: dt.date, n_days: int, lookback: int) -> Matrices:
    """to_matrices as it was before the shortcut (main d723d53)."""
    start = as_of - dt.timedelta(days=n_days - 1)
    frame = daily.select(*KEY, "date", "status", "effective_status", *_METRICS).filter(
        pl.col("date").is_between(start, as_of)
    )
    status = pl.col("status").fill_null("").str.to_uppercase()
    effective = pl.col("effective_status").fill_null("").str.to_uppercase()
    inactive = status.is_in(list(INACTIVE_STATUSES)) | effective.is_in(list(INACTIVE_STATUSES))
    keys = (
        frame.group_by(KEY)
        .agg(pl.col("status", "effective_status").get(pl.col("date").arg_max()))
        .sort(KEY)
        .with_columns(inactive=inactive, should_deliver=(status == "ACTIVE") & ~inactive)
        .with_row_index("row")
    )
    frame = frame.join(keys.select([*KEY, "row"]), on=KEY, how="left")
    rows = frame["row"].to_numpy().astype(np.int64)
    cols = (frame["date"].to_numpy().astype("datetime64[D]") - np.datetime64(start, "D")).astype(np.int64)
    m: dict[str, np.ndarray] = {}
    for name in _METRICS:
        mat = np.full((keys.height, n_days), np.nan)
        mat[rows, cols] = frame[name].cast(pl.Float64).to_numpy()
        m[name] = mat
    exists = np.zeros((keys.height, n_days), dtype=bool)
    exists[rows, cols] = True
    with np.errstate(invalid="ignore", divide="ignore"):
        m["ctr"] = np.where(m["impressions"] > 0, m["clicks"] / m["impressions"] * 100.0, np.nan)
        m["cpl"] = np.where(m["leads"] > 0, m["spend"] / m["leads"], np.nan)
    m["exists"] = exists.astype(float)
    dates = [start + dt.timedelta(days=i) for i in range(n_days)]
    return Matrices(keys.drop("row"), dates, np.arange(n_days - lookback, n_days), m)


@pytest.fixture(scope="module")
def daily() -> pl.DataFrame:
    return clean_demo(generate_demo(n_accounts=20, days=90, seed=5, end_date=AS_OF)).daily


def _assert_same(a: Matrices, b: Matrices) -> None:
    assert_frame_equal(a.keys, b.keys, check_exact=True)
    assert a.dates == b.dates
    assert np.array_equal(a.targets, b.targets)
    assert a.m.keys() == b.m.keys()
    for name in a.m:
        assert np.array_equal(a.m[name], b.m[name], equal_nan=True), name


def test_the_readers_frame_takes_the_shortcut(daily: pl.DataFrame) -> None:
    assert _strictly_sorted(daily)
    assert not _strictly_sorted(daily.reverse())
    assert not _strictly_sorted(pl.concat([daily.head(5), daily.head(5)]))  # a repeated day
    assert not _strictly_sorted(daily.with_columns(pl.lit(None, pl.Int64).alias("config_id")))


@pytest.mark.parametrize("lookback", [1, 28])
def test_matrices_equal_the_group_by_and_join(daily: pl.DataFrame, lookback: int) -> None:
    # a campaign whose last days change status: the latest day's status is the campaign's
    last = daily["date"].max()
    changed = daily.with_columns(
        status=pl.when((pl.col("campaign_id") == daily["campaign_id"][0]) & (pl.col("date") == last))
        .then(pl.lit("PAUSED"))
        .otherwise(pl.col("status"))
    )
    n_days = lookback + 56
    for frame in (changed, changed.sample(fraction=1.0, shuffle=True, seed=1)):  # sorted, then not
        _assert_same(
            to_matrices(frame, AS_OF, n_days, lookback), _old_to_matrices(frame, AS_OF, n_days, lookback)
        )


@pytest.mark.parametrize("targets", [np.arange(56, 84), np.arange(0, 84), np.array([60, 70, 83])])
def test_window_sums_now_and_before_equal_two_window_sums(targets: np.ndarray) -> None:
    rng = np.random.default_rng(4)
    x = rng.lognormal(5.0, 1.0, (200, 84))
    x[rng.random(x.shape) < 0.05] = np.nan
    now, before = window_sums_now_and_before(x, targets, 7)
    assert np.array_equal(now, window_sum(x, targets, 7), equal_nan=True)
    assert np.array_equal(before, window_sum(x, targets, 7, end_offset=7), equal_nan=True)
