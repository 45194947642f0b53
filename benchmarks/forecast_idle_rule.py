"""The forecaster's idle rule (`core.forecasting.fleet.IDLE_DAYS`): after a campaign spent nothing on each
of its last 3 days, is a forecast of nothing closer to the next 7 days than the statistical forecast?

On the synthetic fleet (`evaluation.synthetic`: 0-2 paused stretches of 3-20 days per campaign, 10 % stopped
before the end), at several origins, for every campaign with 3 zero-spend days after spending in the 14 days
before: the next 7 days' actual spend and leads against the statistical forecast (`forecast_fleet` with the
business rules off, the old way) and against 0 (the rule). Prints the cases, how many of their next weeks
were spent at zero, the mean actual and forecast, and each one's MAE.

    .venv/bin/python benchmarks/forecast_idle_rule.py [--campaigns 2000] [--days 150] [--seed 3]
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np
import polars as pl

from famachat_ml_pipeline.core.forecasting import forecast_fleet
from famachat_ml_pipeline.core.forecasting.fleet import IDLE_DAYS
from famachat_ml_pipeline.evaluation.synthetic import fleet_to_daily, synthetic_ad_fleet

H = 7
ORIGINS = (90, 100, 110, 120, 130, 142)
ID0 = 120_000_000_000  # fleet_to_daily's first campaign id


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--campaigns", type=int, default=2000)
    ap.add_argument("--days", type=int, default=150)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    fleet = synthetic_ad_fleet(n=args.campaigns, days=args.days, seed=args.seed)
    daily = fleet_to_daily(fleet)
    actual: dict[str, list[float]] = {"spend": [], "leads": []}
    model: dict[str, list[float]] = {"spend": [], "leads": []}
    for o in (x for x in ORIGINS if x + H < args.days):
        as_of = fleet.start + dt.timedelta(days=o)
        zero = np.all(fleet.spend[:, o - IDLE_DAYS + 1 : o + 1] == 0, axis=1)
        idle = np.nonzero(
            zero & (np.nansum(fleet.spend[:, o - IDLE_DAYS - 13 : o - IDLE_DAYS + 1], axis=1) > 0)
        )[0]
        fc = forecast_fleet(daily.filter(pl.col("date") <= as_of), as_of, H, respect_status=False)
        sums = (
            fc.filter(pl.col("metric").is_in(["spend", "leads"]))
            .group_by("entity_id", "metric")
            .agg(pl.col("predicted_value").sum())
        )
        got = {(r["entity_id"], r["metric"]): r["predicted_value"] for r in sums.iter_rows(named=True)}
        for i in idle:
            for metric, m in (("spend", fleet.spend), ("leads", fleet.leads)):
                actual[metric].append(float(np.nansum(m[i, o + 1 : o + 1 + H])))
                model[metric].append(got.get((str(i + ID0), metric), 0.0))
    cases = len(actual["spend"])
    spend = np.array(actual["spend"])
    print(
        f"{cases} cases of {IDLE_DAYS} zero-spend days after spending (origins {ORIGINS}, seed {args.seed})"
    )
    print(f"next {H} days spent nothing: {np.mean(spend == 0):.3f} of them")
    for metric in ("spend", "leads"):
        a, f = np.array(actual[metric]), np.array(model[metric])
        print(
            f"{metric}: mean actual {a.mean():.2f}, statistical forecast {f.mean():.2f}; "
            f"MAE statistical {np.abs(a - f).mean():.2f}, MAE zero (the rule) {np.abs(a).mean():.2f}"
        )


if __name__ == "__main__":
    main()
