"""Robust statistics on [series, time] matrices: seasonal baselines, trailing median/MAD, the seed's plain z.

Shared by the campaign detectors (one row per campaign) and the single-series detector (one row).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

_MAD_TO_SIGMA = 1.4826
MAX_SCORE = 1e6  # keeps deviation_score finite when the history was perfectly flat
_CHUNK_ROWS = 2048  # rows of history windows per nanmedian call: bounds memory on long series
# `warnings.catch_warnings` swaps one process-wide filter list: two threads interleaving it could leave
# RuntimeWarnings ignored for good. The detectors run in threads (campaign.detect_anomalies), so the few
# places that need it take turns.
_WARNINGS = threading.RLock()


@contextmanager
def quiet_runtime_warnings() -> Iterator[None]:
    """numpy's RuntimeWarnings (all-NaN slices, expected early on) silenced, one thread at a time."""
    with _WARNINGS, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def nan_median(a: np.ndarray, axis: int) -> np.ndarray:
    """NaN-ignoring median; NaN where a slice has no value. A sort (NaN last), then the middle value or the
    mean of the middle two: np.nanmedian's values, which with NaNs present loops over the slices in Python
    (short slices: an order of magnitude slower; 1,152-sample NAB windows: most of the detector's time)."""
    s = np.sort(a, axis=axis)
    if a.shape[axis] > 64:
        count = (~np.isnan(s)).sum(axis=axis, keepdims=True)  # an infinity is a value, as for numpy
    else:
        count = np.isfinite(s).sum(axis=axis, keepdims=True)
    lo = np.clip((count - 1) // 2, 0, None)
    hi = np.clip(count // 2, 0, a.shape[axis] - 1)
    with np.errstate(invalid="ignore"):  # inf + -inf is NaN, as numpy's median gives it, without a warning
        med = (np.take_along_axis(s, lo, axis) + np.take_along_axis(s, hi, axis)) / 2.0
    med = np.where(count > 0, med, np.nan)
    return np.squeeze(med, axis=axis)


def _shift(x: np.ndarray, k: int) -> np.ndarray:
    """x[:, t - k], NaN where t < k."""
    out = np.full_like(x, np.nan)
    if k < x.shape[1]:
        out[:, k:] = x[:, : x.shape[1] - k]
    return out


def seasonal_lag_median(x: np.ndarray, period: int, lags: int, start: int = 0) -> np.ndarray:
    """Median of x at t - period, ..., t - lags*period; NaN unless at least 2 of them exist.

    Computed from column `start` on (NaN before it), for callers that read no earlier column."""
    stack = [_shift(x, k * period)[:, start:] for k in range(1, lags + 1)]
    if np.signbit(x[x == 0]).any():
        # -0.0 and 0.0 tie: which one a sort puts first is the sort's business, so keep the sort's
        part = nan_median(np.stack(stack), axis=0)
        part[np.isfinite(stack).sum(axis=0) < 2] = np.nan
    else:
        part = _small_median(stack)
    if start == 0:
        return part
    out = np.full(x.shape, np.nan)
    out[:, start:] = part
    return out


def _small_median(values: list[np.ndarray]) -> np.ndarray:
    """Elementwise `nan_median` of a few same-shaped arrays (NaN unless 2 or more are finite), by a
    sorting network instead of a sort along the stacked axis: the order statistics are the same numbers
    (a sort only permutes), so the median is the same bits, provided no -0.0 ties with 0.0 (the caller
    checks). NaN sorts last as in np.sort, as +inf: only the first `count` positions are ever read."""
    count = np.zeros(values[0].shape, dtype=np.intp)
    for v in values:
        count += np.isfinite(v)
    s = [np.where(np.isnan(v), np.inf, v) for v in values]
    n = len(s)
    for rnd in range(n):  # odd-even transposition: n rounds sort n values
        for i in range(rnd % 2, n - 1, 2):
            s[i], s[i + 1] = np.minimum(s[i], s[i + 1]), np.maximum(s[i], s[i + 1])
    # nan_median's (s[lo] + s[hi]) / 2 for each possible count
    counts = range(2, n + 1)
    with np.errstate(invalid="ignore"):  # -inf + inf, as in the sort's arithmetic
        return np.select(
            [count == c for c in counts], [(s[(c - 1) // 2] + s[c // 2]) / 2.0 for c in counts], np.nan
        )


def _windows(x: np.ndarray, window: int, targets: np.ndarray) -> np.ndarray:
    """[series, target, window] windows x[:, t - window .. t - 1]: a view (no copy) when the targets are
    contiguous, as the detectors' are."""
    padded = np.concatenate([np.full((x.shape[0], window), np.nan), x], axis=1)
    view = sliding_window_view(padded, window, axis=1)
    targets = np.asarray(targets)
    if len(targets) and np.array_equal(targets, np.arange(targets[0], targets[0] + len(targets))):
        return view[:, targets[0] : targets[0] + len(targets), :]
    return view[:, targets, :]


def history(x: np.ndarray, window: int, targets: np.ndarray) -> np.ndarray:
    """[series, target, window] copy of x[:, t - window .. t - 1] for each target column t."""
    padded = np.concatenate([np.full((x.shape[0], window), np.nan), x], axis=1)
    return sliding_window_view(padded, window, axis=1)[:, targets, :]


def _nan_mean(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """np.nanmean(a, axis=1) for a 2-D `a` whose NaN positions are `mask`: the same operations, in the same
    order, so the same bits, without numpy's second scan for NaN."""
    arr = np.where(mask, 0.0, a)
    cnt = np.sum(~mask, axis=1, dtype=np.intp)
    tot = np.sum(arr, axis=1)
    return np.true_divide(tot, cnt, out=tot, casting="unsafe")


def _nan_std(a: np.ndarray, mask: np.ndarray, count: np.ndarray | None = None) -> np.ndarray:
    """np.nanstd(a, axis=1) (ddof 0) for a 2-D `a` whose NaN positions are `mask` (rows of `count` values,
    when known), as numpy's nanvar computes it step by step (same bits)."""
    arr = np.where(mask, 0.0, a)
    cnt = np.sum(~mask, axis=1, dtype=np.intp) if count is None else count
    cnt = cnt[:, None]
    avg = np.sum(arr, axis=1, keepdims=True)
    avg = np.true_divide(avg, cnt, out=avg, casting="unsafe")
    np.subtract(arr, avg, out=arr)
    np.copyto(arr, 0.0, where=mask)
    np.multiply(arr, arr, out=arr)
    var = np.sum(arr, axis=1)
    return np.sqrt(np.true_divide(var, cnt[:, 0], out=var, casting="unsafe"))


def window_counts(x: np.ndarray, window: int, targets: np.ndarray) -> np.ndarray:
    """[series, target] number of finite values in x[:, t - window .. t - 1]: integer prefix sums, exact,
    instead of a boolean sum over every window (the costliest pass of the block statistics)."""
    finite = np.isfinite(x)
    cs = np.zeros((x.shape[0], x.shape[1] + 1), dtype=np.intp)
    np.cumsum(finite, axis=1, dtype=np.intp, out=cs[:, 1:])
    targets = np.asarray(targets)
    return cs[:, targets] - cs[:, np.maximum(targets - window, 0)]


def _window_stats(
    x: np.ndarray, window: int, targets: np.ndarray, min_samples: int, sd_where_mad_is_0: bool = False
) -> tuple[np.ndarray, ...]:
    """Median, MAD (as a sigma), std and mean absolute deviation of each target's trailing window.

    NaN where a window has fewer than min_samples values. With `sd_where_mad_is_0`, the std only where the
    MAD is 0 (NaN elsewhere): the robust z reads it nowhere else, and the MAD is rarely 0.

    The windows are copied a block at a time (a few series' windows, at most about `_CHUNK_ROWS` of them):
    never the whole [series, target, window] stack, which at fleet scale costs more memory traffic than the
    statistics themselves. Series none of whose windows has min_samples values are skipped: every statistic
    of theirs would be NaN.
    """
    view = _windows(x, window, targets)
    s, t, w = view.shape
    med, mad, sd, mean_abs = (np.full((s, t), np.nan) for _ in range(4))
    count = window_counts(x, window, targets)
    enough = count >= min_samples
    keep = np.flatnonzero(enough.any(axis=1))
    with np.errstate(invalid="ignore"):
        # no infinity, and no |x - median| that could overflow to one: the single-mask path holds
        top = np.nanmax(np.abs(x)) if np.isfinite(x).any() else 0.0
    short = w <= 64 and not np.isinf(x).any() and top < 1e300
    series_step = max(1, _CHUNK_ROWS // max(t, 1))
    target_step = min(t, _CHUNK_ROWS) or 1
    # The short path's only warnings are floating-point ones, which errstate (per thread) silences; the
    # general path's nanmedian warns through `warnings`.
    with (
        nullcontext() if short else quiet_runtime_warnings(),
        np.errstate(invalid="ignore", divide="ignore"),
    ):
        for i in range(0, len(keep), series_step):
            rows = keep[i : i + series_step]
            for j in range(0, t, target_step):
                at = (rows, slice(j, j + target_step))
                part = view[rows, j : j + target_step]  # a contiguous copy, as the row-wise reductions had
                shape = part.shape[:2]
                block = part.reshape(-1, w)
                n = count[at].reshape(-1)
                stats = _block_stats(block, n, sd_where_mad_is_0) if short else _block_stats_general(block)
                for out, value in zip((med, mad, sd, mean_abs), stats, strict=True):
                    out[at] = value.reshape(shape)
    if sd_where_mad_is_0:
        sd = np.where(mad == 0, sd, np.nan)
    return tuple(np.where(enough, a, np.nan) for a in (med, mad, sd, mean_abs))


def _sorted_median(s: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Row medians of a C-contiguous `s`, each row sorted with its `count` values first (NaN after):
    `nan_median`'s arithmetic, without sorting or counting again."""
    base = np.arange(s.shape[0]) * s.shape[1]
    lo = base + np.clip((count - 1) // 2, 0, None)
    hi = base + np.clip(count // 2, 0, s.shape[1] - 1)
    flat = s.reshape(-1)
    return np.where(count > 0, (flat[lo] + flat[hi]) / 2.0, np.nan)


def _block_stats(
    block: np.ndarray, count: np.ndarray, sd_where_mad_is_0: bool = False
) -> tuple[np.ndarray, ...]:
    """Median, MAD, std and mean absolute deviation of each row of a short-window block without
    infinities, given each row's number of values: |x - median| is NaN exactly where x is (the median is
    NaN only on an all-NaN row), and each sort is done once, in place. With `sd_where_mad_is_0`, the std
    of the rows whose MAD is 0 only (row by row, so the same bits), NaN elsewhere."""
    ordered = np.sort(block, axis=1)
    m = _sorted_median(ordered, count)
    dev = np.abs(block - m[:, None])
    # np.nanmean's steps (`_nan_mean`): NaN to 0, sum, divide by the count; |x - median| >= 0, so
    # fmax(dev, 0) is that replacement in one pass. Before the sort below: the sum's order is numpy's.
    mean_abs = np.sum(np.fmax(dev, 0.0), axis=1)
    mean_abs = np.true_divide(mean_abs, count, out=mean_abs, casting="unsafe")
    dev.sort(axis=1)
    mad = _sorted_median(dev, count) * _MAD_TO_SIGMA
    if not sd_where_mad_is_0:
        return m, mad, _nan_std(block, np.isnan(block), count), mean_abs
    sd = np.full(len(block), np.nan)
    rows = np.flatnonzero(mad == 0)
    if rows.size:
        sub = block[rows]
        sd[rows] = _nan_std(sub, np.isnan(sub), count[rows])
    return m, mad, sd, mean_abs


def _block_stats_general(block: np.ndarray) -> tuple[np.ndarray, ...]:
    """`_block_stats` for any block (long windows, infinities)."""
    m = nan_median(block, axis=1)
    dev = np.abs(block - m[:, None])
    mad = nan_median(dev, axis=1) * _MAD_TO_SIGMA
    sd, mean_abs = _nan_std(block, np.isnan(block)), _nan_mean(dev, np.isnan(dev))
    return m, mad, sd, mean_abs


@dataclass(frozen=True)
class RobustZ:
    expected: np.ndarray  # [series, target] expected value (seasonal baseline + residual median)
    scale: np.ndarray  # robust sigma of the residual
    z: np.ndarray  # (observed - expected) / scale


def robust_seasonal_z(
    x: np.ndarray,
    targets: np.ndarray,
    *,
    periods: Sequence[int],
    window: int,
    min_samples: int,
    lags: int,
    scale_floor_std: float,
    min_relative_scale: float = 0.0,
) -> RobustZ:
    """Robust z of x[:, targets] against its trailing `window`, with an optional seasonal baseline.

    Candidates are "no adjustment" and each period in `periods`; for each point the candidate whose
    residuals have the smallest mean absolute deviation wins, so a series without seasonality is never made
    noisier by adjusting it. (The MAD cannot choose: it ignores a minority pattern such as weekends, which
    is exactly what the adjustment is for.)
    """
    x = np.asarray(x, dtype=float)
    shape = (x.shape[0], len(targets))
    best = RobustZ(*(np.full(shape, np.nan) for _ in range(3)))
    best_fit = np.full(shape, np.inf)
    # the windows and targets read no column before this one
    first = max(int(np.min(targets)) - window, 0) if len(targets) else 0
    for period in (0, *periods):
        baseline = np.zeros_like(x) if period == 0 else seasonal_lag_median(x, period, lags, first)
        resid = x - baseline
        med, mad, sd, fit = _window_stats(resid, window, targets, min_samples, sd_where_mad_is_0=True)
        expected = baseline[:, targets] + med
        # the std is only a fallback where MAD is 0 (lumpy data): as a floor it would let one past spike
        # inflate the scale again, which is what the median/MAD is here to prevent
        scale = np.where(mad > 0, mad, scale_floor_std * sd)
        scale = np.fmax(scale, min_relative_scale * np.abs(expected))
        # a perfectly flat history: any move away from it is as strong as it gets, not a division by 0
        scale = np.where(scale > 0, scale, 1e-9 * (1.0 + np.abs(expected)))
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.clip((resid[:, targets] - med) / scale, -MAX_SCORE, MAX_SCORE)
        better = np.isfinite(z) & np.isfinite(fit) & (fit < best_fit)
        best_fit = np.where(better, fit, best_fit)
        for name, value in (("expected", expected), ("scale", scale), ("z", z)):
            target = getattr(best, name)
            target[better] = value[better]
    return best


def plain_z(x: np.ndarray, targets: np.ndarray, *, window: int, min_samples: int) -> tuple[np.ndarray, ...]:
    """The seed's z score against the trailing window's mean and std: (expected, z), z NaN if std is 0."""
    hist = history(np.asarray(x, dtype=float), window, targets)
    count = np.isfinite(hist).sum(axis=2)
    with quiet_runtime_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(hist, axis=2)
        sd = np.nanstd(hist, axis=2, ddof=1)
        z = (x[:, targets] - mean) / sd
    z = np.where((count >= min_samples) & (sd > 0), z, np.nan)
    return mean, z


@dataclass(frozen=True)
class Dispersion:
    phi: np.ndarray  # [series, target] Pearson dispersion, in [1, 20]
    events: np.ndarray  # [series, target] events over the window (NaN as 0)
    exposure: np.ndarray  # [series, target] exposure over the window (NaN as 0)


def window_dispersion(
    events: np.ndarray, exposure: np.ndarray, targets: np.ndarray, window: int
) -> Dispersion:
    """Pearson dispersion of daily events (leads, clicks) around an exposure-proportional expectation
    (spend, impressions), over the `window` days before each target; 1 (plain Poisson) when there is too
    little to estimate it, at most 20. Also the window's sums, which callers pool.

    A few series at a time, each block a contiguous copy of its windows: the same reductions per window
    as over the whole stack, without materialising it.
    """
    ev, ex = _windows(events, window, targets), _windows(exposure, window, targets)
    s, t, _ = ev.shape
    phi, sum_ev, sum_ex = (np.empty((s, t)) for _ in range(3))
    step = max(1, _CHUNK_ROWS // max(t, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        for i in range(0, s, step):
            hl, hs = np.ascontiguousarray(ev[i : i + step]), np.ascontiguousarray(ex[i : i + step])
            at = slice(i, i + len(hl))
            sum_ev[at], sum_ex[at] = np.nansum(hl, axis=2), np.nansum(hs, axis=2)
            rate = sum_ev[at] / sum_ex[at]
            expected = rate[:, :, None] * hs
            terms = np.where(expected > 0, (hl - expected) ** 2 / expected, np.nan)
            n = np.isfinite(terms).sum(axis=2)
            raw = np.nansum(terms, axis=2) / np.maximum(n - 1, 1)
            phi[at] = np.clip(np.where(n >= 7, np.nan_to_num(raw, nan=1.0), 1.0), 1.0, 20.0)
    return Dispersion(phi, sum_ev, sum_ex)


def dispersion(events: np.ndarray, exposure: np.ndarray, targets: np.ndarray, window: int) -> np.ndarray:
    """`window_dispersion`'s phi alone."""
    return window_dispersion(events, exposure, targets, window).phi


def run_length(flag: np.ndarray) -> np.ndarray:
    """Length of the run of True ending at each column (0 where False)."""
    idx = np.arange(flag.shape[1])[None, :]
    last_false = np.maximum.accumulate(np.where(~flag, idx, -1), axis=1)
    return np.where(flag, idx - last_false, 0)
