"""Conformal intervals: a series' recent scale, the backtest origins and the calibrated quantiles."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from famachat_ml_pipeline.core.forecasting.common import (
    LEVEL,
    LEVEL_WINDOW,
    MIN_PER_HORIZON,
    MIN_YOUNG,
    N_BACKTEST,
    SCALE_WINDOW,
    SEASON,
    SHRINK_PRIOR,
    nanmean,
)


def recent_scale(Y: np.ndarray, origins: np.ndarray, window: int = SCALE_WINDOW) -> np.ndarray:
    """(K, n) median |y_t - y_{t-7}| over the last `window` days before each origin.

    Falls back to the lag-1 version when the seasonal one is 0 or undefined; 0 means the series was
    constant, and then the calibrated interval collapses to the point.
    """
    origins = np.asarray(origins)
    out = _window_scale(Y, origins, SEASON, window)
    fill = ~(out > 0)  # NaN or 0 (NaN != 0 is True: a series under 8 days kept a 0 scale before)
    rows = fill.any(axis=0)
    if rows.any():
        val = _window_scale(Y[rows], origins, 1, window)
        sub = out[:, rows]
        out[:, rows] = np.where(fill[:, rows] & np.isfinite(val), val, sub)
    return np.nan_to_num(out, nan=0.0)


def _window_scale(Y: np.ndarray, origins: np.ndarray, lag: int, window: int) -> np.ndarray:
    """(K, n) median |y_t - y_{t-lag}| over the `window` changes before each origin (the mean when the
    median is 0: sparse counts)."""
    d = np.abs(Y[:, lag:] - Y[:, :-lag])  # d[:, j] is the change at day j + lag
    dpad = np.concatenate([np.full((Y.shape[0], window), np.nan), d], axis=1)
    hi = np.maximum(origins - lag, 0)
    win = dpad[:, hi[:, None] + np.arange(window)[None, :]]  # (n, K, window) changes before each origin
    med, mean = _nanmedian_last(win), nanmean(win, axis=2)
    return np.where(med > 0, med, mean).T


def _nanmedian_last(a: np.ndarray) -> np.ndarray:
    """np.nanmedian over the last axis, vectorised (numpy's loops over rows when NaNs are present)."""
    s = np.sort(a, axis=-1)  # NaN sorts last
    c = (~np.isnan(a)).sum(axis=-1)
    lo = np.take_along_axis(s, np.maximum((c - 1) // 2, 0)[..., None], axis=-1)[..., 0]
    hi = np.take_along_axis(s, np.maximum(c // 2, 0)[..., None], axis=-1)[..., 0]
    return np.where(c > 0, (lo + np.where(c > 1, hi, lo)) / 2.0, np.nan)


def backtest_origins(T: int, h: int, n_backtest: int = N_BACKTEST) -> np.ndarray:
    """Daily rolling origins whose whole horizon lies inside the observed days."""
    last = T - h
    return np.arange(max(last - n_backtest + 1, 1), last + 1) if last >= 1 else np.array([], dtype=int)


def _conformal_quantile(z: np.ndarray, q: float) -> float:
    """Finite-sample conformal quantile of a 1-D sample (the k-th order statistic, k = ceil((n+1)q))."""
    n = z.size
    if n == 0:
        return np.nan
    k = min(max(int(np.ceil((n + 1) * q)), 1), n)
    return float(np.partition(z, k - 1)[k - 1])  # the k-th smallest; a partition is enough


def _conformal_bounds(z: np.ndarray, q: float) -> tuple[float, float]:
    """(-_conformal_quantile(-z, q), _conformal_quantile(z, q)) from one partition instead of two: minus
    the k-th smallest of -z is the k-th largest of z, the (n - k + 1)-th smallest. The same values; the
    same bits unless z holds both -0.0 and 0.0 (scaled errors do not: actual and point are >= +0.0)."""
    lo, hi = _conformal_bounds_at(z, (q,))
    return float(lo[0]), float(hi[0])


def calibrate(errors: np.ndarray, scale: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper multipliers (h,) of the scale from backtest errors (K, n, h) = actual - point.

    With at least MIN_PER_HORIZON usable errors per horizon day, each day gets its own quantiles.
    Otherwise (a single series, say) the errors are pooled over days after dividing by sqrt(day), and
    widened back by sqrt(day): the usual random-walk growth, which keeps the sample large enough.
    """
    return calibrate_levels(errors, scale, (level,))[0]


def calibrate_levels(
    errors: np.ndarray, scale: np.ndarray, levels: Sequence[float]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """`calibrate` at each of `levels`: the errors are scaled once and each horizon day's sample is
    partitioned once at every level's ranks (the same order statistics as one partition per level).
    When the series have unequal numbers of origins, the quantiles are weighted (`series_weights`)."""
    h = errors.shape[2]
    qs = [1 - (1.0 - level) / 2 for level in levels]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = errors / scale[:, :, None]
    usable = np.isfinite(z) & (scale[:, :, None] > 0)
    counts = usable.reshape(-1, h).sum(axis=0)
    weight = series_weights(usable)
    if counts.min() >= MIN_PER_HORIZON:
        lo, hi = np.full((len(qs), h), np.nan), np.full((len(qs), h), np.nan)
        for j in range(h):
            zj, ok = z[:, :, j], usable[:, :, j]
            w = None if weight is None else np.broadcast_to(weight[None, :], ok.shape)[ok]
            lo[:, j], hi[:, j] = _pooled_bounds_at(zj[ok], w, qs)
        # keep the interval non-shrinking with the horizon: later days are not more certain
        return [
            (np.minimum.accumulate(np.minimum(lo[i], 0.0)), np.maximum.accumulate(np.maximum(hi[i], 0.0)))
            for i in range(len(qs))
        ]
    root = np.sqrt(np.arange(1, h + 1))
    pooled = (z / root[None, None, :])[usable]
    if pooled.size < 20:
        # too little past to calibrate: a wide normal-like default, documented as such
        return [(-3.0 * root, 3.0 * root) for _ in qs]
    w = None if weight is None else np.broadcast_to(weight[None, :, None], usable.shape)[usable]
    plo, phi = _pooled_bounds_at(pooled, w, qs)
    return [(min(plo[i], 0.0) * root, max(phi[i], 0.0) * root) for i in range(len(qs))]


def series_weights(usable: np.ndarray) -> np.ndarray | None:
    """(n,) the weight of each error of a series in the pool: 1 / k, k its origins with a usable error,
    so that every series counts once, whatever its history. None when every series that has errors has
    as many origins (a fleet of established series): then the pool is unweighted, as it was.

    Without it the pool is the longest series' errors: on NAB-daily two series of 125 origins each
    outweighed eleven of about 20, and their heavier tails (in scale units) set the others' bounds.
    """
    k = usable.any(axis=2).sum(axis=0)
    has = k > 0
    if not has.any() or (k[has] == k[has][0]).all():
        return None
    return np.where(has, 1.0 / np.maximum(k, 1), 0.0)


def _pooled_bounds_at(
    z: np.ndarray, w: np.ndarray | None, qs: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """`_conformal_bounds_at`, or its weighted version when the errors carry weights."""
    if w is None:
        return _conformal_bounds_at(z, qs)
    n = z.size
    # the tail share left out at each level, at the finite-sample level ceil((n + 1) q) / n
    fs = [1.0 - min(np.ceil((n + 1) * q), n) / max(n, 1) for q in qs]
    return -_weighted_tails(-z, w, fs), _weighted_tails(z, w, fs)


def _weighted_tails(z: np.ndarray, w: np.ndarray, fs: Sequence[float]) -> np.ndarray:
    """For each share f of `fs`: the r-th largest of `z`, r the fewest largest values whose weight
    exceeds f of the total. With equal weights and f = (n - k) / n that is the (n - k + 1)-th largest,
    the k-th smallest (`_conformal_bounds_at`). Only the largest values are sorted, once for every f
    (a partition finds them)."""
    n = z.size
    if n == 0:
        return np.full(len(fs), np.nan)
    total = float(w.sum())
    need = np.array(fs) * total * (1.0 + 1e-9)  # the margin keeps exact ties on the equal-weights rank
    m = min(n, max(int(np.ceil(2.0 * max(fs) * n)) + 1, 64))
    while True:
        top = np.argpartition(z, n - m)[n - m :] if m < n else np.arange(n)
        if m == n or w[top].sum() > need.max():
            break
        m = min(n, 2 * m)
    order = top[np.argsort(-z[top])]
    r = np.searchsorted(np.cumsum(w[order]), need, side="right")
    return z[order[np.minimum(r, m - 1)]].astype(float)


def _conformal_bounds_at(z: np.ndarray, qs: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """`_conformal_bounds(z, q)` for each q of `qs` (lower and upper arrays), from one partition."""
    n = z.size
    if n == 0:
        return np.full(len(qs), np.nan), np.full(len(qs), np.nan)
    ks = [min(max(int(np.ceil((n + 1) * q)), 1), n) for q in qs]
    part = np.partition(z, sorted({r for k in ks for r in (n - k, k - 1)}))
    return np.array([part[n - k] for k in ks], dtype=float), np.array([part[k - 1] for k in ks], dtype=float)


def finite_sample_level(q: float, k: np.ndarray) -> np.ndarray:
    """The split-conformal level ceil((k + 1) q) / k for k calibration observations, capped at 1.

    k counts independent-ish observations: backtest origins, not errors (see calibrate_series).
    """
    k = np.asarray(k)
    return np.minimum(np.ceil((k + 1) * q) / np.maximum(k, 1), 1.0)


def _own_quantiles(z: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of `z` (n, m) with NaN for missing: the lower and upper q-quantiles (the j-th smallest
    and j-th largest, j = ceil(m q), q per row) from one partition per distinct (count, rank), and
    the count."""
    ok = np.isfinite(z)
    m = ok.sum(axis=1)
    filled = np.where(ok, z, np.inf)  # missing sorts last
    j = np.clip(np.ceil(m * q - 1e-9).astype(int), 1, np.maximum(m, 1))
    lo, hi = np.full(z.shape[0], np.nan), np.full(z.shape[0], np.nan)
    # a fleet has few distinct (count, rank) pairs: one partition per pair instead of a sort per row
    pairs = np.unique(np.stack([m, j], axis=1)[m > 0], axis=0)
    for mm, jj in pairs:
        rows = (m == mm) & (j == jj)
        part = np.partition(filled[rows], sorted({int(mm) - int(jj), int(jj) - 1}), axis=1)
        lo[rows], hi[rows] = part[:, int(mm) - int(jj)], part[:, int(jj) - 1]
    return lo, hi, m


def calibrate_series(
    errors: np.ndarray,
    scale: np.ndarray,
    level: float = LEVEL,
    prior: float | None = None,
    rows: np.ndarray | None = None,
    pooled: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper multipliers (n, h): each series' own quantiles, shrunk towards the pooled ones.

    Scaled errors are not identically distributed across series (a series with spikes has heavier
    tails than its scale says), so one pooled quantile over-covers some series and under-covers
    others. The pooled per-day quantiles give the shape over the horizon (how much wider day 7 is
    than day 1); each series' errors, divided by that shape and pooled over its days, give its own
    quantile. Its k backtest origins are what it knows of its tail (the h errors of one origin
    overlap in their targets), so the own quantile is taken at the finite-sample level
    ceil((k + 1) q) / k and weighted k / (k + prior); the pooled quantile gets the rest. A lone
    series is its own pool, and a new one borrows the fleet's.

    `rows` (bool, (n,)): only these series' multipliers are wanted, the others are NaN. The pool is
    still every series; a series' own quantile is its errors' alone, so its row is the same either way.
    `pooled`: `calibrate(errors, scale, level)` when the caller has it (`calibrate_levels`).
    """
    K, n, h = errors.shape
    prior = SHRINK_PRIOR if prior is None else prior
    plo, phi = calibrate(errors, scale, level) if pooled is None else pooled
    if K == 0:
        return np.tile(plo, (n, 1)), np.tile(phi, (n, 1))
    alpha = 1.0 - level
    # the pooled half-width per day; sqrt(day) where the pool is degenerate (a constant fleet)
    shape = (phi - plo) / 2.0
    shape = np.where(shape > 0, shape, np.sqrt(np.arange(1, h + 1)))
    if rows is not None:
        errors, scale = errors[:, rows], scale[:, rows]
    m = errors.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = errors / scale[:, :, None] / shape[None, None, :]
    z = np.where(np.isfinite(z) & (scale[:, :, None] > 0), z, np.nan)
    k = np.isfinite(z).any(axis=2).sum(axis=0)  # (m,) origins with at least one usable error
    flat = np.transpose(z, (1, 0, 2)).reshape(m, K * h)
    olo, ohi, _ = _own_quantiles(flat, finite_sample_level(1 - alpha / 2, k))
    w = (k / (k + prior))[:, None]
    own_lo = np.nan_to_num(np.minimum(olo, 0.0))[:, None] * shape[None, :]
    own_hi = np.nan_to_num(np.maximum(ohi, 0.0))[:, None] * shape[None, :]
    lo, hi = w * own_lo + (1 - w) * plo[None, :], w * own_hi + (1 - w) * phi[None, :]
    if rows is None:
        return lo, hi
    full_lo, full_hi = np.full((n, h), np.nan), np.full((n, h), np.nan)
    full_lo[rows], full_hi[rows] = lo, hi
    return full_lo, full_hi


def recent_level(Y: np.ndarray, origins: np.ndarray, window: int = LEVEL_WINDOW) -> np.ndarray:
    """(K, n) mean |y| over the last `window` observed days before each origin (NaN when none)."""
    o = np.asarray(origins, dtype=int)
    zero = np.zeros((Y.shape[0], 1))
    tot = np.concatenate([zero, np.cumsum(np.nan_to_num(np.abs(Y)), axis=1)], axis=1)
    cnt = np.concatenate([zero, np.cumsum(~np.isnan(Y), axis=1)], axis=1)
    lo = np.maximum(o - window, 0)
    c = cnt[:, o] - cnt[:, lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, (tot[:, o] - tot[:, lo]) / c, np.nan).T


def calibrate_young(
    errors: np.ndarray, level_scale: np.ndarray, young: np.ndarray, level: float = LEVEL
) -> tuple[np.ndarray, np.ndarray] | None:
    """Lower and upper multipliers (h,) of the level for series younger than MIN_HISTORY.

    A new series' change-based scale rests on a few days (a ramping campaign has almost none), and
    its errors are not those of an established series. So it is calibrated on its own kind (Mondrian
    conformal): the backtest errors (K, n, h) of the series-origins that were young too (`young`,
    (K, n)), divided by their level (K, n): the relative error, which follows the level. Per day,
    at the finite-sample level over N such series-origins, non-shrinking with the horizon. None when
    fewer than MIN_YOUNG are usable.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = errors / level_scale[:, :, None]
    rel = rel[young & (level_scale > 0)]
    rel = rel[np.isfinite(rel).all(axis=1)]
    N = rel.shape[0]
    if N < MIN_YOUNG:
        return None
    j = int(round(float(finite_sample_level(1 - (1 - level) / 2, np.array(N))) * N))  # ceil((N+1)q)
    s = np.sort(rel, axis=0)
    lo, hi = s[N - j], s[j - 1]  # the j-th smallest and the j-th largest, per day
    return np.minimum.accumulate(np.minimum(lo, 0.0)), np.maximum.accumulate(np.maximum(hi, 0.0))
