"""Campaign frames as matrices: one scatter from the dense daily frame to `[campaign, day]` per metric,
and the way back from boolean masks to anomaly rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from famachat_ml_pipeline.core import tails
from famachat_ml_pipeline.core.anomalies.config import ANOMALY_SCHEMA, OUTPUT_KEY, SEVERITIES, AnomalyConfig
from famachat_ml_pipeline.core.anomalies.robust import MAX_SCORE, history
from famachat_ml_pipeline.core.frames import KEY
from famachat_ml_pipeline.core.vocab import INACTIVE_STATUSES


@dataclass(frozen=True)
class Matrices:
    keys: pl.DataFrame  # one row per campaign: config_id, campaign_id, inactive, should_deliver
    dates: list[dt.date]  # column dates, oldest first; the last len(targets) are the detection days
    targets: np.ndarray  # column indexes of the detection days
    m: dict[str, np.ndarray]  # metric -> [campaign, day], NaN before the campaign's first day


_METRICS = ("spend", "impressions", "clicks", "reach", "leads", "daily_budget")


def to_matrices(daily: pl.DataFrame, as_of: dt.date, n_days: int, lookback: int) -> Matrices:
    start = as_of - dt.timedelta(days=n_days - 1)
    # only the columns read below: the text columns left out are most of what a filter would copy
    frame = daily.select(*KEY, "date", "status", "effective_status", *_METRICS).filter(
        pl.col("date").is_between(start, as_of)
    )
    status = pl.col("status").fill_null("").str.to_uppercase()
    effective = pl.col("effective_status").fill_null("").str.to_uppercase()
    inactive = status.is_in(list(INACTIVE_STATUSES)) | effective.is_in(list(INACTIVE_STATUSES))
    keys, rows = _campaign_rows(frame)
    keys = keys.with_columns(inactive=inactive, should_deliver=(status == "ACTIVE") & ~inactive)
    cols = (frame["date"].to_numpy().astype("datetime64[D]") - np.datetime64(start, "D")).astype(np.int64)
    m: dict[str, np.ndarray] = {}
    for name in _METRICS:
        mat = np.full((keys.height, n_days), np.nan)
        mat[rows, cols] = frame[name].cast(pl.Float64).to_numpy()
        m[name] = mat
    exists = np.zeros((keys.height, n_days), dtype=bool)
    exists[rows, cols] = True
    # A null on an existing day is a day whose source row was set aside: unknown, so it stays NaN and
    # never reads as zero delivery. The dense frame already turned days without a row into zeros.
    with np.errstate(invalid="ignore", divide="ignore"):
        m["ctr"] = np.where(m["impressions"] > 0, m["clicks"] / m["impressions"] * 100.0, np.nan)
        m["cpl"] = np.where(m["leads"] > 0, m["spend"] / m["leads"], np.nan)
    m["exists"] = exists.astype(float)
    dates = [start + dt.timedelta(days=i) for i in range(n_days)]
    return Matrices(keys, dates, np.arange(n_days - lookback, n_days), m)


def _campaign_rows(frame: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray]:
    """One row per campaign sorted by KEY, with its latest day's status and effective_status, and each
    frame row's campaign (row index of the former)."""
    if _strictly_sorted(frame):
        # the reader's frame is sorted by (KEY, date), one row a day: each campaign is one run of rows whose
        # last is its latest day, so no group-by and no join on the string key are needed
        c, k = pl.col("config_id"), pl.col("campaign_id")
        first = ((c != c.shift()) | (k != k.shift())).fill_null(True)
        marks = frame.select(first=first, last=first.shift(-1).fill_null(True))
        rows = marks["first"].cast(pl.Int64).cum_sum().to_numpy() - 1
        keys = frame.filter(marks["last"]).select(*KEY, "status", "effective_status")
        return keys, rows
    keys = (
        frame.group_by(KEY)
        .agg(pl.col("status", "effective_status").get(pl.col("date").arg_max()))  # the latest day's
        .sort(KEY)
        .with_row_index("row")
    )
    rows = frame.join(keys.select([*KEY, "row"]), on=KEY, how="left")["row"].to_numpy().astype(np.int64)
    return keys.drop("row"), rows


def _strictly_sorted(frame: pl.DataFrame) -> bool:
    """(config_id, campaign_id, date) strictly increasing down the frame, none of them null."""
    if frame.height == 0 or any(frame[name].null_count() for name in (*KEY, "date")):
        return False
    c, k, d = pl.col("config_id"), pl.col("campaign_id"), pl.col("date")
    same_c, same_k = c == c.shift(), k == k.shift()
    step = (c > c.shift()) | (same_c & (k > k.shift())) | (same_c & same_k & (d > d.shift()))
    return bool(frame.select(step.slice(1).all()).item())


def window_sum(x: np.ndarray, targets: np.ndarray, length: int, end_offset: int = 0) -> np.ndarray:
    """Sum of x over the `length` days ending at t - end_offset (inclusive); NaN if any day is missing."""
    hist = history(x, length, targets + 1 - end_offset)
    return hist.sum(axis=2)  # NaN propagates: a partial window is not a full window


def window_sums_now_and_before(x: np.ndarray, targets: np.ndarray, length: int) -> tuple[np.ndarray, ...]:
    """window_sum(x, targets, length) and the same with end_offset=length, from one set of windows: with
    contiguous targets the windows before are the now-windows of earlier columns."""
    contiguous = len(targets) > 0 and np.array_equal(
        targets, np.arange(targets[0], targets[0] + len(targets))
    )
    if not contiguous or targets[0] + 1 - length < 0:
        return window_sum(x, targets, length), window_sum(x, targets, length, end_offset=length)
    sums = window_sum(x, np.arange(targets[0] - length, targets[-1] + 1), length)
    return sums[:, length:], sums[:, : len(targets)]


def anomaly_rows(
    mats: Matrices,
    mask: np.ndarray,
    anomaly_type: str,
    metric: str,
    observed: np.ndarray,
    expected: np.ndarray,
    score: np.ndarray,
    severity: np.ndarray | Callable[[np.ndarray], np.ndarray],
) -> pl.DataFrame:
    """The rows of the cells of `mask` whose values are finite. `severity` is an array, or the function of
    the score that gives it: then it is read for those cells alone (the seed's tables are elementwise)."""
    mask = np.asarray(mask, dtype=bool) & np.isfinite(observed) & np.isfinite(expected) & np.isfinite(score)
    r, c = np.nonzero(mask)
    severities = severity(score[r, c]) if callable(severity) else severity[r, c]
    keys = mats.keys[r]
    target_dates = np.array(mats.dates, dtype="datetime64[D]")[mats.targets]
    return pl.DataFrame(
        {
            "config_id": keys["config_id"],
            "entity_type": pl.Series([], dtype=pl.String).extend_constant("campaign", len(r)),
            "entity_id": keys["campaign_id"],
            "anomaly_type": pl.Series([], dtype=pl.String).extend_constant(anomaly_type, len(r)),
            "metric_name": pl.Series([], dtype=pl.String).extend_constant(metric, len(r)),
            "observed_value": observed[r, c],
            "expected_value": expected[r, c],
            "deviation_score": score[r, c],
            "severity": pl.Series(severities, dtype=pl.String),
            "anomaly_date": pl.Series(target_dates[c]).cast(pl.Date),
        },
        schema=ANOMALY_SCHEMA,
    )


def finish(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """One row per key: the most severe, and of equally severe rows the earlier part's. Two detectors'
    scores are not in one unit (a z, a percent change), so their sizes cannot break the tie; the order
    of the parts does (a tracking break's day outranks the 3-day leads change point)."""
    if not parts:
        return pl.DataFrame(schema=ANOMALY_SCHEMA)
    rank = pl.col("severity").replace_strict(list(SEVERITIES), list(range(4)), return_dtype=pl.Int8)
    return (
        pl.concat([p.with_columns(_part=pl.lit(i, pl.Int32)) for i, p in enumerate(parts)])
        .sort(rank, pl.col("_part"), descending=[True, False])
        .unique(OUTPUT_KEY, keep="first", maintain_order=True)
        .drop("_part")
        .sort(OUTPUT_KEY)
    )


def n_days_needed(config: AnomalyConfig, lookback_days: int) -> int:
    # history window + the seasonal lags that the oldest history day needs
    return lookback_days + config.history_days + 7 * config.seasonal_lags


def masked(test: Callable[..., np.ndarray], mask: np.ndarray, *args: np.ndarray) -> np.ndarray:
    """test(*args) on the cells of `mask` only, NaN elsewhere: the count tests (elementwise scipy
    distributions) are the costly part, and only the cells every other condition already flags need them."""
    out = np.full(mask.shape, np.nan)
    if mask.any():
        out[mask] = test(*(np.broadcast_to(a, mask.shape)[mask] for a in args))
    return out


def pct_change(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(expected > 0, (observed - expected) / expected * 100.0, np.nan)


def z_of_p(p: np.ndarray) -> np.ndarray:
    """One-sided p value as a positive z (finite)."""
    return np.clip(tails.norm_isf(np.clip(p, 1e-300, 1.0)), 0.0, MAX_SCORE)
