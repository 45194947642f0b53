"""The forecast writer's delete of one day's predictions as ml_predictions grows, without and with the
made-on index (migration 0004): prints seconds for each and the ratio.

    .venv/bin/python benchmarks/bench_predictions_delete.py [--days 30] [--per-day 238000] [--server URL]

Fills a fresh Postgres database with `--days` forecast origins of `--per-day` predictions each (1,000
accounts' worth by default: 14k campaigns x 2 metrics x ~8.5 horizon days), then times the run's DELETE of
the newest origin (the same statement `replace_forecasts` runs, rolled back) with the index dropped and with
it; best of 3 each. Drops its database at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import sqlalchemy as sa
from bench_env import DEFAULT_SERVER, drop_database, fresh_database

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.db.reader import made_on

HORIZON = 7
ACCOUNTS = 1000


def _fill(engine: sa.Engine, days: int, per_day: int, newest: dt.date) -> None:
    per_origin = per_day // HORIZON
    with engine.begin() as conn:
        for d in range(days):
            origin = newest - dt.timedelta(days=d)
            conn.execute(
                sa.text("""
                INSERT INTO ml_predictions (config_id, entity_type, entity_id, prediction_type, forecast_date,
                                            horizon_days, predicted_value)
                SELECT 1 + i % :accounts, 'campaign', 'c' || i, 'SPEND_FORECAST',
                       CAST(:origin AS timestamp) + h * interval '1 day', h, 1.0
                FROM generate_series(1, :n) AS i, generate_series(1, :horizon) AS h"""),
                {"accounts": ACCOUNTS, "origin": origin, "n": per_origin, "horizon": HORIZON},
            )
        conn.exec_driver_sql("ANALYZE ml_predictions")


def _time_delete(engine: sa.Engine, as_of: dt.date, repeats: int = 3) -> tuple[float, int]:
    p = schema.ml_predictions
    stmt = p.delete().where(p.c.config_id.in_(list(range(1, ACCOUNTS + 1))), made_on(as_of))
    best, deleted = float("inf"), 0
    for _ in range(repeats):
        with engine.connect() as conn:
            tx = conn.begin()
            start = time.perf_counter()
            deleted = conn.execute(stmt).rowcount
            best = min(best, time.perf_counter() - start)
            tx.rollback()
    return best, deleted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=238_000)
    parser.add_argument("--server", default=DEFAULT_SERVER)
    args = parser.parse_args()
    url = fresh_database(args.server, "fcml_bench_pred_delete")
    try:
        migrate(url)
        engine = get_engine(url)
        newest = dt.date(2026, 11, 1)
        start = time.perf_counter()
        _fill(engine, args.days, args.per_day, newest)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT count(*) FROM ml_predictions")).scalar_one()
        filled = time.perf_counter() - start
        print(f"ml_predictions: {rows:,} rows ({args.days} origins) filled in {filled:.1f} s")
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP INDEX ix_ml_predictions_made_on")
        without, n = _time_delete(engine, newest)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE INDEX ix_ml_predictions_made_on ON ml_predictions (forecast_date, horizon_days)"
            )
            conn.exec_driver_sql("ANALYZE ml_predictions")
        with_index, n2 = _time_delete(engine, newest)
        assert n == n2
        print(
            f"DELETE of the newest origin's {n:,} rows: {without:.3f} s without the index, "
            f"{with_index:.3f} s with it ({without / with_index:.1f}x)"
        )
        engine.dispose()
    finally:
        drop_database(args.server, url)


if __name__ == "__main__":
    main()
