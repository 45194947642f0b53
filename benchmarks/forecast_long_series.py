"""Long daily series (2,167 days, as the web-traffic series of issue 13): ours against seasonal naive and
AutoETS, and the CSV for `famachat-ml evaluate forecasts --csv`.

    .venv/bin/python benchmarks/forecast_long_series.py [--autoets] [--csv site.csv --seed 1]

Synthetic, so only a pointer: `shared/` has no real daily series longer than 215 days. Three "website"
series (a multiplicative weekly pattern, weekend at half the weekdays; a yearly cycle with a summer and a
year-end dip; a slow random-walk level; 8 % lognormal noise) and one additive (trend, weekly and yearly
sines, Gaussian noise). Each is scored at 52 weekly origins over its last year, MASE at h=1..7 scaled by
the weekly-naive in-sample MAE (`forecast_variants.per_origin`). `--csv` writes website series `--seed`
as the issue's file was: `m/d/Y` dates and quoted thousands ("2,274").
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np
from forecast_variants import per_origin, report

from famachat_ml_pipeline.evaluation.forecasts import MIN_TRAIN

DAYS = 2167


def website(seed: int, days: int = DAYS) -> np.ndarray:
    r = np.random.default_rng(seed)
    t = np.arange(days)
    weekday = np.array([1.0, 1.08, 1.05, 1.0, 0.85, 0.5, 0.6])[(t + seed) % 7]
    doy = (t + 250) % 365.25
    summer, year_end = (doy > 150) & (doy < 230), (doy > 355) | (doy < 5)
    yearly = 1 + 0.25 * np.cos(2 * np.pi * (doy - 60) / 365.25) - 0.35 * summer - 0.4 * year_end
    level = 3000 * (1 + 0.15 * t / days) * np.exp(np.cumsum(r.normal(0, 0.01, days)))
    return level * weekday * yearly * np.exp(r.normal(0, 0.08, days))


def additive(seed: int, days: int = DAYS) -> np.ndarray:
    t = np.arange(days)
    noise = np.random.default_rng(seed).normal(0, 60, days)
    return 1000 + 0.2 * t + 150 * np.sin(2 * np.pi * t / 7) + 200 * np.sin(2 * np.pi * t / 365.25) + noise


def write_csv(path: str, y: np.ndarray) -> None:
    first = dt.date(2014, 9, 14)
    with open(path, "w") as f:
        f.write("Row,Date,Page.Loads\n")
        for i, v in enumerate(y):
            f.write(f'{i + 1},{(first + dt.timedelta(days=i)).strftime("%m/%d/%Y")},"{round(v):,}"\n')


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--autoets", action="store_true", help="AutoETS at every origin too (~4 min)")
    p.add_argument("--csv", help="write website series --seed to this file and stop")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    if a.csv:
        write_csv(a.csv, website(a.seed))
        print(f"wrote {a.csv}: {DAYS} days")
        return
    names = ["website0", "website1", "website2", "additive"]
    Y = np.array([website(0), website(1), website(2), additive(0)])
    origins = np.arange(DAYS - 7 - 7 * 51, DAYS - 6, 7)
    methods = ["combo", "hw"]
    rows = np.arange(len(names)) if a.autoets else None
    per = per_origin(Y, [*methods, "snaive"], MIN_TRAIN, origins, rows)
    print(f"{len(names)} synthetic series x {DAYS} days, {len(origins)} weekly origins, MASE (h=7)")
    report(names, per, methods, a.autoets)


if __name__ == "__main__":
    main()
