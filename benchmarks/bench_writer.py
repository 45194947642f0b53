"""Writer micro-benchmark on Postgres.

`--section copy` (default): the same frames written by the old row-by-row COPY (`write_row`) and by the
one-stream CSV COPY, and updated by the old UPDATE executemany and the new UPDATE ... FROM a COPY-loaded
temp table. Prints seconds (best of --repeat) and the ratio old / new.

`--section forecasts`: the campaign_forecasts write (`replace_forecasts`, ml_forecasts + ml_predictions),
the campaign_features write (`replace_features`) and the forecast_accuracy compute (`score_predictions`)
of the code at `--ref` (loaded from git) against this tree's, alternating old/new for `--rounds` rounds,
on the frames of an N-account demo fleet. For the writes: wall, client CPU and the Postgres backend's CPU
(/proc/<pid>/stat, when the server is local), the first write of the day (tables emptied) and a re-run
(the day's rows replaced). Best, median, ratio of the medians.

    python benchmarks/bench_writer.py [--section copy|forecasts] [--accounts 300] [--repeat 3]
                                      [--rounds 5] [--ref d723d53] [--server postgresql://...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import statistics
import subprocess
import time
import types
import uuid
from collections.abc import Callable

import polars as pl
import sqlalchemy as sa
from bench_env import fresh_database


def best(repeat: int, setup: Callable[[], None], run: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        setup()
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--server", default=os.environ.get("TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
    )
    parser.add_argument("--section", choices=["copy", "forecasts", "actuals"], default="copy")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ref", default="d723d53", help="the commit whose writer and accuracy are 'old'")
    args = parser.parse_args()

    from famachat_ml_pipeline.core.features import compute_features
    from famachat_ml_pipeline.core.forecasting import forecast_fleet
    from famachat_ml_pipeline.core.vocab import PREDICTION_TYPE_OF
    from famachat_ml_pipeline.db import schema, writer
    from famachat_ml_pipeline.db.engine import get_engine, migrate
    from famachat_ml_pipeline.db.writer import feature_rows
    from famachat_ml_pipeline.demo.generator import generate_demo
    from famachat_ml_pipeline.demo.loader import write_demo
    from famachat_ml_pipeline.source.read import read_daily_insights

    url = fresh_database(args.server, f"fcml_bench_writer_{uuid.uuid4().hex[:6]}")
    migrate(url)
    engine = get_engine(url)
    data = generate_demo(n_accounts=args.accounts, days=90, seed=11)
    write_demo(engine, data)
    as_of = data.end_date
    daily = read_daily_insights(engine, list(range(1, args.accounts + 1)), as_of).daily
    if args.section == "actuals":
        actuals_section(engine, daily, as_of, args)
        print(f"database {sa.engine.make_url(url).database} left for inspection; drop it when done")
        return
    if args.section == "forecasts":
        forecasts_section(engine, daily, as_of, args)
        print(f"database {sa.engine.make_url(url).database} left for inspection; drop it when done")
        return

    # the frames the writers COPY: ml_features (JSON text) and ml_predictions (the largest table)
    features = feature_rows(compute_features(daily, as_of), as_of)
    predictions = forecast_fleet(daily, as_of).select(
        "config_id",
        pl.lit("campaign").alias("entity_type"),
        "entity_id",
        pl.col("metric").replace_strict(PREDICTION_TYPE_OF).alias("prediction_type"),
        pl.col("target_date").cast(pl.Datetime("us")).alias("forecast_date"),
        pl.col("horizon_day").alias("horizon_days"),
        "predicted_value",
        "confidence_lower",
        "confidence_upper",
    )
    print(f"{args.accounts:,} accounts; best of {args.repeat}; Postgres {args.server}")
    print(f"{'':<34}{'rows':>10}{'old s':>9}{'new s':>9}{'old/new':>9}")

    def truncate(table: str) -> Callable[[], None]:
        def run() -> None:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"TRUNCATE {table}")

        return run

    def insert(copy: Callable, table: sa.Table, frame: pl.DataFrame) -> Callable[[], None]:
        def run() -> None:
            with engine.begin() as conn, conn.connection.driver_connection.cursor() as cur:
                copy(cur, table.name, frame)

        return run

    for table, frame in ((schema.ml_features, features), (schema.ml_predictions, predictions)):
        old = best(args.repeat, truncate(table.name), insert(writer.copy_rows, table, frame))
        new = best(args.repeat, truncate(table.name), insert(writer.copy_csv, table, frame))
        print(f"{'INSERT ' + table.name:<34}{frame.height:>10,}{old:9.2f}{new:9.2f}{old / new:9.1f}")

    # UPDATE: fill actuals on every prediction by id (what forecast_accuracy writes), old vs new
    p = schema.ml_predictions
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(sa.select(p.c.id).order_by(p.c.id))]
    n = len(ids)
    updates = pl.DataFrame(
        {
            "id": ids,
            "actual_value": [float(i % 97) for i in range(n)],
            "absolute_error": [float(i % 13) / 7 for i in range(n)],
            "percentage_error": [None if i % 5 == 0 else float(i % 11) / 3 for i in range(n)],
        }
    )

    def old_update() -> None:  # the writer's code before: an executemany of one UPDATE per row
        stmt = (
            p.update()
            .where(p.c.id == sa.bindparam("_id"))
            .values(
                actual_value=sa.bindparam("actual_value"),
                absolute_error=sa.bindparam("absolute_error"),
                percentage_error=sa.bindparam("percentage_error"),
            )
        )
        params = [
            {
                "_id": r["id"],
                "actual_value": r["actual_value"],
                "absolute_error": r["absolute_error"],
                "percentage_error": r["percentage_error"],
            }
            for r in updates.iter_rows(named=True)
        ]
        with engine.begin() as conn:
            conn.execute(stmt, params)

    def new_update() -> None:
        with engine.begin() as conn:
            writer.update_rows(conn, p, updates, ["id"])

    def reset() -> None:
        with engine.begin() as conn:
            conn.execute(p.update().values(actual_value=None, absolute_error=None, percentage_error=None))

    old = best(args.repeat, reset, old_update)
    new = best(args.repeat, reset, new_update)
    print(f"{'UPDATE ml_predictions (by id)':<34}{n:>10,}{old:9.2f}{new:9.2f}{old / new:9.1f}")
    print(f"database {sa.engine.make_url(url).database} left for inspection; drop it when done")


def module_at(ref: str, path: str) -> types.ModuleType:
    """The module at `path` as of commit `ref` (its imports resolve to this tree's other modules)."""
    source = subprocess.run(
        ["git", "show", f"{ref}:{path}"], capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType(f"{ref}_{path.replace('/', '_')}")
    exec(compile(source, f"{ref}:{path}", "exec"), module.__dict__)  # noqa: S102 - our own code, at a commit
    return module


def backend_cpu(pid: int) -> float:
    """utime + stime of a Postgres backend in seconds (nan when the server is not on this machine)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summary(label: str, old: list[float], new: list[float]) -> None:
    o, n = (min(old), statistics.median(old)), (min(new), statistics.median(new))
    ratio = o[1] / n[1] if n[1] else float("nan")
    print(
        f"  {label:<12} old best {o[0]:6.3f} median {o[1]:6.3f} | new best {n[0]:6.3f} median {n[1]:6.3f}"
        f" | old/new (median) {ratio:4.2f}"
    )


def forecasts_section(
    engine: sa.Engine, daily: pl.DataFrame, as_of: dt.date, args: argparse.Namespace
) -> None:
    """replace_forecasts and score_predictions, old (--ref) vs new (this tree), alternating."""
    from famachat_ml_pipeline.core import accuracy
    from famachat_ml_pipeline.core.features import compute_features
    from famachat_ml_pipeline.core.forecasting import forecast_fleet
    from famachat_ml_pipeline.db import writer
    from famachat_ml_pipeline.db.reader import read_predictions

    old_writer = module_at(args.ref, "famachat_ml_pipeline/db/writer.py")
    old_accuracy = module_at(args.ref, "famachat_ml_pipeline/core/accuracy.py")
    ids = list(range(1, args.accounts + 1))
    fc = forecast_fleet(daily, as_of)
    engine = sa.create_engine(engine.url, pool_size=1, max_overflow=0)  # one backend, to read its CPU
    with engine.connect() as conn:
        pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    print(
        f"{args.accounts:,} accounts: {fc.height:,} predicted days, "
        f"{fc.select('config_id', 'entity_id', 'metric').n_unique():,} forecasts; {args.rounds} rounds "
        f"alternating old ({args.ref}) / new (this tree); load average {os.getloadavg()[0]:.1f}"
    )

    def empty() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE ml_forecasts, ml_predictions, ml_features")

    def timed(fn: Callable[[], object]) -> tuple[float, float, float]:
        cpu, server, wall = time.process_time(), backend_cpu(pid), time.perf_counter()
        fn()
        return time.perf_counter() - wall, time.process_time() - cpu, backend_cpu(pid) - server

    features = compute_features(daily, as_of)
    writes = {
        "replace_forecasts": lambda w: w.replace_forecasts(engine, fc, ids, as_of, "forecast-1"),
        "replace_features": lambda w: w.replace_features(engine, features, ids, as_of),
    }
    for (write, call), scenario in itertools.product(writes.items(), ("first write of the day", "re-run")):
        results: dict[str, list[tuple[float, float, float]]] = {"old": [], "new": []}
        for _ in range(args.rounds):
            for label, module in (("old", old_writer), ("new", writer)):
                empty()
                if scenario == "re-run":  # the day's rows are there: the write replaces them
                    call(writer)
                results[label].append(timed(lambda m=module, c=call: c(m)))
        print(f"{write}, {scenario}: seconds")
        for i, name in enumerate(("wall", "client CPU", "server CPU")):
            summary(name, [r[i] for r in results["old"]], [r[i] for r in results["new"]])

    # score_predictions: nothing due yet (the fleet's first forecast day), then a week of origins due
    writer.replace_forecasts(engine, fc, ids, as_of, "forecast-1")
    week = read_predictions(engine, ids, as_of, as_of + dt.timedelta(days=7))
    due = pl.concat(
        [week.with_columns(pl.col("forecast_date") - dt.timedelta(days=7 + k)) for k in range(7)]
    ).with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("id"))
    for label, predictions in (("nothing due", week.head(0)), (f"{due.height:,} due", due)):
        cpu: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(args.rounds):
            for name, module in (("old", old_accuracy), ("new", accuracy)):
                start = time.process_time()
                module.score_predictions(predictions, daily)
                cpu[name].append(time.process_time() - start)
        print(f"score_predictions, {label}: CPU seconds (polars threads included)")
        summary("CPU", cpu["old"], cpu["new"])
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def actuals_section(engine: sa.Engine, daily: pl.DataFrame, as_of: dt.date, args: argparse.Namespace) -> None:
    """fill_prediction_actuals of one day's predictions (7 origins of history in ml_predictions), with
    ml_predictions at fillfactor 100 (before migration 0005) and 85 (after), alternating."""
    from famachat_ml_pipeline.core.forecasting import forecast_fleet
    from famachat_ml_pipeline.db import writer

    ids = list(range(1, args.accounts + 1))
    fc = forecast_fleet(daily, as_of)
    cols = (
        "config_id, entity_type, entity_id, prediction_type, forecast_date, horizon_days, predicted_value,"
        " confidence_lower, confidence_upper"
    )
    shifted = cols.replace("forecast_date,", "forecast_date - k * interval '1 day',")
    day = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())  # predicted by all 7 origins
    stats = "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'ml_predictions'"

    def fill(fillfactor: int) -> tuple[float, int, int]:
        with engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE ml_predictions, ml_forecasts")
            conn.exec_driver_sql(f"ALTER TABLE ml_predictions SET (fillfactor = {fillfactor})")
        writer.replace_forecasts(engine, fc, ids, as_of, "forecast-1")
        with engine.begin() as conn:  # 6 earlier origins: the same rows, dated k days back
            origins = "generate_series(1, 6) k"
            conn.exec_driver_sql(
                f"INSERT INTO ml_predictions ({cols}) SELECT {shifted} FROM ml_predictions, {origins}"
            )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE ml_predictions")
            rows = conn.execute(
                sa.text("SELECT id, predicted_value FROM ml_predictions WHERE forecast_date = :d"), {"d": day}
            ).fetchall()
            before = conn.exec_driver_sql(stats).one()
        updates = pl.DataFrame(
            {
                "id": [r[0] for r in rows],
                "actual_value": [r[1] + 1.0 for r in rows],
                "absolute_error": [1.0] * len(rows),
                "percentage_error": [None] * len(rows),
            },
            schema_overrides={"percentage_error": pl.Float64},
        )
        start = time.perf_counter()
        writer.fill_prediction_actuals(engine, updates)
        seconds = time.perf_counter() - start
        time.sleep(1.5)  # Postgres publishes a backend's table statistics at most once a second
        with engine.connect() as conn:
            after = conn.exec_driver_sql(stats).one()
        return seconds, after[0] - before[0], after[1] - before[1]

    print(
        f"{args.accounts:,} accounts: one day's actuals over 7 origins of predictions; {args.rounds} rounds "
        f"alternating fillfactor 100 / 85; load average {os.getloadavg()[0]:.1f}"
    )
    results: dict[int, list[tuple[float, int, int]]] = {100: [], 85: []}
    for _ in range(args.rounds):
        for fillfactor in results:
            results[fillfactor].append(fill(fillfactor))
    for fillfactor, runs in results.items():
        walls = [r[0] for r in runs]
        print(
            f"  fillfactor {fillfactor:>3}: {runs[-1][1]:,} rows updated, {runs[-1][2]:,} of them HOT; "
            f"wall best {min(walls):.2f} s median {statistics.median(walls):.2f} s"
        )
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE ml_predictions SET (fillfactor = 85)")  # as migrated
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
