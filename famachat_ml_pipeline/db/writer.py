"""The one place that writes results into the ml_* tables.

Each write replaces one run's slice (accounts x day) inside a single transaction, so a re-run never
duplicates rows and a failure leaves the previous results in place. On Postgres, rows go in by COPY.

On Postgres every write transaction waits at most WRITE_LOCK_TIMEOUT_SECONDS (default 60) for a lock on an
ml_* table or row (`write_transaction`): a FamaChat transaction left open on a row we update would
otherwise stall the run, and with it the one-at-a-time run queue, for good. The run fails instead, with
WriteLockTimeout's message, and is alerted; the previous rows stay.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import queue
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import polars as pl
import psycopg
import psycopg.errors
import sqlalchemy as sa

from famachat_ml_pipeline.core.forecasting import OUTPUT_SCHEMA
from famachat_ml_pipeline.core.recommendations import (
    INSERT_COLUMNS,
    UPDATE_COLUMNS,
    RecommendationConfig,
    reconcile,
)
from famachat_ml_pipeline.core.tiers import tier_change_direction
from famachat_ml_pipeline.core.vocab import PREDICTION_TYPE_OF
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.anomaly_inputs import anomaly_inputs
from famachat_ml_pipeline.db.reader import made_on, read_recommendations

_NULL = r"\N"  # COPY's NULL marker: unquoted, so an empty string ("") stays an empty string
_COPY_CHUNK_ROWS = 200_000  # bounds the CSV buffer held in memory at once


def _nested(frame: pl.DataFrame) -> bool:
    return any(dtype.is_nested() or dtype == pl.Object for dtype in frame.dtypes)


def csv_for_copy(frame: pl.DataFrame) -> bytes:
    """`frame` as the CSV that `COPY ... (FORMAT csv, NULL '\\N')` reads back to the same values.

    Strings are always quoted (a literal `\\N` stays text, "" stays empty), floats are written in
    shortest round-trip form (inf and NaN as Postgres spells them), aware timestamps in UTC.
    """
    aware = [c for c, t in frame.schema.items() if isinstance(t, pl.Datetime) and t.time_zone is not None]
    if aware:
        frame = frame.with_columns(pl.col(c).dt.convert_time_zone("UTC") for c in aware)
    buf = io.BytesIO()
    frame.write_csv(buf, include_header=False, null_value=_NULL, quote_style="non_numeric")
    return buf.getvalue()


def copy_rows(cur: psycopg.Cursor, table: str, frame: pl.DataFrame) -> None:
    """The row-by-row COPY (psycopg adapts each Python value): kept for nested columns (arrays)."""
    with cur.copy(f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN") as cp:
        for row in frame.iter_rows():
            cp.write_row(row)


def copy_csv(cur: psycopg.Cursor, table: str, frame: pl.DataFrame) -> None:
    """COPY `frame` into `table` as polars-written CSV, a few large writes instead of one per row."""
    statement = f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv, NULL '{_NULL}')"
    with cur.copy(statement) as cp:
        for chunk in frame.iter_slices(_COPY_CHUNK_ROWS):
            cp.write(csv_for_copy(chunk))


def bulk_insert(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> int:
    """Insert every row of `frame` (columns named as the table's) on the caller's transaction."""
    if frame.is_empty():
        return 0
    cols = frame.columns
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:
            (copy_rows if _nested(frame) else copy_csv)(cur, table.name, frame)
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


def update_rows(
    conn: sa.Connection,
    table: sa.Table,
    frame: pl.DataFrame,
    key: Sequence[str],
    guard: sa.ColumnElement[bool] | None = None,
) -> int:
    """Set the non-key columns of `frame` on the rows of `table` matching its `key` columns (and `guard`,
    checked in the statement). On Postgres one `UPDATE ... FROM` a temporary table loaded by COPY; on
    SQLite an executemany. Where a key repeats, the last row wins, as with an executemany."""
    if frame.is_empty():
        return 0
    height = frame.height
    values = [c for c in frame.columns if c not in key]
    if conn.dialect.name != "postgresql":
        stmt = table.update().where(*[table.c[k] == sa.bindparam(f"_k_{k}") for k in key])
        if guard is not None:
            stmt = stmt.where(guard)
        params = [
            {**{f"_k_{k}": row[k] for k in key}, **{c: _json_value(table.c[c], row[c]) for c in values}}
            for row in frame.iter_rows(named=True)
        ]
        conn.execute(stmt.values({c: sa.bindparam(c) for c in values}), params)
        return height
    frame = frame.unique(subset=list(key), keep="last", maintain_order=True)
    temp = f"_upd_{table.name}_{uuid.uuid4().hex[:8]}"
    cols = ", ".join(frame.columns)
    # the target's own column types (jsonb, enums, timestamp), without its constraints or defaults
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {cols} FROM {table.name} WITH NO DATA"
    )
    with conn.connection.driver_connection.cursor() as cur:
        copy_csv(cur, temp, frame)
    source = sa.table(temp, *[sa.column(c) for c in frame.columns])
    stmt = (
        table.update()
        .where(*[table.c[k] == source.c[k] for k in key])
        .values({c: source.c[c] for c in values})
    )
    if guard is not None:
        stmt = stmt.where(guard)
    conn.execute(stmt)
    conn.exec_driver_sql(f"DROP TABLE {temp}")
    return height


def _as_timestamp(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _lock(conn: sa.Connection, name: str) -> None:
    """Serialise writers of one table (the hourly and daily runs, a backfill) on Postgres: without it
    two delete-then-insert transactions on the same slice both delete nothing and both insert."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})


WRITE_LOCK_TIMEOUT_ENV = "WRITE_LOCK_TIMEOUT_SECONDS"
DEFAULT_WRITE_LOCK_TIMEOUT_SECONDS = 60


class WriteLockTimeout(RuntimeError):
    """A write waited longer than the lock timeout for a lock another transaction holds."""


def write_lock_timeout_seconds() -> int:
    """WRITE_LOCK_TIMEOUT_SECONDS (settings.py exports the validated value), else the default."""
    return int(os.environ.get(WRITE_LOCK_TIMEOUT_ENV) or DEFAULT_WRITE_LOCK_TIMEOUT_SECONDS)


@contextmanager
def write_transaction(engine: sa.Engine, lock: str | None = None) -> Iterator[sa.Connection]:
    """One write transaction: our writers' advisory lock `lock` first (unbounded: only our own writers
    take it, and each of them is bounded below), then, on Postgres, `SET LOCAL lock_timeout` for every
    later lock wait, so a lock held elsewhere fails the write with a clear message instead of hanging."""
    seconds = write_lock_timeout_seconds()
    try:
        with engine.begin() as conn:
            if lock is not None:
                _lock(conn, lock)
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{seconds}s'")
            yield conn
    except sa.exc.OperationalError as exc:
        if not isinstance(exc.orig, psycopg.errors.LockNotAvailable):
            raise
        raise WriteLockTimeout(
            f"ml_* write gave up after waiting {seconds}s ({WRITE_LOCK_TIMEOUT_ENV}) for a lock held by "
            f"another transaction (a FamaChat session left open?); nothing was written, the previous rows "
            f"stay. The holder: pg_stat_activity joined with pg_locks. Postgres: {exc.orig}".strip()
        ) from exc


def feature_rows(features: pl.DataFrame, feature_date: dt.date) -> pl.DataFrame:
    """The ml_features rows of computed features, as the writer COPYs them."""
    return features.select(
        "config_id",
        "campaign_id",
        "window_days",
        pl.lit(_as_timestamp(feature_date)).alias("feature_date"),
        "features",
        "insufficient_data",
    )


def replace_features(
    engine: sa.Engine, features: pl.DataFrame, config_ids: Sequence[int], feature_date: dt.date
) -> int:
    """ml_features for these accounts and day: delete then insert, in one transaction."""
    t = schema.ml_features
    ts = _as_timestamp(feature_date)
    rows = feature_rows(features, feature_date)
    with write_transaction(engine, t.name) as conn:
        conn.execute(t.delete().where(t.c.config_id.in_(list(config_ids)), t.c.feature_date == ts))
        return bulk_insert(conn, t, rows)


ANOMALY_KEY = ["config_id", "entity_type", "entity_id", "anomaly_type", "metric_name", "anomaly_date"]
_ANOMALY_VALUES = ["observed_value", "expected_value", "deviation_score", "severity"]


def _not_acknowledged(t: sa.Table) -> sa.ColumnElement[bool]:
    return t.c.is_acknowledged.is_not(True)


def _no_user_decision(t: sa.Table) -> sa.ColumnElement[bool]:
    return sa.and_(t.c.dismissed.is_not(True), t.c.was_applied.is_not(True))


def upsert_anomalies(
    engine: sa.Engine,
    anomalies: pl.DataFrame,
    config_ids: Sequence[int],
    days: Sequence[dt.date],
    *,
    campaigns: pl.DataFrame | None = None,
    inputs: pl.DataFrame | None = None,
    unknown_days: pl.DataFrame | None = None,
) -> dict[str, int]:
    """One row per (config_id, entity, type, metric, anomaly_date): insert new ones, update changed ones,
    and withdraw the ones that the current (restated) data no longer shows, unless a user acknowledged them.

    `unknown_days` (config_id, campaign_id, date): the campaign-days whose source row is set aside now.
    Their stored anomalies stay: unknown data does not show that the anomaly is gone (a sync that broke
    every row of an account withdrew all its anomalies).

    The slice is the accounts x days, or only `campaigns` (config_id, campaign_id) of them when the run
    re-detected those alone. `inputs` (core.anomalies.inputs.INPUTS_SCHEMA) replace the slice's stored
    fingerprints in the same transaction; without them the slice's fingerprints are dropped, so a later
    run never trusts a fingerprint of a detection this write replaced.

    Only detector-owned columns are ever updated; is_acknowledged, acknowledged_at/by and
    resolution_notes belong to FamaChat's users and are never written here.
    """
    t = schema.ml_anomalies
    stamps = [_as_timestamp(d) for d in days]
    new = anomalies.with_columns(pl.col("anomaly_date").cast(pl.Datetime("us")))
    with write_transaction(engine, t.name) as conn:
        _replace_anomaly_inputs(conn, config_ids, campaigns, inputs)
        if campaigns is not None and campaigns.is_empty():
            return {"inserted": 0, "updated": 0, "unchanged": 0, "withdrawn": 0}
        query = sa.select(
            t.c.id, t.c.is_acknowledged, *[t.c[c] for c in ANOMALY_KEY + _ANOMALY_VALUES]
        ).where(t.c.config_id.in_(list(config_ids)), t.c.anomaly_date.in_(stamps))
        if campaigns is not None and campaigns.height <= _SCOPE_IN_SQL:
            # a few campaigns re-detected (the hourly run): read only their rows, not the accounts' all
            pairs = list(campaigns.select("config_id", "campaign_id").iter_rows())
            query = query.where(sa.tuple_(t.c.config_id, t.c.entity_id).in_(pairs))
        existing_rows = conn.execute(query).fetchall()
        existing = pl.DataFrame(
            [tuple(r) for r in existing_rows],
            schema={
                "id": pl.Int64,
                "is_acknowledged": pl.Boolean,
                **{c: new.schema[c] for c in ANOMALY_KEY + _ANOMALY_VALUES},
            },
            orient="row",
        )
        if campaigns is not None:
            scope = campaigns.select("config_id", pl.col("campaign_id").alias("entity_id"))
            existing = existing.join(scope, on=["config_id", "entity_id"], how="semi")
        stale = existing.join(new, on=ANOMALY_KEY, how="anti").filter(
            ~pl.col("is_acknowledged").fill_null(False)
        )
        if unknown_days is not None and unknown_days.height and stale.height:
            unknown = unknown_days.select(
                pl.col("config_id").cast(stale.schema["config_id"]),
                pl.col("campaign_id").cast(pl.String).alias("entity_id"),
                pl.col("date").cast(pl.Datetime("us")).alias("anomaly_date"),
            )
            on = ["config_id", "entity_id", "anomaly_date"]
            stale = stale.with_columns(pl.col("anomaly_date").cast(pl.Datetime("us"))).join(
                unknown, on=on, how="anti"
            )
        withdrawn = 0
        if stale.height:
            # guarded in the statement: FamaChat may acknowledge after our SELECT (it never takes our lock)
            withdrawn = conn.execute(
                t.delete().where(t.c.id.in_(stale["id"].to_list()), _not_acknowledged(t))
            ).rowcount
        joined = new.join(existing.drop("is_acknowledged"), on=ANOMALY_KEY, how="left", suffix="_old")
        inserts = joined.filter(pl.col("id").is_null()).select(new.columns)
        changed = joined.filter(
            pl.col("id").is_not_null()
            & pl.any_horizontal(_differs(c, new.schema[c]) for c in _ANOMALY_VALUES)
        )
        # detector columns only: an acknowledgement committed meanwhile keeps its own columns
        update_rows(conn, t, changed.select("id", *_ANOMALY_VALUES), ["id"])
        bulk_insert(conn, t, inserts)
    return {
        "inserted": inserts.height,
        "updated": changed.height,
        "unchanged": new.height - inserts.height - changed.height,
        "withdrawn": withdrawn,  # rows deleted, not planned: an acknowledgement that won the race stays
    }


_REL_TOL = 1e-9  # a float that moved less than this share is the same value summed in another order


def _differs(column: str, dtype: pl.DataType) -> pl.Expr:
    """The new value is not the stored one. Floats within _REL_TOL of each other are equal: a run of one
    account and a run of the fleet add the same numbers in another order, and a last-digit change would
    rewrite the row (and its updated_at) for nothing."""
    new, old = pl.col(column), pl.col(f"{column}_old")
    if dtype.is_float():
        moved = (new - old).abs() > _REL_TOL * pl.max_horizontal(new.abs(), old.abs())
    else:
        moved = new != old
    return (
        pl.when(new.is_null() & old.is_null())
        .then(False)
        .when(new.is_null() | old.is_null())
        .then(True)
        .otherwise(moved)
    )


_SCOPE_IN_SQL = 5000  # campaigns: up to this many, the scope goes into the statement (bound parameters)


def _replace_anomaly_inputs(
    conn: sa.Connection,
    config_ids: Sequence[int],
    campaigns: pl.DataFrame | None,
    inputs: pl.DataFrame | None,
) -> None:
    """The slice's fingerprints: the old ones deleted, `inputs` (of the slice) stored."""
    t = anomaly_inputs
    if campaigns is None:
        conn.execute(t.delete().where(t.c.config_id.in_(list(config_ids))))
    else:
        pairs = list(campaigns.select("config_id", "campaign_id").iter_rows())
        for i in range(0, len(pairs), _SCOPE_IN_SQL):  # under SQLite's limit of bound parameters
            key = sa.tuple_(t.c.config_id, t.c.campaign_id)
            conn.execute(t.delete().where(key.in_(pairs[i : i + _SCOPE_IN_SQL])))
    if inputs is not None:
        rows = inputs.filter(pl.col("config_id").is_in(list(config_ids)))
        if campaigns is not None:
            rows = rows.join(campaigns, on=["config_id", "campaign_id"], how="semi")
        bulk_insert(conn, t, rows.select(c.name for c in t.columns))


def forecast_rows(
    forecasts: pl.DataFrame, as_of: dt.date, model_version: str, horizon: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The ml_forecasts rows (one per entity and metric, the horizon as a JSON array, `horizon` its
    horizon_days) and the ml_predictions rows (one per predicted day) of forecast_fleet's frame."""
    ts = _as_timestamp(as_of)
    typed = forecasts.with_columns(prediction_type=pl.col("metric").replace_strict(PREDICTION_TYPE_OF))
    summary = (
        typed.sort("horizon_day")
        .group_by("config_id", "entity_id", "metric", "prediction_type")
        .agg(
            pl.col("method").first(),
            pl.col("insufficient_data").any(),
            pl.struct(
                date=pl.col("target_date").cast(pl.String),
                predicted=pl.col("predicted_value"),
                lower=pl.col("confidence_lower"),
                upper=pl.col("confidence_upper"),
            ).alias("p"),
        )
        .select(
            "config_id",
            pl.lit("campaign").alias("entity_type"),
            "entity_id",
            pl.col("metric").alias("target_metric"),
            pl.lit(horizon).alias("horizon_days"),
            "method",
            pl.col("p")
            .list.eval(pl.element().struct.json_encode())
            .list.join(",")
            .map_batches(lambda s: "[" + s + "]", return_dtype=pl.String)
            .alias("predictions"),
            pl.lit(ts).alias("forecast_date"),
            pl.lit(model_version).alias("model_version"),
            "insufficient_data",
            "prediction_type",
        )
    )
    rows = typed.select(
        "config_id",
        pl.lit("campaign").alias("entity_type"),
        "entity_id",
        "prediction_type",
        pl.col("target_date").cast(pl.Datetime("us")).alias("forecast_date"),
        pl.col("horizon_day").alias("horizon_days"),
        "predicted_value",
        "confidence_lower",
        "confidence_upper",
    )
    return summary, rows


# ml_predictions is only written under the forecasts' lock or by id (actuals)
FORECASTS_LOCK = schema.ml_forecasts.name


def _clear_forecasts(conn: sa.Connection, config_ids: Sequence[int], as_of: dt.date) -> None:
    """Delete the slice's ml_forecasts and ml_predictions rows (under the FORECASTS_LOCK)."""
    fc, pred = schema.ml_forecasts, schema.ml_predictions
    ids = list(config_ids)
    conn.execute(fc.delete().where(fc.c.config_id.in_(ids), fc.c.forecast_date == _as_timestamp(as_of)))
    # every horizon, not just this run's: a shorter horizon or an empty run leaves nothing stale
    conn.execute(pred.delete().where(pred.c.config_id.in_(ids), made_on(as_of)))


def _insert_forecasts(
    conn: sa.Connection, forecasts: pl.DataFrame, as_of: dt.date, model_version: str, horizon: int
) -> dict[str, int]:
    summary, rows = forecast_rows(forecasts, as_of, model_version, horizon)
    return {
        "forecasts": bulk_insert(conn, schema.ml_forecasts, summary),
        "predictions": bulk_insert(conn, schema.ml_predictions, rows),
    }


def replace_forecasts(
    engine: sa.Engine, forecasts: pl.DataFrame, config_ids: Sequence[int], as_of: dt.date, model_version: str
) -> dict[str, int]:
    """ml_forecasts (one row per entity and metric, the horizon as a JSON array) and ml_predictions (one
    row per predicted day), both replaced for these accounts and this forecast origin."""
    horizon = int(forecasts["horizon_day"].max() or 0) if forecasts.height else 0
    with write_transaction(engine, FORECASTS_LOCK) as conn:
        _clear_forecasts(conn, config_ids, as_of)
        return _insert_forecasts(conn, forecasts, as_of, model_version, horizon)


_COMMIT, _ABORT = object(), object()


class _Aborted(Exception):
    """The caller failed: the writer thread rolls its transaction back."""


class ForecastStream:
    """`replace_forecasts` of frames that arrive one at a time (`forecast_fleet_parts`), written while the
    caller computes the next one.

    On Postgres a thread holds the one transaction: it takes the lock and deletes the slice at once, then
    COPYs each frame handed to `write` while the caller goes on computing (the server ingests a COPY on
    another core, and the thread waits on it without the GIL). `commit` waits for the last frame and
    commits. Leaving the `with` block without `commit` (an error while computing) rolls everything back:
    the previous rows stay. A failure of the writer is raised by the next `write` or by `commit`.
    Elsewhere (SQLite) the frames are collected and written by `replace_forecasts` at `commit`.
    `horizon`: the forecasts' horizon, ml_forecasts.horizon_days (replace_forecasts takes the frame's
    largest horizon_day, which is the horizon for any non-empty forecast_fleet frame).
    """

    def __init__(
        self,
        engine: sa.Engine,
        config_ids: Sequence[int],
        as_of: dt.date,
        model_version: str,
        horizon: int,
    ) -> None:
        self._engine, self._ids, self._as_of = engine, list(config_ids), as_of
        self._version, self._horizon = model_version, horizon
        self._threaded = engine.dialect.name == "postgresql"
        self._parts: list[pl.DataFrame] = []
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._written = {"forecasts": 0, "predictions": 0}
        self._thread = threading.Thread(target=self._run, name="forecast-writer", daemon=True)
        self._done = False

    def __enter__(self) -> ForecastStream:
        if self._threaded:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._done and self._threaded and self._thread.is_alive():
            self._queue.put(_ABORT)
            self._thread.join()

    def write(self, forecasts: pl.DataFrame) -> None:
        """Queue one frame (forecast_fleet's columns) for the transaction."""
        if self._error is not None:
            raise self._error
        (self._queue.put if self._threaded else self._parts.append)(forecasts)

    def commit(self) -> dict[str, int]:
        """Wait for every queued frame and commit; the rows written, as replace_forecasts returns them."""
        self._done = True
        if not self._threaded:
            frame = pl.concat(self._parts) if self._parts else pl.DataFrame(schema=OUTPUT_SCHEMA)
            return replace_forecasts(self._engine, frame, self._ids, self._as_of, self._version)
        self._queue.put(_COMMIT)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._written

    def _run(self) -> None:
        try:
            with write_transaction(self._engine, FORECASTS_LOCK) as conn:
                _clear_forecasts(conn, self._ids, self._as_of)
                while (part := self._queue.get()) is not _COMMIT:
                    if part is _ABORT:
                        raise _Aborted
                    assert isinstance(part, pl.DataFrame)
                    counts = _insert_forecasts(conn, part, self._as_of, self._version, self._horizon)
                    for k, v in counts.items():
                        self._written[k] += v
        except BaseException as e:  # handed to the caller's thread
            self._error = e


def fill_prediction_actuals(engine: sa.Engine, updates: pl.DataFrame) -> int:
    """Write actual_value and the errors of scored predictions (idempotent: same actuals, same values)."""
    if updates.is_empty():
        return 0
    rows = updates.select("id", "actual_value", "absolute_error", "percentage_error")
    with write_transaction(engine) as conn:
        return update_rows(conn, schema.ml_predictions, rows, ["id"])


def replace_classifications(
    engine: sa.Engine,
    classified: pl.DataFrame,
    config_ids: Sequence[int],
    as_of: dt.date,
    valid_days: int = 7,
) -> dict[str, int]:
    """ml_campaign_classifications for these accounts as of a day: a same-day re-run replaces that day's
    rows; earlier days stay as history. previous_tier and tier_change_direction come from each campaign's
    latest classification before this day."""
    t = schema.ml_campaign_classifications
    day, next_day = _as_timestamp(as_of), _as_timestamp(as_of + dt.timedelta(days=1))
    ids = list(config_ids)
    with write_transaction(engine, t.name) as conn:
        latest = (
            sa.select(t.c.config_id, t.c.campaign_id, sa.func.max(t.c.classified_at).label("at"))
            .where(t.c.config_id.in_(ids), t.c.classified_at < day)
            .group_by(t.c.config_id, t.c.campaign_id)
            .subquery()
        )
        previous_rows = conn.execute(
            sa.select(t.c.config_id, t.c.campaign_id, t.c.tier).join(
                latest,
                sa.and_(
                    t.c.config_id == latest.c.config_id,
                    t.c.campaign_id == latest.c.campaign_id,
                    t.c.classified_at == latest.c.at,
                ),
            )
        ).fetchall()
        previous = pl.DataFrame(
            [tuple(r) for r in previous_rows],
            schema={"config_id": pl.Int64, "campaign_id": pl.String, "previous_tier": pl.String},
            orient="row",
        ).unique(["config_id", "campaign_id"])
        rows = (
            classified.join(previous, on=["config_id", "campaign_id"], how="left")
            .with_columns(
                tier_change_direction=tier_change_direction("tier", "previous_tier"),
                classified_at=pl.lit(day),
                valid_until=pl.lit(_as_timestamp(as_of + dt.timedelta(days=valid_days + 1))),
            )
            .select(
                "config_id",
                "campaign_id",
                "tier",
                "confidence_score",
                "metrics_snapshot",
                "feature_importances",
                "previous_tier",
                "tier_change_direction",
                "classified_at",
                "valid_until",
            )
        )
        conn.execute(
            t.delete().where(t.c.config_id.in_(ids), t.c.classified_at >= day, t.c.classified_at < next_day)
        )
        return {
            "written": bulk_insert(conn, t, rows),
            "changed": int(rows["tier_change_direction"].is_in(["UP", "DOWN"]).sum()),
        }


def apply_recommendations(
    engine: sa.Engine,
    candidates: pl.DataFrame,
    links: pl.DataFrame,
    config_ids: Sequence[int],
    as_of: dt.date,
    config: RecommendationConfig,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Bring ml_recommendations in line with this run's candidates, in one transaction.

    The lifecycle (update not duplicate, expiry, cooldowns) is `recommendations.reconcile`; this applies
    its plan. Its clock is `now`, wall-clock UTC by default, never as_of: expiry and cooldowns are about
    when users see a row. Users' columns (was_applied, dismissed, ...) are never written, and a row a
    user decided on after our SELECT is left alone: every update and deactivation re-checks the decision
    in its own statement (FamaChat never takes our advisory lock). Each anomaly that triggered a
    recommendation gets its ml_anomalies.recommendation_id.
    """
    r, a = schema.ml_recommendations, schema.ml_anomalies
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with write_transaction(engine, r.name) as conn:
        existing = read_recommendations(conn, config_ids)
        plan = reconcile(candidates, existing, now, config, evaluated_config_ids=config_ids)
        # Rows already decided when read (superseded, or expired or no longer triggered after a user's
        # dismissal or application) are retired as they are: only is_active changes, never a user's
        # column. A row undecided when read is retired only if still undecided (a decision may land after
        # our SELECT; it wins).
        was_decided = pl.col("id").is_in(existing.filter(pl.col("dismissed") | pl.col("was_applied"))["id"])
        decided = plan.deactivate.filter(was_decided)["id"].to_list()
        undecided = plan.deactivate.filter(~was_decided)["id"].to_list()
        deactivated = 0
        if decided:
            deactivated += conn.execute(
                r.update().where(r.c.id.in_(decided)).values(is_active=False)
            ).rowcount
        if undecided:
            deactivated += conn.execute(
                r.update().where(r.c.id.in_(undecided), _no_user_decision(r)).values(is_active=False)
            ).rowcount
        content = [c for c in UPDATE_COLUMNS if c != "id"]
        update_rows(conn, r, plan.updates.select("id", *content), ["id"], guard=_no_user_decision(r))
        bulk_insert(conn, r, plan.inserts.select(INSERT_COLUMNS))
        linked = 0
        if links.height:
            active = conn.execute(
                sa.select(r.c.id, r.c.config_id, r.c.entity_id, r.c.recommendation_type).where(
                    r.c.config_id.in_(list(config_ids)), r.c.is_active.is_(True)
                )
            ).fetchall()
            rec_key = ["config_id", "entity_id", "recommendation_type"]
            ids = pl.DataFrame(
                [(i, c, e, str(t)) for i, c, e, t in active],
                schema={
                    "recommendation_id": pl.Int64,
                    "config_id": pl.Int64,
                    "entity_id": pl.String,
                    "recommendation_type": pl.String,
                },
                orient="row",
            ).unique(subset=rec_key, keep="last", maintain_order=True)
            params = links.with_columns(pl.col("recommendation_type").cast(pl.String)).join(
                ids, on=rec_key, how="inner", maintain_order="left"
            )
            linked = update_rows(
                conn,
                a,
                params.select(
                    "config_id",
                    "entity_id",
                    "anomaly_type",
                    "metric_name",
                    pl.col("anomaly_date").cast(pl.Datetime("us")),
                    "recommendation_id",
                ),
                ["config_id", "entity_id", "anomaly_type", "metric_name", "anomaly_date"],
            )
    return {
        "inserted": plan.inserts.height,
        "updated": plan.updates.height,
        "deactivated": deactivated,  # rows retired, not planned: a decision that won the race stays
        "suppressed_by_cooldown": plan.suppressed.height,
        "anomalies_linked": linked,
    }


def _json_value(column: sa.Column, value: object) -> object:
    """JSON columns take Python objects through SQLAlchemy; our frames carry JSON text."""
    return json.loads(value) if isinstance(column.type, sa.JSON) and isinstance(value, str) else value
