"""Issue 13 ablation: how our NAB detector's bar should behave while a series is young.

A series is young while it has seen fewer than `memory_periods(rank)` period peaks (NAB's AWS and Traffic
files are young throughout). The production bar (`robust`) then is the largest |z| of the last
`young_memory` periods (`core.anomalies.series.rank_bar`). The variants below compare it with the first
rank bar of issue 13 and with bars that keep the chance rate of one period in `CHANCE_PERIODS`; each goes
through the same leave-one-category-out search as `famachat-ml evaluate anomalies --nab` (rank, young
memory where it has one, and margin chosen on the other four categories), beside the seed's z-score and
the windowed Gaussian.

- `lowest`: the rank-th highest of what there is, at most (the lowest of the k peaks while k < rank), which
  a normal period beats by chance more often than once in 7;
- `scaled_floor`: with k peaks seen, the floor((k+1)/7)-th highest (at least the 1st, at most rank): the
  rank-th of 7*rank-1 peaks scaled to k, beaten by chance at most once in 7 periods once k >= 6;
- `scaled_ceil`: the ceil((k+1)/7)-th highest, the same rate rounded towards more alerts;
- `gumbel`: while young, the 6/7 quantile of a Gumbel law (the law of period maxima) fitted to the peaks'
  median and MAD: median + 1.96 MAD (robust to a past anomaly among few peaks, and it extrapolates beyond
  the largest where k < 6).

Usage: .venv/bin/python benchmarks/nab_young_bar.py ../shared/data/nab   (about 12 CPU minutes)
"""

from __future__ import annotations

import sys
import warnings
from functools import partial

import numpy as np

from famachat_ml_pipeline.core.anomalies.series import (
    CHANCE_PERIODS,
    DEFAULT_SERIES,
    RANK_GRID,
    lagged_peaks,
    memory_periods,
    robust_abs_z,
)
from famachat_ml_pipeline.evaluation.nab import load_nab
from famachat_ml_pipeline.evaluation.nab_loco import format_report, leave_one_category_out
from famachat_ml_pipeline.evaluation.nab_methods import METHODS, Method

MODES = ("lowest", "scaled_floor", "scaled_ceil", "gumbel")
# standard Gumbel: (6/7 quantile - median) / MAD
GUMBEL_Q67_IN_MADS = 1.96


def young_bar(abs_z: np.ndarray, period: int, rank: int, mode: str) -> np.ndarray:
    memory = memory_periods(rank)
    peaks = lagged_peaks(abs_z, period, memory)
    count = np.isfinite(peaks).sum(axis=0)
    ordered = np.sort(np.where(np.isnan(peaks), -np.inf, peaks), axis=0)
    if mode == "scaled_floor":
        k = (count + 1) // CHANCE_PERIODS
    elif mode == "scaled_ceil":
        k = -(-(count + 1) // CHANCE_PERIODS)
    else:
        k = count
    k = np.clip(k, 1, rank)
    bar = np.take_along_axis(ordered, (memory - k)[None, :], axis=0)[0]
    if mode == "gumbel":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns before the first peak
            med = np.nanmedian(peaks, axis=0)
            mad = np.nanmedian(np.abs(peaks - med), axis=0)
        bar = np.where(count < memory, med + GUMBEL_Q67_IN_MADS * mad, bar)
    return np.where(count > 0, bar, 0.0)


def scores(values: np.ndarray, period: int, mode: str) -> np.ndarray:
    abs_z = robust_abs_z(values, period, DEFAULT_SERIES)
    floor = DEFAULT_SERIES.z_floor
    return np.stack([abs_z / np.maximum(floor, young_bar(abs_z, period, r, mode)) for r in RANK_GRID])


def main(folder: str) -> None:
    ours = next(m for m in METHODS if m.name == "robust")
    labels = tuple(f"r{r}/{memory_periods(r)}" for r in RANK_GRID)
    baselines = tuple(m for m in METHODS if m.name in ("robust", "seed_zscore", "windowed_gaussian"))
    variants = tuple(
        Method(f"young={mode}", partial(scores, mode=mode), labels, ours.thresholds) for mode in MODES
    )
    rows = leave_one_category_out(load_nab(folder), (*variants, *baselines))
    print(format_report([r for r in rows if r.category != "artificialNoAnomaly"]))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/nab")
