"""Detectors for one regularly sampled series (the NAB evaluation, and any generic metric).

Our detector, in one line: a sample alerts when its robust seasonal z beats both a fixed cut-off and, by a
margin, the `rank`-th highest of the peaks |z| reached in each of the series' last `memory` periods. The
second part normalises the score by the series' own distribution: a series whose normal includes bursts
(tweets, request counts; heavy tails the MAD does not see) alerts on what is new for it, while a calm series
keeps the fixed cut-off.

It looks at two time scales: each sample's z, and the mean z of the last `period / smoothing` samples (an
hour of a day-long period) times the square root of their count, a z again when the residuals are
independent. A sustained shift whose samples each stay within the noise shows at the second scale, where
the noise averages down and the shift does not; a lone spike shows at the first. Each scale has its own bar
(its own peaks), and the score is the larger of the two. Hourly or daily data has no second scale (the span
is one sample).

Why the rank-th peak, and not the largest |z| of the last few periods:
- a past anomaly is one of those peaks. With the largest, it masks the next anomaly for the whole memory;
  with the rank-th, up to rank - 1 anomalous periods in memory are tolerated;
- with the largest of M recent peaks, a normal period beats the bar by chance about once every M + 1
  periods (the record rate of exchangeable peaks), so a long series collects false alerts in proportion to its
  length. In general the rank-th of M is beaten with probability rank / (M + 1). We fix that chance rate a
  priori at one period in `CHANCE_PERIODS` (a week of days) and derive the memory from the rank.

A young series (fewer complete period peaks than the memory: NAB's 14-day AWS and 4-17-day Traffic files are
young throughout, long files for their first weeks) has too few peaks for the rank-th of them to mean much:
the rank-th of k < rank peaks is the lowest of all. There the bar is the largest |z| of the last
`young_memory` periods (a sliding window, available after the first period), the detector before issue 13.
Bars that instead keep the chance rate with k peaks (the rank scaled to k, a Gumbel quantile from the peaks'
median and MAD) mask early anomalies and lose hits; see `benchmarks/nab_young_bar.py`.

Periods count samples of a regularly sampled series. A timestamped series that skips rows goes through
`detect_timed_series`, which places its rows on a regular time grid first (`time_grid`): a period is then a
day of wall time, as are the memory and the hold.

How each setting was chosen (see `evaluation.nab_loco`): `history_periods`, `z_floor`, `hold_fraction` and
the chance rate are fixed from a principle written beside them; `rank`, `young_memory`, `smoothing` and
`margin` are chosen on NAB leave-one-category-out, and the defaults below are what that search picks on all
five categories (every held-out fold picks smoothing 24 too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from famachat_ml_pipeline.core.anomalies.config import AnomalyConfig
from famachat_ml_pipeline.core.anomalies.robust import plain_z, robust_seasonal_z
from famachat_ml_pipeline.core.anomalies.time_grid import time_grid


@dataclass(frozen=True)
class SeriesConfig:
    # a priori: four seasonal cycles of history, as the campaign detector's 28 days and 4 same-weekday lags
    history_periods: int = 4
    seasonal_lags: int = 4
    scale_floor_std: float = 0.25  # where the MAD is 0 (lumpy data), as in the campaign detector
    # a priori: Iglewicz and Hoaglin's cut-off for the MAD-based z, the campaign detector's too
    z_floor: float = AnomalyConfig.robust_z_threshold
    # chosen on NAB leave-one-category-out (the grid is `RANK_GRID` x `YOUNG_MEMORY_GRID` x the margin grid
    # in nab_methods)
    rank: int = 2
    young_memory: int = 2
    smoothing: int = 24  # the second scale spans period / smoothing samples; 0: no second scale
    margin: float = 1.1487
    # a priori: a raised alert holds a quarter period (no flapping); every NAB method shares it
    hold_fraction: float = 0.25
    # the seed's plain z cut-off, for its baseline
    z_threshold: float = 2.5


DEFAULT_SERIES = SeriesConfig()
# a priori: at margin 1, a normal period beats the bar about once in this many periods (a week of days)
CHANCE_PERIODS = 7
RANK_GRID: tuple[int, ...] = (1, 2, 3, 4)  # the ranks the NAB search may pick from
YOUNG_MEMORY_GRID: tuple[int, ...] = (1, 2, 3)  # the young bar's memories (periods) it may pick from
SMOOTHING_GRID: tuple[int, ...] = (0, 48, 24, 12)  # the second scale's spans (period / this) it may pick from
Setting = tuple[int, int, int]  # (rank, young memory, smoothing)


def memory_periods(rank: int) -> int:
    """The memory, in periods, whose rank-th highest peak is beaten by chance once in CHANCE_PERIODS."""
    return CHANCE_PERIODS * rank - 1


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


def robust_z(values: np.ndarray, period: int, config: SeriesConfig = DEFAULT_SERIES) -> np.ndarray:
    """Robust seasonal z per sample (signed), NaN where there is not yet a period of history.

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
    return res.z[0]


def robust_abs_z(values: np.ndarray, period: int, config: SeriesConfig = DEFAULT_SERIES) -> np.ndarray:
    """|robust seasonal z| per sample (two-sided), 0 where there is not yet a period of history."""
    return np.nan_to_num(np.abs(robust_z(values, period, config)), nan=0.0)


def smoothing_span(period: int, smoothing: int) -> int:
    """Samples the second scale averages: period / smoothing, rounded (1, no second scale, for 0)."""
    return 1 if smoothing <= 0 else max(1, int(round(max(2, int(period)) / smoothing)))


def smoothed_abs_z(z: np.ndarray, span: int) -> np.ndarray:
    """|mean of the finite z among the last `span` samples| x sqrt(their count): 0 where none is finite."""
    z = np.asarray(z, dtype=float)
    finite = np.isfinite(z)
    sums = np.concatenate([[0.0], np.cumsum(np.where(finite, z, 0.0))])
    counts = np.concatenate([[0], np.cumsum(finite)])
    end = np.arange(1, len(z) + 1)
    start = np.maximum(0, end - span)
    k = counts[end] - counts[start]
    return np.abs(sums[end] - sums[start]) / np.sqrt(np.maximum(k, 1))


def lagged_peaks(abs_z: np.ndarray, period: int, memory: int) -> np.ndarray:
    """[lag, sample]: the peak |z| of the period ending `lag` periods before each sample (lag 0: the last
    `period` samples before it). NaN until that whole period had a z: |z| is 0 while the first period builds
    the history, and a half-scored period is not a period's peak."""
    n = len(abs_z)
    peak = trailing_max(abs_z, period)
    peak[: min(n, 2 * period)] = np.nan
    out = np.full((memory, n), np.nan)
    for lag in range(memory):
        shift = lag * period
        if shift < n:
            out[lag, shift:] = peak[: n - shift]
    return out


def rank_bar(abs_z: np.ndarray, period: int, rank: int, young_memory: int) -> np.ndarray:
    """The rank-th highest of the last `memory_periods(rank)` period peaks; while fewer peaks than that
    exist, the largest |z| of the last `young_memory` periods (0 before the first sample with a z)."""
    period = max(2, int(period))
    abs_z = np.asarray(abs_z, dtype=float)
    memory = memory_periods(rank)
    peaks = lagged_peaks(abs_z, period, memory)
    count = np.isfinite(peaks).sum(axis=0)
    ordered = np.sort(np.where(np.isnan(peaks), -np.inf, peaks), axis=0)  # ascending, missing first
    bar = np.take_along_axis(ordered, np.full((1, len(abs_z)), memory - rank), axis=0)[0]
    return np.where(count < memory, trailing_max(abs_z, young_memory * period), bar)


def relative_scores(
    abs_z: np.ndarray, period: int, settings: Sequence[tuple[int, int]], z_floor: float
) -> np.ndarray:
    """[setting, sample]: |z| / max(z_floor, the bar) for each (rank, young_memory) setting."""
    return np.stack([abs_z / np.maximum(z_floor, rank_bar(abs_z, period, r, m)) for r, m in settings])


def scale_scores(z: np.ndarray, period: int, settings: Sequence[Setting], z_floor: float) -> np.ndarray:
    """[setting, sample]: the larger of the two scales' relative scores for each (rank, young memory,
    smoothing) setting; each scale's |z| and bars are computed once."""
    z = np.asarray(z, dtype=float)
    pairs = sorted({(r, m) for r, m, _ in settings})

    def by_pair(abs_z: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
        return dict(zip(pairs, relative_scores(abs_z, period, pairs, z_floor), strict=True))

    spans = {smoothing_span(period, s) for _, _, s in settings}
    scored = {span: by_pair(smoothed_abs_z(z, span)) for span in spans - {1}}
    scored[1] = by_pair(np.nan_to_num(np.abs(z), nan=0.0))
    return np.stack(
        [np.maximum(scored[1][r, m], scored[smoothing_span(period, s)][r, m]) for r, m, s in settings]
    )


def series_score(values: np.ndarray, period: int, config: SeriesConfig = DEFAULT_SERIES) -> np.ndarray:
    """Our anomaly score on one series; above `config.margin` is an alert (0 where there is no history)."""
    z = robust_z(values, period, config)
    return scale_scores(z, period, ((config.rank, config.young_memory, config.smoothing),), config.z_floor)[0]


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


def detect_timed_series(
    timestamps: np.ndarray, values: np.ndarray, config: SeriesConfig = DEFAULT_SERIES
) -> np.ndarray:
    """`detect_series` on a timestamped series, one flag per row: the period is a day (a week for daily
    data) of wall time and the windows count time, not rows, so a series that skips rows (nights, outages)
    compares each row with the same time of day (`time_grid`)."""
    grid = time_grid(timestamps)
    period = infer_period(grid.step_seconds)
    return grid.rows(detect_series(grid.place(values), period, config))
