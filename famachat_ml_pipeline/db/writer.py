"""The one place that writes results into the ml_* tables.

Each write replaces one run's slice (accounts x day) inside a single transaction, so a re-run never
duplicates rows and a failure leaves the previous results in place. On Postgres, rows go in by COPY.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa

from famachat_ml_pipeline.db import schema


def _python_rows(frame: pl.DataFrame) -> list[tuple]:
    return [tuple(r) for r in frame.iter_rows()]


def bulk_insert(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> int:
    """Insert every row of `frame` (columns named as the table's) on the caller's transaction."""
    if frame.is_empty():
        return 0
    cols = frame.columns
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as cp:
            for row in frame.iter_rows():
                cp.write_row(row)
    else:
        json_cols = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
        # SQLite's JSON column expects Python objects; our frames carry JSON text already.
        rows = [dict(zip(cols, r, strict=True)) for r in frame.iter_rows()]
        for r in rows:
            for c in json_cols & r.keys():
                if isinstance(r[c], str):
                    r[c] = json.loads(r[c])
        conn.execute(table.insert(), rows)
    return frame.height


def _as_timestamp(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def replace_features(
    engine: sa.Engine, features: pl.DataFrame, config_ids: Sequence[int], feature_date: dt.date
) -> int:
    """ml_features for these accounts and day: delete then insert, in one transaction."""
    t = schema.ml_features
    ts = _as_timestamp(feature_date)
    rows = features.select(
        "config_id", "campaign_id", "window_days", pl.lit(ts).alias("feature_date"), "features",
        "insufficient_data",
    )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(t.delete().where(t.c.config_id.in_(list(config_ids)), t.c.feature_date == ts))
        return bulk_insert(conn, t, rows)
