"""The campaign_forecasts step's compute + write on an N-account demo fleet, old against new, alternating.

old: `forecast_fleet`, then `replace_forecasts` (fleet.py and writer.py as of `--ref`, loaded from git).
new: this tree's asset body: `forecast_fleet_parts` into a `ForecastStream`, which writes each metric
     from a thread while the next is computed.
Every round starts from empty ml_forecasts / ml_predictions (the fleet run's first write of the day).
Prints, per round and path: wall, CPU of this process (all threads) and CPU of the Postgres backends that
wrote (/proc, when the server is local), then best and median.

    python benchmarks/bench_forecast_step.py [--accounts 1000] [--rounds 5] [--ref main] [--url URL]

`--url` reuses a database that already holds the demo fleet of --accounts accounts (seed 11, 90 days);
without it one is created (~20 s for 1,000 accounts) and left for the next call.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from collections.abc import Callable

import polars as pl
import sqlalchemy as sa
from bench_env import DEFAULT_SERVER, fresh_database
from bench_writer import backend_cpu, module_at


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ref", default="main", help="the commit whose fleet.py and writer.py are 'old'")
    parser.add_argument("--url", help="a database with the demo fleet already loaded")
    parser.add_argument("--server", default=DEFAULT_SERVER)
    args = parser.parse_args()

    from famachat_ml_pipeline.core.forecasting import OUTPUT_SCHEMA, forecast_fleet_parts
    from famachat_ml_pipeline.db import writer
    from famachat_ml_pipeline.db.engine import get_engine, migrate
    from famachat_ml_pipeline.demo.generator import generate_demo
    from famachat_ml_pipeline.demo.loader import write_demo
    from famachat_ml_pipeline.source.read import read_daily_insights

    url = args.url
    if url is None:
        url = fresh_database(args.server, f"fcml_bench_fcstep_{args.accounts}")
        migrate(url)
        write_demo(get_engine(url), generate_demo(n_accounts=args.accounts, days=90, seed=11))
    engine = get_engine(url)
    ids = list(range(1, args.accounts + 1))
    # the demo's latest complete day (generate_demo's default end_date)
    as_of = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).date() - dt.timedelta(days=1)
    daily = read_daily_insights(engine, ids, as_of).daily
    old_fleet = module_at(args.ref, "famachat_ml_pipeline/core/forecasting/fleet.py")
    old_writer = module_at(args.ref, "famachat_ml_pipeline/db/writer.py")

    def old() -> pl.DataFrame:
        fc = old_fleet.forecast_fleet(daily, as_of)
        old_writer.replace_forecasts(engine, fc, ids, as_of, "forecast-1")
        return fc

    def new() -> pl.DataFrame:  # the body of defs/forecasts/assets.py::campaign_forecasts
        parts: list[pl.DataFrame] = []
        with writer.ForecastStream(engine, ids, as_of, "forecast-1", 7) as stream:
            for part in forecast_fleet_parts(daily, as_of):
                stream.write(part)
                parts.append(part)
            stream.commit()
        return pl.concat(parts) if parts else pl.DataFrame(schema=OUTPUT_SCHEMA)

    print(
        f"{args.accounts:,} accounts, {daily.height:,} campaign-days, as of {as_of}; {args.rounds} rounds "
        f"alternating old ({args.ref}) / new (this tree); load average {os.getloadavg()[0]:.1f}"
    )
    results: dict[str, list[tuple[float, float, float]]] = {"old": [], "new": []}
    for r in range(args.rounds):
        for label, fn in (("old", old), ("new", new)):
            results[label].append(timed(engine, fn))
            w, c, s = results[label][-1]
            print(
                f"  round {r + 1} {label}: wall {w:6.2f} s  CPU {c:6.2f} s  server CPU {s:6.2f} s", flush=True
            )
    for i, name in enumerate(("wall", "CPU", "server CPU")):
        o = [x[i] for x in results["old"]]
        n = [x[i] for x in results["new"]]
        print(
            f"{name:<11} old best {min(o):6.2f} median {statistics.median(o):6.2f} | new best {min(n):6.2f} "
            f"median {statistics.median(n):6.2f} | old - new (median) "
            f"{statistics.median(o) - statistics.median(n):5.2f}"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}; database {sa.engine.make_url(url).database} kept")


def server_cpu(engine: sa.Engine) -> float:
    """utime + stime of every backend of this database (the stream writes on a connection of its own)."""
    with engine.connect() as conn:
        pids = conn.execute(
            sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        return sum(backend_cpu(p) for p in pids)


def timed(engine: sa.Engine, fn: Callable[[], object]) -> tuple[float, float, float]:
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE ml_forecasts, ml_predictions")
    server, cpu, wall = server_cpu(engine), time.process_time(), time.perf_counter()
    fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, server_cpu(engine) - server


if __name__ == "__main__":
    main()
