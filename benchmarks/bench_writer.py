"""Writer micro-benchmark on Postgres: the same frames written by the old row-by-row COPY (`write_row`) and
by the new one-stream CSV COPY, and updated by the old UPDATE executemany and the new UPDATE ... FROM a
COPY-loaded temp table. Prints seconds (best of --repeat) and the ratio old / new.

    python benchmarks/bench_writer.py [--accounts 300] [--repeat 3] [--server postgresql://...]
"""

from __future__ import annotations

import argparse
import os
import time
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


if __name__ == "__main__":
    main()
