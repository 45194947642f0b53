"""Detectors for one regularly sampled series (the NAB evaluation, and any generic metric)."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from famachat_ml_pipeline.core.anomalies.config import DEFAULT_CONFIG, AnomalyConfig
from famachat_ml_pipeline.core.anomalies.robust import plain_z, robust_seasonal_z


def infer_period(interval_seconds: float) -> int:
    """Samples per day for sub-daily data; a week (7) for daily or coarser data."""
    if interval_seconds >= 86400:
        return 7
    return max(2, int(round(86400 / interval_seconds)))


def hold_alert(flags: np.ndarray, length: int) -> np.ndarray:
    """Keep an alert raised for `length` samples after the last trigger (alert de-duplication)."""
    if length <= 1:
        return flags
    csum = np.concatenate([[0], np.cumsum(flags.astype(np.int64))])
    idx = np.arange(len(flags))
    return (csum[idx + 1] - csum[np.maximum(0, idx - length + 1)]) > 0


def trailing_max(a: np.ndarray, window: int) -> np.ndarray:
    """max(a[t - window .. t - 1]) for each t; 0 where there is nothing before t (or window is 0)."""
    if window <= 0:
        return np.zeros(len(a))
    padded = np.concatenate([np.zeros(window), a])
    return sliding_window_view(padded, window)[:-1].max(axis=1)


def series_score(values: np.ndarray, period: int, config: AnomalyConfig = DEFAULT_CONFIG) -> np.ndarray:
    """Our anomaly score on one regularly sampled series: 1 is the alert line (0 where there is no history).

    The deviation is the larger of |robust seasonal z| / `series_point_z` (one striking sample) and
    |level z| / `series_level_z` (the median of the last eighth of a period: a sustained shift too small for
    any single sample). Seasonal candidates: the period and 7 periods (daily and weekly for sub-daily data).
    The score divides it by the largest deviation of the last `series_memory_periods` periods when that was
    above the line: a series whose normal includes bursts (heavy tails the MAD does not see) must outdo
    its own recent bursts, while a calm series keeps the plain cut-offs.
    """
    x = np.asarray(values, dtype=float)[None, :]
    n = x.shape[1]
    if n == 0:
        return np.zeros(0)
    period = max(2, int(period))
    res = robust_seasonal_z(
        x,
        np.arange(n),
        periods=(period, 7 * period) if period != 7 else (period,),
        window=config.series_history_periods * period,
        min_samples=period,
        lags=config.seasonal_lags,
        scale_floor_std=config.scale_floor_std,
        level_len=max(3, int(round(period * config.series_level_fraction))),
    )
    point = np.abs(res.z[0]) / config.series_point_z
    level = np.abs(res.level_z[0]) / config.series_level_z
    deviation = np.nan_to_num(np.fmax(point, level), nan=0.0)
    memory = trailing_max(deviation, config.series_memory_periods * period)
    return deviation / np.maximum(1.0, memory)


def detect_series(values: np.ndarray, period: int, config: AnomalyConfig = DEFAULT_CONFIG) -> np.ndarray:
    """Our detector on one series: a boolean flag per sample, held a quarter period after each trigger."""
    raw = series_score(values, period, config) > 1.0
    return hold_alert(raw, int(max(2, int(period)) * config.series_hold_fraction))


def detect_series_zscore(
    values: np.ndarray, period: int, config: AnomalyConfig = DEFAULT_CONFIG
) -> np.ndarray:
    """The seed's plain z score on one series: mean/std of the same trailing window, |z| > z_threshold."""
    x = np.asarray(values, dtype=float)[None, :]
    n = x.shape[1]
    if n == 0:
        return np.zeros(0, dtype=bool)
    period = max(2, int(period))
    _, z = plain_z(x, np.arange(n), window=config.series_history_periods * period, min_samples=period)
    with np.errstate(invalid="ignore"):
        return np.abs(np.nan_to_num(z[0], nan=0.0)) > config.z_threshold
