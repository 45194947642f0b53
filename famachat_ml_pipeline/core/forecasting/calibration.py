"""Conformal intervals: a series' recent scale, the backtest origins and the calibrated quantiles."""

from __future__ import annotations

import numpy as np

from famachat_ml_pipeline.core.forecasting.common import (
    LEVEL,
    MIN_PER_HORIZON,
    N_BACKTEST,
    SCALE_WINDOW,
    SEASON,
)


def recent_scale(Y: np.ndarray, origins: np.ndarray, window: int = SCALE_WINDOW) -> np.ndarray:
    """(K, n) mean |y_t - y_{t-7}| over the last `window` days before each origin.

    Falls back to the lag-1 version when the seasonal one is 0 or undefined; 0 means the series was
    constant, and then the calibrated interval collapses to the point.
    """
    out = np.full((len(origins), Y.shape[0]), np.nan)
    for lag in (SEASON, 1):
        d = np.abs(Y[:, lag:] - Y[:, :-lag])  # d[:, j] is the change at day j + lag
        ok = ~np.isnan(d)
        cs = np.concatenate([np.zeros((Y.shape[0], 1)), np.cumsum(np.where(ok, d, 0.0), axis=1)], axis=1)
        cc = np.concatenate([np.zeros((Y.shape[0], 1)), np.cumsum(ok, axis=1)], axis=1)
        for k, o in enumerate(origins):
            hi = max(o - lag, 0)
            lo = max(o - window - lag, 0)
            cnt = cc[:, hi] - cc[:, lo]
            with np.errstate(invalid="ignore", divide="ignore"):
                val = (cs[:, hi] - cs[:, lo]) / cnt
            fill = np.isnan(out[k]) | (out[k] == 0)
            out[k] = np.where(fill & (cnt > 0), val, out[k])
    return np.nan_to_num(out, nan=0.0)


def backtest_origins(T: int, h: int, n_backtest: int = N_BACKTEST) -> np.ndarray:
    """Daily rolling origins whose whole horizon lies inside the observed days."""
    last = T - h
    return np.arange(max(last - n_backtest + 1, 1), last + 1) if last >= 1 else np.array([], dtype=int)


def _conformal_quantile(z: np.ndarray, q: float) -> float:
    """Finite-sample conformal quantile of a 1-D sample (the k-th order statistic, k = ceil((n+1)q))."""
    n = z.size
    if n == 0:
        return np.nan
    k = int(np.ceil((n + 1) * q))
    zs = np.sort(z)
    return float(zs[min(max(k, 1), n) - 1])


def calibrate(errors: np.ndarray, scale: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper multipliers (h,) of the scale from backtest errors (K, n, h) = actual - point.

    With at least MIN_PER_HORIZON usable errors per horizon day, each day gets its own quantiles.
    Otherwise (a single series, say) the errors are pooled over days after dividing by sqrt(day), and
    widened back by sqrt(day): the usual random-walk growth, which keeps the sample large enough.
    """
    h = errors.shape[2]
    alpha = 1.0 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        z = errors / scale[:, :, None]
    usable = np.isfinite(z) & (scale[:, :, None] > 0)
    counts = usable.reshape(-1, h).sum(axis=0)
    lo, hi = np.full(h, np.nan), np.full(h, np.nan)
    if counts.min() >= MIN_PER_HORIZON:
        for j in range(h):
            zj = z[:, :, j][usable[:, :, j]]
            lo[j] = _conformal_quantile(zj, alpha / 2)
            hi[j] = _conformal_quantile(zj, 1 - alpha / 2)
        # keep the interval non-shrinking with the horizon: later days are not more certain
        return np.minimum.accumulate(np.minimum(lo, 0.0)), np.maximum.accumulate(np.maximum(hi, 0.0))
    root = np.sqrt(np.arange(1, h + 1))
    pooled = (z / root[None, None, :])[usable]
    if pooled.size < 20:
        # too little past to calibrate: a wide normal-like default, documented as such
        return -3.0 * root, 3.0 * root
    return min(_conformal_quantile(pooled, alpha / 2), 0.0) * root, max(
        _conformal_quantile(pooled, 1 - alpha / 2), 0.0
    ) * root
