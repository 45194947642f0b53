"""Issue 13 experiment (rejected): our NAB detector's rank bar over declustered period peaks.

    .venv/bin/python benchmarks/nab_declustered_bar.py ../shared/data/nab   (about 1 CPU minute)

Why it was tried: on realTweets at the held-out setting (r2/13 y2) the windows ours cannot hit have their bar
set by ONE earlier event that spans adjacent periods (GOOG 2015-03-13/14: lags 8 and 9, the labelled window
4106-4743 is 2.2 periods wide; UPS 2015-03-25/26: lags 2-4, the labelled event 7289-7605 and two days after
it). The rank bar promises to tolerate rank - 1 anomalous periods; an event lasting two days fills two of
the rank's slots. The declustered bar counts such an event once: the largest peak is taken, its neighbouring
periods (lag +- 1) are dropped, then the next largest, and so on; the rank-th taken is the bar. The young bar
is unchanged (the largest |z| of the last young_memory periods).

Everything else is `evaluate anomalies --nab`: the same settings grid (rank x young memory), the same margin
grid, leave one category out over all five categories, beside the seed's z-score and the windowed Gaussian.
"""

from __future__ import annotations

import sys

import numpy as np

from famachat_ml_pipeline.core.anomalies.series import (
    lagged_peaks,
    memory_periods,
    trailing_max,
)
from famachat_ml_pipeline.evaluation import nab_methods as nm
from famachat_ml_pipeline.evaluation.nab_loco import evaluate_nab, format_report


def declustered_bar(abs_z: np.ndarray, period: int, rank: int, young_memory: int) -> np.ndarray:
    period = max(2, int(period))
    memory = memory_periods(rank)
    peaks = lagged_peaks(abs_z, period, memory)
    count = np.isfinite(peaks).sum(axis=0)
    left = np.where(np.isnan(peaks), -np.inf, peaks)
    cols = np.arange(peaks.shape[1])
    lags = np.arange(memory)[:, None]
    bar = np.zeros(peaks.shape[1])
    for _ in range(rank):
        j = np.argmax(left, axis=0)
        bar = left[j, cols]
        left = np.where(np.abs(lags - j[None, :]) <= 1, -np.inf, left)
    return np.where(count < memory, trailing_max(abs_z, young_memory * period), bar)


def main(folder: str) -> None:
    baselines = tuple(m for m in nm.METHODS if m.name in ("seed_zscore", "windowed_gaussian"))
    print("ours with the declustered rank bar (lag +- 1 around each taken peak):")
    print(format_report(evaluate_nab(folder, (nm.robust_with_bar(declustered_bar), *baselines))))


if __name__ == "__main__":
    main(sys.argv[1])
