"""Issue 13 experiment (rejected): our NAB detector with a Gumbel bar instead of the rank bar, once mature.

    .venv/bin/python benchmarks/nab_gumbel_bar.py ../shared/data/nab [linear|log]   (about 1 CPU minute each)

Why it was tried: the rank bar is an order statistic of the last `memory_periods(rank)` period peaks, so
an event spanning two periods fills both top ranks and masks the next window (the realTweets GOOG and UPS
windows, `nab_missed_windows.py`). A bar from the peaks' median and MAD is robust to up to half of them
being anomalous.
Under a Gumbel law (the law of period maxima) the 6/7 quantile, beaten by chance once in CHANCE_PERIODS as the
rank bar is, lies 1.96 MADs above the median. `linear` fits the peaks, `log` their logarithm (tweet peaks are
heavy-tailed). The young bar is unchanged. Same leave-one-category-out report as `evaluate anomalies --nab`.

Result (2026-11-29), held out; production (rank bar) in brackets:
- linear: TOTAL 51.5 (54.2); realAWSCloudwatch 48.4 (52.6), realKnownCause 41.0 (34.0), realTraffic 49.5
  (59.8, below the windowed Gaussian's 59.2), realTweets 61.3 (64.8); 272 false alerts (191).
- log: TOTAL 50.6; 47.3, 44.1, 47.8, 60.3; 299 false alerts, 10 of them on artificialNoAnomaly (0).
Neither reaches the seed's 33 realTweets hits at any margin: the masking is not what limits them. Not adopted.
"""

from __future__ import annotations

import sys

import numpy as np

from famachat_ml_pipeline.core.anomalies.series import lagged_peaks, memory_periods, trailing_max
from famachat_ml_pipeline.evaluation import nab_methods as nm
from famachat_ml_pipeline.evaluation.nab_loco import evaluate_nab, format_report

GUMBEL_Q67_IN_MADS = 1.96  # standard Gumbel: (6/7 quantile - median) / MAD


def gumbel_bar(abs_z: np.ndarray, period: int, rank: int, young_memory: int, log: bool = False) -> np.ndarray:
    P = max(2, int(period))
    M = memory_periods(rank)
    peaks = lagged_peaks(np.asarray(abs_z, dtype=float), P, M)
    count = np.isfinite(peaks).sum(axis=0)
    if log:
        peaks = np.log(np.maximum(peaks, 1e-3))
    with np.errstate(all="ignore"):
        med = np.nanmedian(peaks, axis=0)
        mad = np.nanmedian(np.abs(peaks - med[None, :]), axis=0)
    bar = med + GUMBEL_Q67_IN_MADS * mad
    bar = np.exp(bar) if log else bar
    return np.where(count < M, trailing_max(abs_z, young_memory * P), bar)


def log_gumbel_bar(abs_z: np.ndarray, period: int, rank: int, young_memory: int) -> np.ndarray:
    return gumbel_bar(abs_z, period, rank, young_memory, log=True)


def main(folder: str, mode: str = "linear") -> None:
    bar = log_gumbel_bar if mode == "log" else gumbel_bar
    baselines = tuple(m for m in nm.METHODS if m.name in ("seed_zscore", "windowed_gaussian"))
    print(f"ours with a Gumbel bar ({mode}) once mature:")
    print(format_report(evaluate_nab(folder, (nm.robust_with_bar(bar), *baselines))))


if __name__ == "__main__":
    main(*sys.argv[1:3])
