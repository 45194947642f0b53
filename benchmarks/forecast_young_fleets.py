"""Issue 13: 95 % coverage of `auto` on small fleets of young real series, the shape of new daily data such
as six ad-exchange series of two months each, with the calibration as it is (a fleet calibrates on origins
at which a series had CAL_MIN_AGE days) and as it was (from MIN_HISTORY days), in the same run.

    .venv/bin/python benchmarks/forecast_young_fleets.py ../shared/data/nab [--days 66] [--fleets 12]

Pieces: each NAB series >= 50 days as daily means (`read_nab_daily`), cut into consecutive windows of
`--days` days (a series shorter than that is one piece). Fleets: `--fleets` random draws of 6 pieces, each
backtested as `evaluate forecasts --nab-daily` does (every origin from a piece's 28th day, one pooled
calibration). Lone: every piece on its own (`evaluate forecasts --csv`'s path).
"""

from __future__ import annotations

import argparse

import numpy as np

import famachat_ml_pipeline.core.forecasting.matrix as matrix
from famachat_ml_pipeline.core.forecasting.common import CAL_MIN_AGE, MIN_HISTORY
from famachat_ml_pipeline.evaluation.forecasts import MIN_TRAIN, backtest_groups, known_days, right_aligned
from famachat_ml_pipeline.evaluation.series_io import read_nab_daily

FLEET = 6
RULES = {"now": CAL_MIN_AGE, "before": MIN_HISTORY}


def pieces(folder: str, days: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    kept, _ = read_nab_daily(folder)
    Y, K = right_aligned(kept), known_days(kept)
    first = np.argmax(~np.isnan(Y), axis=1)
    out = []
    for i, s in enumerate(kept):
        name = s.name.split("/")[-1]
        starts = range(first[i], Y.shape[1] - days + 1, days) if Y.shape[1] - first[i] >= days else [first[i]]
        for a in starts:
            out.append((f"{name}@{a - first[i]}", Y[i, a : a + days], K[i, a : a + days]))
    return out


def coverage(parts: list[tuple[str, np.ndarray, np.ndarray]]) -> tuple[float, int]:
    """Ours' pooled coverage over the parts forecast together, and its points."""
    width = max(len(y) for _, y, _ in parts)
    Y = np.full((len(parts), width), np.nan)
    K = np.zeros((len(parts), width), dtype=bool)
    for j, (_, y, k) in enumerate(parts):
        Y[j, width - len(y) :], K[j, width - len(y) :] = y, k
    tables = backtest_groups(
        Y,
        {str(j): np.array([j]) for j in range(len(parts))},
        7,
        ("auto",),
        nonneg=bool(np.nanmin(Y) >= 0),
        known=K,
        n_origins=10_000,
        step=1,
        min_history=MIN_TRAIN,
    )
    rows = [t.filter(t["method"] == "auto").row(0, named=True) for t in tables.values()]
    points = sum(r["n_points"] for r in rows)
    return sum(r["coverage"] * r["n_points"] for r in rows if r["n_points"]) / points, points


def _in_range(cov: np.ndarray) -> int:
    return int(((cov >= 0.93) & (cov <= 0.97)).sum())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder")
    p.add_argument("--days", type=int, default=66)
    p.add_argument("--fleets", type=int, default=12)
    a = p.parse_args()
    all_pieces = pieces(a.folder, a.days)
    draws = [np.random.default_rng(k).choice(len(all_pieces), FLEET, replace=False) for k in range(a.fleets)]
    print(f"{len(all_pieces)} pieces of <= {a.days} days; {a.fleets} fleets of {FLEET}; 95 % intervals")
    for rule, age in RULES.items():
        matrix.CAL_MIN_AGE = age
        fleets = np.array([coverage([all_pieces[i] for i in d])[0] for d in draws])
        lone = [coverage([piece]) for piece in all_pieces]
        each = np.array([c for c, _ in lone])
        pooled = sum(c * n for c, n in lone) / sum(n for _, n in lone)
        print(
            f"{rule:>6} (a fleet calibrates from day {age}): fleets mean {fleets.mean():.3f}"
            f" [{fleets.min():.3f}, {fleets.max():.3f}], in [0.93, 0.97] {_in_range(fleets)} of"
            f" {len(fleets)}; lone pieces pooled {pooled:.3f}, in [0.93, 0.97] {_in_range(each)}"
            f" of {len(each)}"
        )
    matrix.CAL_MIN_AGE = CAL_MIN_AGE


if __name__ == "__main__":
    main()
