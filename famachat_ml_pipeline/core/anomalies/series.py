"""Detectors for one regularly sampled series (the NAB evaluation, and any generic metric).

Our detector, in one line: a sample alerts when its robust seasonal z beats both a fixed cut-off and, by a
margin, the largest |z| the series itself produced in its recent past. The second part normalises the
score by the series' own distribution: a series whose normal includes bursts (tweets, request counts; heavy
tails the MAD does not see) alerts on what is new for it, while a calm series keeps the fixed cut-off.

How each setting was chosen (see `evaluation.nab_loco`): `history_periods`, `z_floor` and `hold_fraction`
are fixed from a principle written beside them; `memory_periods` and `margin` are chosen on NAB
leave-one-category-out, and the defaults below are what that search picks on all five categories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from famachat_ml_pipeline.core.anomalies.config import AnomalyConfig
from famachat_ml_pipeline.core.anomalies.robust import plain_z, robust_seasonal_z


@dataclass(frozen=True)
class SeriesConfig:
    # a priori: four seasonal cycles of history, as the campaign detector's 28 days and 4 same-weekday lags
    history_periods: int = 4
    seasonal_lags: int = 4
    scale_floor_std: float = 0.25  # where the MAD is 0 (lumpy data), as in the campaign detector
    # a priori: Iglewicz and Hoaglin's cut-off for the MAD-based z, the campaign detector's too
    z_floor: float = AnomalyConfig.robust_z_threshold
    # chosen on NAB leave-one-category-out (the grid is `MEMORY_GRID` x the margin grid in nab_methods)
    memory_periods: int = 2
    margin: float = 1.0718
    # a priori: a raised alert holds a quarter period (no flapping); every NAB method shares it
    hold_fraction: float = 0.25
    # the seed's plain z cut-off, for its baseline
    z_threshold: float = 2.5


DEFAULT_SERIES = SeriesConfig()
MEMORY_GRID: tuple[int, ...] = (1, 2, 3, 5, 7)  # periods of memory the NAB search may pick from


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


def robust_abs_z(values: np.ndarray, period: int, config: SeriesConfig = DEFAULT_SERIES) -> np.ndarray:
    """|robust seasonal z| per sample (two-sided), 0 where there is not yet a period of history.

    Seasonal candidates: the period and 7 periods (daily and weekly for sub-daily data); the one with the
    tightest residuals wins at each point (`robust_seasonal_z`).
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
        window=config.history_periods * period,
        min_samples=period,
        lags=config.seasonal_lags,
        scale_floor_std=config.scale_floor_std,
        # residuals below a billionth of the level are float rounding (a noise-free pattern), not signal
        min_relative_scale=1e-9,
    )
    return np.nan_to_num(np.abs(res.z[0]), nan=0.0)


def relative_scores(abs_z: np.ndarray, period: int, memories: Sequence[int], z_floor: float) -> np.ndarray:
    """[memory, sample]: |z| / max(z_floor, largest |z| of the previous `memory` periods)."""
    period = max(2, int(period))
    return np.stack([abs_z / np.maximum(z_floor, trailing_max(abs_z, m * period)) for m in memories])


def series_score(values: np.ndarray, period: int, config: SeriesConfig = DEFAULT_SERIES) -> np.ndarray:
    """Our anomaly score on one series; above `config.margin` is an alert (0 where there is no history)."""
    abs_z = robust_abs_z(values, period, config)
    return relative_scores(abs_z, period, (config.memory_periods,), config.z_floor)[0]


def detect_series(values: np.ndarray, period: int, config: SeriesConfig = DEFAULT_SERIES) -> np.ndarray:
    """Our detector on one series: a boolean flag per sample, held a quarter period after each trigger."""
    raw = series_score(values, period, config) > config.margin
    return hold_alert(raw, int(max(2, int(period)) * config.hold_fraction))


def detect_series_zscore(
    values: np.ndarray, period: int, config: SeriesConfig = DEFAULT_SERIES
) -> np.ndarray:
    """The seed's plain z score on one series: mean/std of the same trailing window, |z| > z_threshold."""
    x = np.asarray(values, dtype=float)[None, :]
    n = x.shape[1]
    if n == 0:
        return np.zeros(0, dtype=bool)
    period = max(2, int(period))
    _, z = plain_z(x, np.arange(n), window=config.history_periods * period, min_samples=period)
    with np.errstate(invalid="ignore"):
        return np.abs(np.nan_to_num(z[0], nan=0.0)) > config.z_threshold
