"""The writers' delete of one day's ml_features and ml_forecasts rows as the tables grow, without and with
the day indexes of migration 0006: prints seconds for each and the ratio.

    .venv/bin/python benchmarks/bench_day_deletes.py [--days 30] [--server URL]

Fills a fresh Postgres database with `--days` days of a 1,000-account fleet's rows (35,619 ml_features rows
a day with a ~700-byte features JSON, 34,265 ml_forecasts rows with a ~600-byte predictions JSON, as the
daily run writes at 1,000 accounts), then times the DELETE of the newest day that `replace_features` and
`replace_forecasts` run (the same statements, rolled back) with the index dropped and with it; best of 3
each. Drops its database at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time

import sqlalchemy as sa
from bench_env import DEFAULT_SERVER, drop_database, fresh_database

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine, migrate

ACCOUNTS = 1000
FEATURES_PER_DAY = 35_619
FORECASTS_PER_DAY = 34_265
FEATURES_JSON = json.dumps({f"feature_{i}_7d": 1234.5678 + i for i in range(30)})
PREDICTIONS_JSON = json.dumps(
    [{"date": f"2026-11-{d}", "value": 12.3, "lower": 8.1, "upper": 17.9} for d in range(22, 29)]
)
# name, table, its day column, rows a day, the insert of one day's rows
TABLES = (
    (
        "ix_ml_features_feature_date",
        schema.ml_features,
        "feature_date",
        FEATURES_PER_DAY,
        """INSERT INTO ml_features (config_id, campaign_id, window_days, feature_date, features)
           SELECT 1 + i % :accounts, 'c' || (i / 3), 7 * (1 + i % 3), CAST(:day AS timestamp),
                  CAST(:payload AS json)
           FROM generate_series(1, :n) AS i""",
        FEATURES_JSON,
    ),
    (
        "ix_ml_forecasts_forecast_date",
        schema.ml_forecasts,
        "forecast_date",
        FORECASTS_PER_DAY,
        """INSERT INTO ml_forecasts (config_id, entity_type, entity_id, target_metric, method, predictions,
                                     forecast_date)
           SELECT 1 + i % :accounts, 'campaign', 'c' || (i / 3), 'SPEND', 'auto', CAST(:payload AS json),
                  CAST(:day AS timestamp)
           FROM generate_series(1, :n) AS i""",
        PREDICTIONS_JSON,
    ),
)


def _fill(engine: sa.Engine, days: int, newest: dt.date) -> None:
    with engine.begin() as conn:
        for _, table, _, per_day, insert, payload in TABLES:
            for d in range(days):
                day = newest - dt.timedelta(days=d)
                conn.execute(
                    sa.text(insert), {"accounts": ACCOUNTS, "day": day, "n": per_day, "payload": payload}
                )
            conn.exec_driver_sql(f"ANALYZE {table.name}")


def _time_delete(engine: sa.Engine, table: sa.Table, column: str, day: dt.date, repeats: int = 3) -> float:
    ts = dt.datetime.combine(day, dt.time())
    stmt = table.delete().where(table.c.config_id.in_(list(range(1, ACCOUNTS + 1))), table.c[column] == ts)
    best = float("inf")
    for _ in range(repeats):
        with engine.connect() as conn:
            tx = conn.begin()
            start = time.perf_counter()
            conn.execute(stmt)
            best = min(best, time.perf_counter() - start)
            tx.rollback()
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--server", default=DEFAULT_SERVER)
    a = p.parse_args()
    url = fresh_database(a.server, "fcml_bench_day_deletes")
    try:
        migrate(url)
        engine = get_engine(url)
        newest = dt.date(2026, 11, 28)
        _fill(engine, a.days, newest)
        for index, table, column, per_day, _, _ in TABLES:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP INDEX {index}")
                conn.exec_driver_sql(f"ANALYZE {table.name}")
            without = _time_delete(engine, table, column, newest)
            with engine.begin() as conn:
                conn.exec_driver_sql(f"CREATE INDEX {index} ON {table.name} ({column})")
                conn.exec_driver_sql(f"ANALYZE {table.name}")
            with_index = _time_delete(engine, table, column, newest)
            print(
                f"{table.name}: {a.days * per_day:,} rows ({a.days} days), DELETE of the newest day's "
                f"{per_day:,}: {without:.3f} s without {index}, {with_index:.3f} s with it "
                f"({without / with_index:.1f}x)"
            )
        engine.dispose()
    finally:
        drop_database(a.server, url)


if __name__ == "__main__":
    main()
