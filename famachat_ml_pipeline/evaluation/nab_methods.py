"""The methods compared on NAB: each turns a series into anomaly scores per row, causally (row t sees
rows <= t only), one row of scores per setting it offers, and every one goes through the same alert
handling (`alerts`) at a setting and threshold chosen leave-one-category-out (`evaluation.nab_loco`).

- `robust`: ours, `core.anomalies.series` (settings: the rank of the period peak that sets the bar, with its
  memory, the young bar's memory and the second scale's span, "r2/13 y2 s24" (period / 24 samples; s0: one
  scale only); threshold: the margin).
- `robust_recent_max` (`FORMER`, not in `METHODS`: it adds ~60 % to the run time; pass it explicitly):
  ours before issue 13, the bar is the largest |z| of the last `memory` periods (settings: that memory;
  threshold: the margin). Ours now uses that bar while a series is young.
- `seed_zscore`: the seed's z score, mean/std of the same trailing window as ours (4 periods).
- `windowed_gaussian`: NAB's published baseline (nab/detectors/gaussian/windowedGaussian_detector.py):
  mean and population std of the last 1000 values (fewer at the start; std 0 becomes 1e-6), the new value's
  Gaussian tail. Its score is that tail probability; a threshold on |z| selects exactly the rows a threshold
  on the two-sided tail would, so |z| is what is returned here.
- `isolation_forest`: scikit-learn's IsolationForest on lag features (the value, its first difference and
  its seasonal difference), fitted on the probationary rows only, as NAB lets every detector learn there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
from sklearn.ensemble import IsolationForest

from famachat_ml_pipeline.core.anomalies import plain_z
from famachat_ml_pipeline.core.anomalies.series import (
    DEFAULT_SERIES,
    RANK_GRID,
    SMOOTHING_GRID,
    YOUNG_MEMORY_GRID,
    SeriesConfig,
    hold_alert,
    memory_periods,
    robust_abs_z,
    robust_z,
    scale_scores,
    trailing_max,
)
from famachat_ml_pipeline.evaluation.nab import probation_rows

GAUSSIAN_WINDOW = 1000  # windowedGaussian_detector.py: windowSize
RECENT_MAX_MEMORY: tuple[int, ...] = (1, 2, 3, 5, 7)  # the former detector's memory grid, in periods
Scorer = Callable[[np.ndarray, int], np.ndarray]


@dataclass(frozen=True)
class Method:
    name: str
    score: Scorer  # (values, period) -> [setting, row] anomaly scores, higher is more anomalous
    settings: tuple[str, ...]  # a label per score row (a method without settings has one, "-")
    thresholds: np.ndarray  # the grid the leave-one-category-out search picks from


def alerts(score: np.ndarray, threshold: float, hold: int) -> np.ndarray:
    """The alert handling every method shares: a row above the threshold raises an alert, the alert holds
    `hold` rows after the last such row, and only the onset of each alert is a detection (a pager fires
    once per incident, not once per row)."""
    raised = hold_alert(np.nan_to_num(score, nan=0.0) > threshold, hold)
    return raised & ~np.concatenate([[False], raised[:-1]])


def hold_rows(period: int, config: SeriesConfig = DEFAULT_SERIES) -> int:
    return max(1, int(period * config.hold_fraction))


def seed_zscore_score(values: np.ndarray, period: int) -> np.ndarray:
    x = np.asarray(values, dtype=float)[None, :]
    window = DEFAULT_SERIES.history_periods * period
    _, z = plain_z(x, np.arange(x.shape[1]), window=window, min_samples=period)
    return np.abs(np.nan_to_num(z[0], nan=0.0))


def windowed_gaussian_score(values: np.ndarray, period: int) -> np.ndarray:
    """|z| of each value against the mean/std of the (up to) 1000 values before it; 0 for the first. Its
    window counts values, as NAB's does: the empty (NaN) slots of a time grid are skipped, and score 0."""
    values = np.asarray(values, dtype=float)
    present = np.isfinite(values)
    if not present.all():
        out = np.zeros(len(values))
        out[present] = windowed_gaussian_score(values[present], period)
        return out
    x = values
    n = len(x)
    if n == 0:
        return np.zeros(0)
    c = x - x[0]  # centred sums keep the running variance accurate
    s1 = np.concatenate([[0.0], np.cumsum(c)])
    s2 = np.concatenate([[0.0], np.cumsum(c * c)])
    t = np.arange(n)
    lo = np.maximum(0, t - GAUSSIAN_WINDOW)
    count = (t - lo).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (s1[t] - s1[lo]) / count
        var = np.maximum((s2[t] - s2[lo]) / count - mean**2, 0.0)
        std = np.sqrt(var)
        std = np.where(std <= 1e-9 * (1.0 + np.abs(mean)), 1e-6, std)
        z = np.abs(c - mean) / std
    z[0] = 0.0
    return z


def _forward_fill(x: np.ndarray) -> np.ndarray:
    """x with each NaN replaced by the last finite value before it (NaN before the first)."""
    idx = np.where(np.isfinite(x), np.arange(len(x)), -1)
    last = np.maximum.accumulate(idx) if len(x) else idx
    return np.where(last >= 0, x[np.maximum(last, 0)], np.nan)


def isolation_forest_score(values: np.ndarray, period: int) -> np.ndarray:
    """-score_samples (about 0.5 for ordinary rows, towards 1 for isolated ones) of an IsolationForest fitted
    on the probationary rows; 0 where the lag features are not yet defined. On a time grid the rows are the
    finite slots: the probation counts them, and the lags are in slots (time)."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    rows_before = np.cumsum(np.isfinite(x)) - np.isfinite(x)  # rows before each slot
    probation = probation_rows(int(np.isfinite(x).sum()))
    in_probation = rows_before < probation
    lag = min(period, max(1, int(in_probation.sum()) // 2))
    feats = np.full((n, 3), np.nan)
    feats[:, 0] = x
    filled = _forward_fill(x)  # a gap's first row is compared with the last row before the gap
    feats[1:, 1] = x[1:] - filled[:-1]
    feats[lag:, 2] = x[lag:] - filled[:-lag]
    ok = np.isfinite(feats).all(axis=1)
    train = ok & in_probation
    out = np.zeros(n)
    if train.sum() < 10:
        return out
    forest = IsolationForest(n_estimators=100, random_state=0).fit(feats[train])
    out[ok] = -forest.score_samples(feats[ok])
    return out


BARS: tuple[tuple[int, int], ...] = tuple((r, m) for r in RANK_GRID for m in YOUNG_MEMORY_GRID)
ROBUST_SETTINGS: tuple[tuple[int, int, int], ...] = tuple((r, m, s) for s in SMOOTHING_GRID for r, m in BARS)


def robust_labels(settings: tuple[tuple[int, int, int], ...]) -> tuple[str, ...]:
    """ "r2/13 y2 s24": the rank and its memory, the young memory, the second scale's smoothing."""
    return tuple(f"r{r}/{memory_periods(r)} y{m} s{s}" for r, m, s in settings)


def robust_scores(values: np.ndarray, period: int) -> np.ndarray:
    """Ours at every (rank, young memory, smoothing) of `ROBUST_SETTINGS`; the costly z is computed once."""
    z = robust_z(values, period, DEFAULT_SERIES)
    return scale_scores(z, period, ROBUST_SETTINGS, DEFAULT_SERIES.z_floor)


Bar = Callable[[np.ndarray, int, int, int], np.ndarray]  # (abs_z, period, rank, young_memory) -> bar


def _scores_with_bar(bar: Bar, values: np.ndarray, period: int) -> np.ndarray:
    abs_z = robust_abs_z(values, period, DEFAULT_SERIES)
    floor = DEFAULT_SERIES.z_floor
    return np.stack([abs_z / np.maximum(floor, bar(abs_z, period, r, m)) for r, m in BARS])


def robust_with_bar(bar: Bar) -> Method:
    """Ours at one scale (the samples' z; the experiments predate the second scale) with another bar than
    `rank_bar` (benchmarks/nab_*_bar.py), with the same bar settings and margin grid, so that it goes
    through the same leave-one-category-out report."""
    robust = next(m for m in METHODS if m.name == "robust")
    return Method("robust", partial(_scores_with_bar, bar), _bar_labels(), robust.thresholds)


def _bar_labels() -> tuple[str, ...]:
    return tuple(f"r{r}/{memory_periods(r)} y{m}" for r, m in BARS)


def recent_max_scores(values: np.ndarray, period: int) -> np.ndarray:
    """The former detector: |z| / max(z_floor, largest |z| of the last `memory` periods), per memory."""
    abs_z = robust_abs_z(values, period, DEFAULT_SERIES)
    floor = DEFAULT_SERIES.z_floor
    return np.stack([abs_z / np.maximum(floor, trailing_max(abs_z, m * period)) for m in RECENT_MAX_MEMORY])


def _as_rows(scorer: Scorer, values: np.ndarray, period: int) -> np.ndarray:
    return scorer(values, period)[None, :]


def _single(scorer: Scorer) -> Scorer:
    """A method without settings: one row of scores (a partial, so the process pool can pickle it)."""
    return partial(_as_rows, scorer)


METHODS: tuple[Method, ...] = (
    Method(
        "robust",
        robust_scores,
        robust_labels(ROBUST_SETTINGS),
        np.round(np.geomspace(0.5, 4.0, 31), 4),
    ),
    Method("seed_zscore", _single(seed_zscore_score), ("-",), np.round(np.geomspace(2.0, 16.0, 31), 4)),
    Method(
        "windowed_gaussian",
        _single(windowed_gaussian_score),
        ("-",),
        np.round(np.geomspace(2.0, 16.0, 31), 4),
    ),
    Method(
        "isolation_forest", _single(isolation_forest_score), ("-",), np.round(np.linspace(0.5, 0.9, 41), 4)
    ),
)
FORMER = Method(
    "robust_recent_max",
    recent_max_scores,
    tuple(f"memory={m}" for m in RECENT_MAX_MEMORY),
    np.round(np.geomspace(0.5, 4.0, 31), 4),
)
