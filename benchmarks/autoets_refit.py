"""AutoETS in `evaluate forecasts`: a fit at every origin against a refit every 7 days (RollingAutoETS).

A rolling backtest over daily origins fits AutoETS once per (series, origin); on a long series that is
hours (a fit on 1,000 days takes seconds). Refitting every 7 days and applying the last fit in between
(`forward`: the state recomputed on the origin's whole history) cuts the fits by about 7. This prints,
for both, the wall seconds, the fits made, and AutoETS's pooled MASE and 95 % coverage, on:
- NAB-daily (the series of `evaluate forecasts --nab-daily`, each alone, every origin);
- a 2,167-day website-like series (benchmarks/forecast_long_series.py's), the last `--origins` origins.

    .venv/bin/python benchmarks/autoets_refit.py [--nab ../shared/data/nab] [--origins 120]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from forecast_long_series import website  # noqa: E402

from famachat_ml_pipeline.evaluation.autoets import RollingAutoETS  # noqa: E402
from famachat_ml_pipeline.evaluation.forecasts import MIN_TRAIN, evaluation_origins, mase_scale  # noqa: E402
from famachat_ml_pipeline.evaluation.series_io import read_nab_daily  # noqa: E402

H = 7


def backtest(ys: list[np.ndarray], refit: int, n_origins: int) -> tuple[float, int, float, float]:
    """(seconds, fits, pooled MASE, pooled coverage) of AutoETS over each series' last origins."""
    t0, fits, err, cov = time.perf_counter(), 0, [], []
    for y in ys:
        ets = RollingAutoETS(H, 0.95, nonneg=bool(np.nanmin(y) >= 0), refit=refit)
        Y = y[None, :]
        for o in evaluation_origins(y.size, H, n_origins, 1):
            fc = ets.forecast(Y[:, :o])
            actual = y[o : o + H]
            if np.isnan(fc.point).any() or np.isnan(actual).any():
                continue
            err.append(np.abs(fc.point[0] - actual).mean() / mase_scale(Y[:, :o])[0])
            cov.append(((fc.lower[0] <= actual) & (actual <= fc.upper[0])).mean())
        fits += ets.fits
    return time.perf_counter() - t0, fits, float(np.mean(err)), float(np.mean(cov))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nab", default="../shared/data/nab")
    p.add_argument("--origins", type=int, default=120, help="origins of the long series (its last ones)")
    args = p.parse_args()
    kept, _ = read_nab_daily(args.nab)
    cases = {
        f"NAB-daily, {len(kept)} series, every origin after day {MIN_TRAIN}": (
            [s.frame["value"].to_numpy().astype(float) for s in kept],
            10_000,
        ),
        f"website-like, 2,167 days, last {args.origins} origins": ([website(1)], args.origins),
    }
    for name, (ys, n_origins) in cases.items():
        print(name)
        rows = {refit: backtest(ys, refit, n_origins) for refit in (1, 7)}
        for refit, (sec, fits, mase, cov) in rows.items():
            print(
                f"  refit every {refit} day(s): {sec:7.1f} s, {fits:5d} fits, "
                f"MASE {mase:.3f}, cov95 {cov:.3f}"
            )
        print(f"  speed-up: {rows[1][0] / rows[7][0]:.1f}x")


if __name__ == "__main__":
    main()
