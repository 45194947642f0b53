"""Issue 13: our NAB detector at one time scale against two (the production), and its operating points.

    .venv/bin/python benchmarks/nab_scales.py ../shared/data/nab                     (about 1 CPU minute)
    .venv/bin/python benchmarks/nab_scales.py ../shared/data/nab --reach realTweets  (about 1 CPU minute)

Without `--reach`: the leave-one-category-out report of `evaluate anomalies --nab` for ours restricted to
`smoothing` 0 (the samples' z alone, the detector before the second scale), beside the seed's z-score and
the windowed Gaussian; `evaluate anomalies --nab` gives the two-scale figures.
With `--reach CATEGORY`: for a few settings, on that category's files, the fewest false alerts at each hit
count over a margin grid extended below the production one (down to 0.125).
"""

from __future__ import annotations

import argparse
from functools import partial

import numpy as np

from famachat_ml_pipeline.core.anomalies.series import DEFAULT_SERIES, robust_z, scale_scores
from famachat_ml_pipeline.evaluation import nab_methods as nm
from famachat_ml_pipeline.evaluation.nab import Totals, load_nab
from famachat_ml_pipeline.evaluation.nab_loco import evaluate_nab, format_report, score_grid

ONE_SCALE = tuple((r, m, 0) for r, m in nm.BARS)
REACH = ((2, 2, 24), (2, 2, 0), (1, 2, 24), (3, 2, 24), (4, 2, 24), (4, 1, 24))


def _scores(settings: tuple[tuple[int, int, int], ...], values: np.ndarray, period: int) -> np.ndarray:
    return scale_scores(robust_z(values, period), period, settings, DEFAULT_SERIES.z_floor)


def _method(settings: tuple[tuple[int, int, int], ...], thresholds: np.ndarray) -> nm.Method:
    return nm.Method("robust", partial(_scores, settings), nm.robust_labels(settings), thresholds)


def one_scale_report(folder: str) -> None:
    robust = next(m for m in nm.METHODS if m.name == "robust")
    baselines = tuple(m for m in nm.METHODS if m.name in ("seed_zscore", "windowed_gaussian"))
    print("ours at one scale (smoothing 0):")
    print(format_report(evaluate_nab(folder, (_method(ONE_SCALE, robust.thresholds), *baselines))))


def reach(folder: str, category: str) -> None:
    thresholds = np.round(np.geomspace(0.125, 4.0, 61), 4)
    data = [s for s in load_nab(folder) if s.category == category]
    grid = score_grid(data, (_method(REACH, thresholds),), 2)["robust"]
    print(f"{category}: per setting, hits -> (margin, fewest false alerts), most hits first")
    for k, setting in enumerate(REACH):
        best: dict[int, tuple[float, int]] = {}
        for i, t in enumerate(thresholds):
            tot = Totals.of([f[k][i] for f in grid])
            if tot.hits not in best or tot.false_alerts < best[tot.hits][1]:
                best[tot.hits] = (float(t), tot.false_alerts)
        points = ", ".join(f"{h}: ({t:g}, {f})" for h, (t, f) in sorted(best.items(), reverse=True)[:6])
        print(f"  r{setting[0]} y{setting[1]} s{setting[2]}  {points}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--reach", metavar="CATEGORY")
    args = parser.parse_args()
    if args.reach:
        reach(args.folder, args.reach)
    else:
        one_scale_report(args.folder)


if __name__ == "__main__":
    main()
