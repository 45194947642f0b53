"""Issue 13 item 4, gap 3: `combo` with a trend-following third member on series >= SEASONAL_SES_DAYS old.

    .venv/bin/python benchmarks/forecast_trend_member.py long [--autoets]
    .venv/bin/python benchmarks/forecast_trend_member.py cli VARIANT -- evaluate forecasts ...
    .venv/bin/python benchmarks/forecast_trend_member.py bench VARIANT -- --skip-accuracy ...

`long`: the four 2,167-day synthetic series of `forecast_long_series.py` (52 weekly origins, the 182 days
production reads), `combo` and each variant in the same run; with --autoets, per series each one minus
AutoETS with its 95 % block-bootstrap interval. `cli`: runs `famachat-ml ARGS...` with production `combo`
replaced by VARIANT (one below, or `combo` itself), so the CLI's evaluations score it; `bench`: the same
for `bench_forecasting.py` (the cost).
Variants (`point_methods.combo_forecasts_with`): the 4-week seasonal mean replaced, once a series has
SEASONAL_SES_DAYS of history, by
- `combo_theta`: the Theta method on the seasonally adjusted series (the adjusted SES plus half the OLS
  slope, Hyndman & Billah's form), the weekday profile added back;
- `combo_holt`: damped Holt (Holt-Winters' alpha, beta and phi grid, no season) on the adjusted series;
- `combo_theta_s`, `combo_holt_s`: the same members in the adjusted SES's place, the seasonal mean kept.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import numpy as np
from forecast_long_series import DAYS, additive, website
from forecast_variants import per_origin

import famachat_ml_pipeline.core.forecasting.matrix as M
from famachat_ml_pipeline.core.forecasting.point_methods import POINT_METHODS, combo_forecasts_with
from famachat_ml_pipeline.evaluation import forecasts as F
from famachat_ml_pipeline.evaluation.forecasts import MIN_TRAIN

VARIANTS = {
    "combo_theta": lambda Y, o, h: combo_forecasts_with(Y, o, h, "theta"),
    "combo_holt": lambda Y, o, h: combo_forecasts_with(Y, o, h, "holt"),
    "combo_theta_s": lambda Y, o, h: combo_forecasts_with(Y, o, h, "theta_ses"),
    "combo_holt_s": lambda Y, o, h: combo_forecasts_with(Y, o, h, "holt_ses"),
}


def long_series(autoets: bool) -> None:
    POINT_METHODS.update(VARIANTS)
    M.METHODS = (*M.METHODS, *VARIANTS)
    names = ["website0", "website1", "website2", "additive"]
    Y = np.array([website(0), website(1), website(2), additive(0)])
    origins = np.arange(DAYS - 7 - 7 * 51, DAYS - 6, 7)
    methods = ["combo", *VARIANTS, "hw"]
    per = per_origin(Y, [*methods, "snaive"], MIN_TRAIN, origins, np.arange(len(names)) if autoets else None)
    cols = [*methods, "snaive", *(["autoets"] if autoets else [])]
    print(f"{len(names)} synthetic series x {DAYS} days, {len(origins)} weekly origins, MASE (h=7)")
    print(f"{'series':<12}" + "".join(f"{m:>13}" for m in cols))
    for i, name in enumerate(names):
        print(f"{name:<12}" + "".join(f"{np.nanmean(per[m][i]):13.3f}" for m in cols))
    pooled = {m: np.concatenate([v[np.isfinite(v)] for v in per[m]]) for m in cols}
    print(f"{'pooled':<12}" + "".join(f"{pooled[m].mean():13.3f}" for m in cols))
    if not autoets:
        return
    print("\nper series, method minus AutoETS [95 % block-bootstrap CI]")
    for m in ["combo", *VARIANTS]:
        cells = []
        for i in range(len(names)):
            d = per[m][i] - per["autoets"][i]
            lo, hi = F.block_bootstrap(d[np.isfinite(d)])
            cells.append(f"{names[i]} {np.nanmean(d):+.3f} [{lo:+.3f}, {hi:+.3f}]")
        print(f"{m:<12} " + "; ".join(cells))


def cli(variant: str, args: list[str]) -> int:
    from famachat_ml_pipeline import cli as C

    if variant != "combo":
        POINT_METHODS["combo"] = VARIANTS[variant]
    sys.argv = ["famachat-ml", *args]
    return C.main()


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["long"]:
        long_series("--autoets" in argv)
    elif argv[:1] == ["cli"] and len(argv) >= 3 and argv[2] == "--":
        sys.exit(cli(argv[1], argv[3:]))
    elif argv[:1] == ["bench"] and len(argv) >= 3 and argv[2] == "--":
        if argv[1] != "combo":
            POINT_METHODS["combo"] = VARIANTS[argv[1]]
        sys.argv = ["bench_forecasting.py", *argv[3:]]
        runpy.run_path(str(Path(__file__).with_name("bench_forecasting.py")), run_name="__main__")
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
