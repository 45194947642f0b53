"""A batch of ASSET_MATERIALIZATION events into Dagster's Postgres tables by COPY, same rows as Dagster's own.

dagster-postgres stores a batch (DAGSTER_EVENT_BATCH_SIZE events, one step's partitions) as one multi-VALUES
INSERT ... RETURNING id that SQLAlchemy compiles and psycopg2 interpolates (~2 MB of SQL for 1,000 events),
then the asset_event_tags rows as an executemany. Here the same rows, built by Dagster's own helpers
(`_event_to_row`, `_tags_for_asset_event`, `_event_insert_timestamp`), go in by COPY. COPY returns no ids,
so the batch's ids are drawn from event_logs' own sequence first, in one statement, and given to the events
in order (ascending, as the INSERT's would be); ids drawn by other writers meanwhile cannot collide.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

EVENT_COLUMNS = (
    "id",
    "run_id",
    "event",
    "dagster_event_type",
    "timestamp",
    "step_key",
    "asset_key",
    "partition",
)
TAG_COLUMNS = ("event_id", "asset_key", "key", "value", "event_timestamp")

# COPY's text format: backslash first, then the characters that would end a field or a row
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value).translate(_ESCAPES)


def copy_text(rows: Iterable[Sequence[Any]]) -> bytes:
    return "".join("\t".join(map(copy_field, row)) + "\n" for row in rows).encode()


def reserve_ids(conn: sa.Connection, table: str, n: int) -> list[int]:
    """n fresh values of the table's id sequence, ascending."""
    rows = conn.exec_driver_sql(
        "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id')) FROM generate_series(1, %(n)s) ORDER BY 1",
        {"table": table, "n": n},
    )
    return [int(r[0]) for r in rows]


def copy_rows(conn: sa.Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """COPY the rows in through the connection's driver (psycopg2, as dagster-postgres; or psycopg 3)."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    data = copy_text(rows)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if hasattr(cursor, "copy_expert"):  # psycopg2
            cursor.copy_expert(sql, io.BytesIO(data))
        else:
            with cursor.copy(sql) as copy:
                copy.write(data)
    finally:
        cursor.close()
