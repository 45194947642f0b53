"""The writers' delete of one day's rows as ml_predictions, ml_features and ml_forecasts grow, without and
with the day indexes of migrations 0004 and 0006: prints seconds for each and the ratio.

    .venv/bin/python benchmarks/bench_day_deletes.py [--days 30] [--server URL]

Fills a fresh Postgres database with `--days` days of a 1,000-account fleet's rows, as the daily run writes
them at 1,000 accounts: 238,000 ml_predictions rows a day (7 horizon days per series), 35,619 ml_features
rows with a ~700-byte features JSON, 34,265 ml_forecasts rows with a ~500-byte predictions JSON. Then times
the DELETE of the newest day that `replace_forecasts` and `replace_features` run (the same statements,
rolled back) with the table's day index dropped and with it; best of 3 each. Drops its database at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from bench_env import DEFAULT_SERVER, drop_database, fresh_database

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.db.reader import made_on

ACCOUNTS = 1000
HORIZON = 7


def _on_day(column: sa.Column) -> Callable[[dt.date], sa.ColumnElement[bool]]:
    return lambda day: column == dt.datetime.combine(day, dt.time())


@dataclass(frozen=True)
class DayTable:
    table: sa.Table
    index: str
    index_columns: str
    per_day: int
    insert: str  # one day's rows, from generate_series
    payload: str  # the JSON column's value ("" where there is none)
    day_rows: Callable[[dt.date], sa.ColumnElement[bool]]  # the writer's "rows of this day"


TABLES = (
    DayTable(
        schema.ml_predictions,
        "ix_ml_predictions_made_on",
        "forecast_date, horizon_days",
        238_000,
        """INSERT INTO ml_predictions (config_id, entity_type, entity_id, prediction_type, forecast_date,
                                       horizon_days, predicted_value)
           SELECT 1 + i % :accounts, 'campaign', 'c' || i, 'SPEND_FORECAST',
                  CAST(:day AS timestamp) + h * interval '1 day', h, 1.0
           FROM generate_series(1, :n / 7) AS i, generate_series(1, 7) AS h""",
        "",
        made_on,
    ),
    DayTable(
        schema.ml_features,
        "ix_ml_features_feature_date",
        "feature_date",
        35_619,
        """INSERT INTO ml_features (config_id, campaign_id, window_days, feature_date, features)
           SELECT 1 + i % :accounts, 'c' || (i / 3), 7 * (1 + i % 3), CAST(:day AS timestamp),
                  CAST(:payload AS json)
           FROM generate_series(1, :n) AS i""",
        json.dumps({f"feature_{i}_7d": 1234.5678 + i for i in range(30)}),
        _on_day(schema.ml_features.c.feature_date),
    ),
    DayTable(
        schema.ml_forecasts,
        "ix_ml_forecasts_forecast_date",
        "forecast_date",
        34_265,
        """INSERT INTO ml_forecasts (config_id, entity_type, entity_id, target_metric, method, predictions,
                                     forecast_date)
           SELECT 1 + i % :accounts, 'campaign', 'c' || (i / 3), 'SPEND', 'auto', CAST(:payload AS json),
                  CAST(:day AS timestamp)
           FROM generate_series(1, :n) AS i""",
        json.dumps(
            [{"date": f"2026-11-{d}", "value": 12.3, "lower": 8.1, "upper": 17.9} for d in range(22, 29)]
        ),
        _on_day(schema.ml_forecasts.c.forecast_date),
    ),
)


def _fill(engine: sa.Engine, t: DayTable, days: int, newest: dt.date) -> int:
    with engine.begin() as conn:
        for d in range(days):
            day = newest - dt.timedelta(days=d)
            params = {"accounts": ACCOUNTS, "day": day, "n": t.per_day, "payload": t.payload}
            conn.execute(sa.text(t.insert), params)
        conn.exec_driver_sql(f"ANALYZE {t.table.name}")
        return conn.execute(sa.select(sa.func.count()).select_from(t.table)).scalar_one()


def _time_delete(engine: sa.Engine, t: DayTable, day: dt.date, repeats: int = 3) -> tuple[float, int]:
    stmt = t.table.delete().where(t.table.c.config_id.in_(list(range(1, ACCOUNTS + 1))), t.day_rows(day))
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
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--server", default=DEFAULT_SERVER)
    a = p.parse_args()
    url = fresh_database(a.server, "fcml_bench_day_deletes")
    try:
        migrate(url)
        engine = get_engine(url)
        newest = dt.date(2026, 11, 28)
        for t in TABLES:
            rows = _fill(engine, t, a.days, newest)
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP INDEX {t.index}")
                conn.exec_driver_sql(f"ANALYZE {t.table.name}")
            without, n = _time_delete(engine, t, newest)
            with engine.begin() as conn:
                conn.exec_driver_sql(f"CREATE INDEX {t.index} ON {t.table.name} ({t.index_columns})")
                conn.exec_driver_sql(f"ANALYZE {t.table.name}")
            with_index, n2 = _time_delete(engine, t, newest)
            assert n == n2 > 0
            print(
                f"{t.table.name}: {rows:,} rows ({a.days} days), DELETE of the newest day's {n:,}: "
                f"{without:.3f} s without {t.index}, {with_index:.3f} s with it ({without / with_index:.1f}x)"
            )
        engine.dispose()
    finally:
        drop_database(a.server, url)


if __name__ == "__main__":
    main()
