"""Issue 13 experiment (rejected): our NAB detector's rank bar over period peaks that were not anomalous.

    .venv/bin/python benchmarks/nab_unmasked_bar.py ../shared/data/nab   (about 1 CPU minute)

Why it was tried: the realTweets windows ours cannot hit have their bar set by an earlier event spanning
several periods (see `nab_declustered_bar.py`). Here a period whose peak beat the bar of the period before
(margin 1, fixed a priori) is left out of every later bar, so an event never raises the bar for the next.
Recursion along each chain of rows one period apart, vectorised over the rows of a period; the young bar
is unchanged. Through the same leave-one-category-out report as `evaluate anomalies --nab`.

Result (2026-11-29): held-out TOTAL 35.6 against the production 54.2 (realAWSCloudwatch 31.4, realKnownCause
36.0, realTraffic 48.3, realTweets 33.9; 509 false alerts against 191). Leaving out the peaks that beat the
bar also leaves out the chance exceedances the rank bar is built on (one period in 7 by design), so the bar
sinks and false alerts follow. Not adopted; no other variant was tried.
"""

from __future__ import annotations

import sys

import numpy as np

from famachat_ml_pipeline.core.anomalies.series import (
    DEFAULT_SERIES,
    memory_periods,
    trailing_max,
)
from famachat_ml_pipeline.evaluation import nab_methods as nm
from famachat_ml_pipeline.evaluation.nab_loco import evaluate_nab, format_report


def unmasked_bar(abs_z: np.ndarray, period: int, rank: int, young_memory: int) -> np.ndarray:
    P = max(2, int(period))
    n = len(abs_z)
    M = memory_periods(rank)
    peak = trailing_max(abs_z, P)
    peak[: min(n, 2 * P)] = np.nan
    young = trailing_max(abs_z, young_memory * P)
    bar = np.full(n, np.nan)
    anom = np.zeros(n, dtype=bool)
    for b0 in range(0, n, P):
        t = np.arange(b0, min(b0 + P, n))
        prev = t - P
        ok_prev = prev >= 0
        # is the window ending at t (rows t-P..t-1) anomalous against the bar of one period before?
        ref = np.where(ok_prev, bar[np.maximum(prev, 0)], np.nan)
        beat = peak[t] > np.maximum(ref, DEFAULT_SERIES.z_floor)
        anom[t] = np.isfinite(peak[t]) & np.isfinite(ref) & beat
        lags = t[None, :] - P * np.arange(M)[:, None]  # (M, len(t))
        inside = lags >= 0
        pk = np.where(inside, peak[np.maximum(lags, 0)], np.nan)
        an = np.where(inside, anom[np.maximum(lags, 0)], False)
        count = np.isfinite(pk).sum(axis=0)
        kept = np.where(np.isfinite(pk) & ~an, pk, -np.inf)
        srt = -np.sort(-kept, axis=0)  # descending
        n_kept = np.isfinite(kept).sum(axis=0)
        idx = np.clip(np.minimum(rank, n_kept) - 1, 0, M - 1)
        rb = srt[idx, np.arange(len(t))]
        bar[t] = np.where((count < M) | (n_kept == 0), young[t], rb)
    return bar


def main(folder: str) -> None:
    baselines = tuple(m for m in nm.METHODS if m.name in ("seed_zscore", "windowed_gaussian"))
    print("ours with the rank bar over non-anomalous period peaks:")
    print(format_report(evaluate_nab(folder, (nm.robust_with_bar(unmasked_bar), *baselines))))


if __name__ == "__main__":
    main(sys.argv[1])
