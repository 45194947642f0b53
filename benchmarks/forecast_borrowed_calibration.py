"""95 % coverage of what `campaign_forecasts` writes for the demo (spend, leads and CPL) when each account
is forecast alone (a run of one partition), with its own pool and with the fleet's calibration borrowed,
beside the fleet's run.

    .venv/bin/python benchmarks/forecast_borrowed_calibration.py [--accounts 50] [--seed 7] [--origins 28]

At each of the last `--origins` days whose next 7 days are known, the fleet is forecast
(`forecast_fleet_parts`, with the budget cap but not the status rule: the source's status is today's),
then every account alone: with its own pool, with
the fleet's calibration of that day (`lent`, as `campaign_forecasts` borrows the day's row of
`forecast_calibration`; equal to the fleet's by construction) and with the fleet's of the day before (a
run before the fleet's run of the day). Coverage counts the written rows whose day is known: spend and
leads every row, CPL the rows of days with at least one lead (its actual is spend / leads).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import polars as pl

from famachat_ml_pipeline.core.forecasting import FleetCalibration, forecast_fleet_parts
from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo

H = 7
WAYS = ("fleet", "alone", "borrowed", "day before")


def _forecast(daily: pl.DataFrame, as_of: dt.date, lent: FleetCalibration | None = None):
    made: list[FleetCalibration] = []
    # the source's status is today's, not the origin's: with it, a campaign paused since would be forecast
    # to deliver nothing at a past origin (a miss the forecaster did not make)
    parts = forecast_fleet_parts(daily, as_of, horizon=H, respect_status=False, lent=lent, made=made)
    frame = pl.concat(list(parts))
    return frame, made[0]


def _covered(frame: pl.DataFrame, actual: pl.DataFrame) -> pl.DataFrame:
    """(metric, covered, rows) of the forecast rows whose target day has an actual."""
    joined = frame.join(actual, on=["config_id", "entity_id", "metric", "target_date"], how="inner")
    inside = (pl.col("actual") >= pl.col("confidence_lower") - 1e-9) & (
        pl.col("actual") <= pl.col("confidence_upper") + 1e-9
    )
    return joined.group_by("metric").agg(covered=inside.sum(), rows=pl.len())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--origins", type=int, default=28)
    args = parser.parse_args()
    data = generate_demo(n_accounts=args.accounts, seed=args.seed)
    daily = clean_demo(data).daily
    end = data.end_date
    days = daily.select(
        "config_id",
        pl.col("campaign_id").alias("entity_id"),
        pl.col("date").alias("target_date"),
        "spend",
        "leads",
    )
    actual = pl.concat(
        [
            days.select(*days.columns[:3], metric=pl.lit("spend"), actual=pl.col("spend")),
            days.select(*days.columns[:3], metric=pl.lit("leads"), actual=pl.col("leads").cast(pl.Float64)),
            days.filter(pl.col("leads") >= 1).select(
                *days.columns[:3], metric=pl.lit("cpl"), actual=pl.col("spend") / pl.col("leads")
            ),
        ]
    )
    last = end - dt.timedelta(days=H)
    origins = [last - dt.timedelta(days=k) for k in range(args.origins)][::-1]
    accounts = daily["config_id"].unique().sort().to_list()
    by_account = {a: daily.filter(pl.col("config_id") == a) for a in accounts}
    t0 = time.perf_counter()
    parts: dict[str, list[pl.DataFrame]] = {w: [] for w in WAYS}
    _, before = _forecast(daily, origins[0] - dt.timedelta(days=1))
    for as_of in origins:
        fleet, cal = _forecast(daily, as_of)
        parts["fleet"].append(_covered(fleet, actual))
        for way, lent in (("alone", None), ("borrowed", cal), ("day before", before)):
            frames = [_forecast(one, as_of, lent)[0] for one in by_account.values()]
            parts[way].append(_covered(pl.concat(frames), actual))
        before = cal
    n = daily.select("config_id", "campaign_id").n_unique()
    print(
        f"demo: {args.accounts} accounts (seed {args.seed}), {n} campaigns, {len(origins)} origins "
        f"{origins[0]}..{origins[-1]}, {time.perf_counter() - t0:.0f} s"
    )
    print(f"{'metric':<8}" + "".join(f"{w:>12}" for w in WAYS) + f"{'rows':>10}")
    totals = {
        w: pl.concat(p).group_by("metric").agg(pl.col("covered", "rows").sum()) for w, p in parts.items()
    }
    for metric in ("spend", "leads", "cpl"):
        cells, rows = [], 0
        for w in WAYS:
            r = totals[w].filter(pl.col("metric") == metric).row(0, named=True)
            cells.append(f"{r['covered'] / r['rows']:>12.3f}")
            rows = r["rows"]
        print(f"{metric:<8}" + "".join(cells) + f"{rows:>10}")


if __name__ == "__main__":
    main()
