"""Issue 13 experiment (not kept): our NAB detector (both scales) with the bar over the NORMAL period peaks.

    .venv/bin/python benchmarks/nab_normal_bar.py ../shared/data/nab --variant alerted [--mature-only]
    (variants: production, alerted, beat, capped; each runs the 5-minute report, then the hourly one with
    the settings chosen on the 5-minute files (`nab_hourly.py --tuned-as-given`) and chosen on the hourly
    files (`nab_hourly.py`); 1-6 minutes wall a variant on a shared 2-core machine, the threshold-dependent
    `alerted`/`capped` the slower; `--only 5min` for the first report alone)

The production bar is the rank-th highest of the last `memory_periods(rank)` period peaks (young: the
largest |z| of the last `young_memory` periods). On realTweets and hourly AWS the bar that hides a window is
set by an earlier anomaly (benchmarks/README.md). Here each period window (the `period` samples before a
sample, as `lagged_peaks` has them) is tested against the bar in force at its start, max(z_floor, bar); its
peak then enters later bars (rank and young) as follows:

- `alerted`: left out where it beat that bar by the alert margin (the threshold being scored, so the scores
  depend on the threshold: each threshold of the grid is scored with its own bars);
- `beat`: left out where it beat the bar at all (score >= 1 before the margin; `nab_unmasked_bar.py` tried
  this at one scale, 2026-11-29);
- `capped`: never left out, but counted at most at the alert level (margin x the bar it was tested
  against): a winsorised peak. With `beat` the bar can only fall (every kept peak is below the bar of its
  time); capping keeps the exceedances in the count and lets the bar rise by at most the margin a period;
- `production`: no exclusion (checks the harness: the figures of `evaluate anomalies --nab`).

Where every peak of the memory was left out, the production bar stands. Each scale (the samples' z and the
smoothed z) has its own bar and its own exclusions. Causal: the bar at a sample reads peaks of samples
before it and bars of samples at least a period before it. Recursion over blocks of one period, vectorised
over the samples of a block and over the thresholds.

Through the same leave-one-category-out report as `evaluate anomalies --nab` (`nab_loco`), with the same
settings and margin grid, beside the seed's z-score and the windowed Gaussian. `--variant production`
reproduces the three reports of `evaluate anomalies --nab` and `nab_hourly.py` (with and without
`--tuned-as-given`) figure for figure.

Result (2026-12-01; benchmarks/README.md, "the bar over the normal period peaks"): every variant lowers
the 5-minute held-out TOTAL (65.3 -> 38.7-59.5) and none passes issue 13's matched bar in more (category,
rate) cells than production (5 of 12). Not adopted.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial

import numpy as np

from famachat_ml_pipeline.core.anomalies import infer_period
from famachat_ml_pipeline.core.anomalies.series import (
    DEFAULT_SERIES,
    memory_periods,
    rank_bar,
    robust_z,
    smoothed_abs_z,
    smoothing_span,
    trailing_max,
)
from famachat_ml_pipeline.core.anomalies.time_grid import time_grid
from famachat_ml_pipeline.evaluation import nab_loco
from famachat_ml_pipeline.evaluation import nab_methods as nm
from famachat_ml_pipeline.evaluation.nab import NabSeries, load_nab, score_file

VARIANTS = ("production", "alerted", "beat", "capped")


def normal_bar(
    abs_z: np.ndarray,
    period: int,
    rank: int,
    young_memory: int,
    mults: np.ndarray,
    floor: float,
    mode: str,
    mature_only: bool = False,
) -> np.ndarray:
    """[multiplier, sample] bars: `rank_bar` over the period peaks that did not beat `mult` x the bar in
    force at their start (mode "drop"), or over the peaks capped at that level (mode "cap"). With
    `mature_only`, the young bar is production's (the largest |z| of the last `young_memory` periods)."""
    P = max(2, int(period))
    n = len(abs_z)
    M = memory_periods(rank)
    mults = np.asarray(mults, dtype=float)[:, None, None]  # [T, 1, 1]
    T = mults.shape[0]
    raw = trailing_max(abs_z, P)  # peak of the window t-P .. t-1
    mature = raw.copy()
    mature[: min(n, 2 * P)] = np.nan  # as `lagged_peaks`: a half-scored first period is not a peak
    production = rank_bar(abs_z, P, rank, young_memory)
    bar = np.zeros((T, n))
    adj = np.zeros((T, n))  # each window's peak as later bars see it (NaN: left out)
    for b0 in range(0, n, P):
        t = np.arange(b0, min(b0 + P, n))
        if b0 >= P:
            ref = np.maximum(floor, bar[:, t - P])  # [T, len(t)]
            if mode == "cap":
                adj[:, t] = np.minimum(raw[t][None, :], mults[:, :, 0] * ref)
            else:
                adj[:, t] = np.where(raw[t][None, :] > mults[:, :, 0] * ref, np.nan, raw[t][None, :])
        else:
            adj[:, t] = raw[t][None, :]
        lags = t[None, :] - P * np.arange(M)[:, None]  # [M, len(t)]
        inside = lags >= 0
        li = np.maximum(lags, 0)
        defined = inside & np.isfinite(mature[li])
        count = defined.sum(axis=0)  # as `rank_bar`: young while fewer than M peaks
        pk = np.where(defined[None], adj[:, li], np.nan)  # [T, M, len(t)]
        srt = -np.sort(-np.where(np.isnan(pk), -np.inf, pk), axis=1)  # descending, left-out last
        kept = np.isfinite(pk).sum(axis=1)  # [T, len(t)]
        idx = np.clip(np.minimum(rank, kept) - 1, 0, M - 1)
        rb = np.take_along_axis(srt, idx[:, None, :], axis=1)[:, 0, :]
        rb = np.where(kept > 0, rb, production[t][None, :])
        ylags = li[:young_memory]
        ypk = np.where(inside[:young_memory][None], adj[:, ylags], np.nan)  # [T, y, len(t)]
        young = np.where(
            np.isfinite(ypk).any(axis=1), np.nanmax(np.where(np.isnan(ypk), -np.inf, ypk), axis=1), np.nan
        )
        young = np.where(np.isfinite(young) & (not mature_only), young, production[t][None, :])
        bar[:, t] = np.where(count[None, :] < M, young, rb)
    return bar


def variant_scores(
    variant: str, values: np.ndarray, period: int, thresholds: np.ndarray, mature_only: bool = False
) -> np.ndarray:
    """[setting, threshold, sample] scores of ours at every setting of `nm.ROBUST_SETTINGS`."""
    floor = DEFAULT_SERIES.z_floor
    z = robust_z(values, period, DEFAULT_SERIES)
    mode = {"alerted": "drop", "beat": "drop", "capped": "cap", "production": "drop"}[variant]
    if variant == "alerted" or variant == "capped":
        mults = np.asarray(thresholds, dtype=float)
    elif variant == "beat":
        mults = np.ones(1)
    else:
        mults = np.full(1, np.inf)
    pairs = sorted({(r, m) for r, m, _ in nm.ROBUST_SETTINGS})
    spans = {smoothing_span(period, s) for _, _, s in nm.ROBUST_SETTINGS}
    rel: dict[tuple[int, int, int], np.ndarray] = {}
    for span in spans:
        a = np.nan_to_num(np.abs(z), nan=0.0) if span == 1 else smoothed_abs_z(z, span)
        for r, m in pairs:
            bars = normal_bar(a, period, r, m, mults, floor, mode, mature_only)
            rel[span, r, m] = a[None, :] / np.maximum(floor, bars)
    out = []
    for r, m, s in nm.ROBUST_SETTINGS:
        sc = np.maximum(rel[1, r, m], rel[smoothing_span(period, s), r, m])
        out.append(np.broadcast_to(sc, (len(thresholds), len(values))) if sc.shape[0] == 1 else sc)
    return np.stack(out)


def _grid(task: tuple[str, bool, nm.Method, NabSeries]) -> nab_loco.Grid:
    variant, mature_only, method, series = task
    if method.name != "robust":
        return nab_loco._grid((method, series))
    grid = time_grid(series.timestamps)
    period = infer_period(grid.step_seconds)
    scores = variant_scores(variant, grid.place(series.values), period, method.thresholds, mature_only)
    hold = nm.hold_rows(period)
    return [
        [
            score_file(series, grid.rows(nm.alerts(row[i], thr, hold)))
            for i, thr in enumerate(method.thresholds)
        ]
        for row in scores
    ]


_CACHE: dict[tuple[int, str], list[nab_loco.Grid]] = {}


def patched_score_grid(
    variant: str, mature_only: bool, data: list[NabSeries], methods: tuple[nm.Method, ...], workers: int
):
    """`nab_loco.score_grid` with ours scored by `variant`; each (data, method) grid computed once."""
    out: dict[str, list[nab_loco.Grid]] = {}
    todo = [m for m in methods if (id(data), m.name) not in _CACHE]
    tasks = [(variant, mature_only, m, s) for m in todo for s in data]
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(_grid, tasks, chunksize=1))
    for m in todo:
        _CACHE[id(data), m.name] = []
    for (_, _, m, _), r in zip(tasks, results, strict=True):
        _CACHE[id(data), m.name].append(r)
    for m in methods:
        out[m.name] = _CACHE[id(data), m.name]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--variant", choices=VARIANTS, required=True)
    parser.add_argument("--mature-only", action="store_true", help="the young bar stays production's")
    parser.add_argument("--only", choices=("5min", "hourly-tag", "hourly"), action="append")
    args = parser.parse_args()
    import nab_hourly  # benchmarks/, beside this script

    nab_loco.score_grid = partial(patched_score_grid, args.variant, args.mature_only)
    methods = tuple(m for m in nm.METHODS if m.name in ("robust", "seed_zscore", "windowed_gaussian"))
    given = load_nab(args.folder)
    hourly = [nab_hourly.resampled(s, "1h") for s in given]
    runs = {
        "5min": ("NAB 5-minute", given, None),
        "hourly-tag": ("NAB hourly, settings chosen on the 5-minute files (--tuned-as-given)", hourly, given),
        "hourly": ("NAB hourly, settings chosen on the hourly files", hourly, None),
    }
    for key in args.only or list(runs):
        title, data, tune = runs[key]
        start = time.perf_counter()
        rows = nab_loco.evaluate_nab(data, methods, tune_on=tune)
        young = ", young bar as production" if args.mature_only else ""
        print(f"== {title}; ours: bar variant {args.variant!r}{young} ({time.perf_counter() - start:.0f} s)")
        print(nab_loco.format_report(rows))
        print(flush=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
