"""95 % coverage of the demo's spend and leads forecasts when each account is forecast alone (a run of
one partition), with its own pool and with the fleet's calibration borrowed, beside the fleet's.

    .venv/bin/python benchmarks/forecast_borrowed_calibration.py [--accounts 50] [--seed 7]

Same protocol as `famachat-ml evaluate forecasts` on the demo: 28 daily origins over the last four weeks,
every campaign scored once it has started; the coverage counts (campaign, origin, horizon day) points.
At each origin the fleet is forecast first and its calibration (`Calibration`) is what each account's
run borrows, as `campaign_forecasts` does with the day's row of `forecast_calibration`; "day before" lends
the fleet's calibration of the previous origin instead (a run before the fleet's of the day borrows that).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from famachat_ml_pipeline.core.forecasting import fleet_matrix
from famachat_ml_pipeline.core.forecasting.common import first_valid
from famachat_ml_pipeline.core.forecasting.matrix import forecast_matrix_calibrated
from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo
from famachat_ml_pipeline.evaluation.forecasts import DEMO_ORIGINS, evaluation_origins

H = 7


def coverage(Y: np.ndarray, accounts: np.ndarray) -> dict[str, tuple[int, int]]:
    """(covered, points) per way of running: the fleet, each account alone, each account borrowing the
    fleet's calibration of the same day, and of the day before (a run before the fleet's of the day)."""
    out = {k: [0, 0] for k in ("fleet", "alone", "borrowed", "day before")}
    start = first_valid(Y)
    for o in evaluation_origins(Y.shape[1], H, DEMO_ORIGINS, 1):
        actual = Y[:, o : o + H]
        live = (start < o)[:, None] & np.isfinite(actual)
        res, cal = forecast_matrix_calibrated(Y[:, :o], H)
        _, before = forecast_matrix_calibrated(Y[:, : o - 1], H)  # the fleet's run of the day before
        fc = {"fleet": res[("auto", 0.95)]}
        for way, lent in (("alone", None), ("borrowed", cal), ("day before", before)):
            lower, upper = np.full((Y.shape[0], H), np.nan), np.full((Y.shape[0], H), np.nan)
            for a in np.unique(accounts):
                rows = accounts == a
                r, _ = forecast_matrix_calibrated(Y[rows, :o], H, lent=lent)
                lower[rows], upper[rows] = r[("auto", 0.95)].lower, r[("auto", 0.95)].upper
            fc[way] = type(fc["fleet"])(
                fc["fleet"].point, lower, upper, fc["fleet"].method, fc["fleet"].insufficient
            )
        for way, f in fc.items():
            inside = (actual >= f.lower) & (actual <= f.upper)
            out[way][0] += int((inside & live).sum())
            out[way][1] += int(live.sum())
    return {k: (c, n) for k, (c, n) in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data = generate_demo(n_accounts=args.accounts, seed=args.seed)
    keys, _, mats = fleet_matrix(clean_demo(data).daily, data.end_date, ["spend", "leads"])
    accounts = keys["config_id"].to_numpy()
    print(
        f"demo: {args.accounts} accounts (seed {args.seed}), {keys.height} campaigns, {DEMO_ORIGINS} origins"
    )
    print(
        f"{'metric':<8}{'fleet':>10}{'alone':>10}{'borrowed':>10}{'day before':>11}"
        f"{'points':>10}{'seconds':>9}"
    )
    for metric in ("spend", "leads"):
        t0 = time.perf_counter()
        cov = coverage(mats[metric], accounts)
        row = "".join(f"{c / n:>{11 if way == 'day before' else 10}.3f}" for way, (c, n) in cov.items())
        print(f"{metric:<8}{row}{cov['fleet'][1]:>10}{time.perf_counter() - t0:>9.1f}")


if __name__ == "__main__":
    main()
