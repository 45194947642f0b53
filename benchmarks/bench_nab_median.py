"""Our NAB detector's robust z over the whole corpus, with the long windows' median by np.nanmedian (the old
way: numpy loops over the windows in Python when NaNs are present) and by a sort (`robust.nan_median`),
alternating, in one process; then whether the two z are equal bit for bit.

    .venv/bin/python benchmarks/bench_nab_median.py ../shared/data/nab [--rounds 2]   (about 2 CPU minutes)
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from famachat_ml_pipeline.core.anomalies import robust
from famachat_ml_pipeline.core.anomalies.series import infer_period, robust_z
from famachat_ml_pipeline.core.anomalies.time_grid import time_grid
from famachat_ml_pipeline.evaluation.nab import load_nab

SORTED = robust.nan_median


def numpy_median(a: np.ndarray, axis: int) -> np.ndarray:
    if a.shape[axis] <= 64:
        return SORTED(a, axis)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(a, axis=axis)


def corpus_z(grids: list[tuple[np.ndarray, int]]) -> tuple[float, list[np.ndarray]]:
    start = time.process_time()
    out = [robust_z(values, period) for values, period in grids]
    return time.process_time() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    grids = []
    for s in load_nab(args.folder):
        g = time_grid(s.timestamps)
        grids.append((g.place(s.values), infer_period(g.step_seconds)))
    print(f"{len(grids)} files, {sum(len(v) for v, _ in grids):,} grid slots")
    for r in range(args.rounds):
        robust.nan_median = numpy_median
        old_s, old = corpus_z(grids)
        robust.nan_median = SORTED
        new_s, new = corpus_z(grids)
        same = all(np.array_equal(a, b, equal_nan=True) for a, b in zip(old, new, strict=True))
        ratio = old_s / new_s
        print(f"round {r}: np.nanmedian {old_s:.1f} s, sort {new_s:.1f} s CPU, {ratio:.1f}x; equal: {same}")


if __name__ == "__main__":
    main()
