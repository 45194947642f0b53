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

from famachat_ml_pipeline.core.recommendations import (
    INSERT_COLUMNS,
    UPDATE_COLUMNS,
    RecommendationConfig,
    reconcile,
)
from famachat_ml_pipeline.core.tiers import tier_change_direction
from famachat_ml_pipeline.core.vocab import PREDICTION_TYPE_OF
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.reader import made_on, read_recommendations


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


def _lock(conn: sa.Connection, name: str) -> None:
    """Serialise writers of one table (the hourly and daily runs, a backfill) on Postgres: without it
    two delete-then-insert transactions on the same slice both delete nothing and both insert."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})


def replace_features(
    engine: sa.Engine, features: pl.DataFrame, config_ids: Sequence[int], feature_date: dt.date
) -> int:
    """ml_features for these accounts and day: delete then insert, in one transaction."""
    t = schema.ml_features
    ts = _as_timestamp(feature_date)
    rows = features.select(
        "config_id",
        "campaign_id",
        "window_days",
        pl.lit(ts).alias("feature_date"),
        "features",
        "insufficient_data",
    )
    with engine.begin() as conn:
        _lock(conn, t.name)
        conn.execute(t.delete().where(t.c.config_id.in_(list(config_ids)), t.c.feature_date == ts))
        return bulk_insert(conn, t, rows)


ANOMALY_KEY = ["config_id", "entity_type", "entity_id", "anomaly_type", "metric_name", "anomaly_date"]
_ANOMALY_VALUES = ["observed_value", "expected_value", "deviation_score", "severity"]


def _not_acknowledged(t: sa.Table) -> sa.ColumnElement[bool]:
    return t.c.is_acknowledged.is_not(True)


def _no_user_decision(t: sa.Table) -> sa.ColumnElement[bool]:
    return sa.and_(t.c.dismissed.is_not(True), t.c.was_applied.is_not(True))


def upsert_anomalies(
    engine: sa.Engine, anomalies: pl.DataFrame, config_ids: Sequence[int], days: Sequence[dt.date]
) -> dict[str, int]:
    """One row per (config_id, entity, type, metric, anomaly_date): insert new ones, update changed ones,
    and withdraw the ones that the current (restated) data no longer shows, unless a user acknowledged them.

    Only detector-owned columns are ever updated; is_acknowledged, acknowledged_at/by and
    resolution_notes belong to FamaChat's users and are never written here.
    """
    t = schema.ml_anomalies
    stamps = [_as_timestamp(d) for d in days]
    new = anomalies.with_columns(pl.col("anomaly_date").cast(pl.Datetime("us")))
    with engine.begin() as conn:
        _lock(conn, t.name)
        existing_rows = conn.execute(
            sa.select(t.c.id, t.c.is_acknowledged, *[t.c[c] for c in ANOMALY_KEY + _ANOMALY_VALUES]).where(
                t.c.config_id.in_(list(config_ids)), t.c.anomaly_date.in_(stamps)
            )
        ).fetchall()
        existing = pl.DataFrame(
            [tuple(r) for r in existing_rows],
            schema={
                "id": pl.Int64,
                "is_acknowledged": pl.Boolean,
                **{c: new.schema[c] for c in ANOMALY_KEY + _ANOMALY_VALUES},
            },
            orient="row",
        )
        stale = existing.join(new, on=ANOMALY_KEY, how="anti").filter(
            ~pl.col("is_acknowledged").fill_null(False)
        )
        if stale.height:
            # guarded in the statement: FamaChat may acknowledge after our SELECT (it never takes our lock)
            conn.execute(t.delete().where(t.c.id.in_(stale["id"].to_list()), _not_acknowledged(t)))
        joined = new.join(existing.drop("is_acknowledged"), on=ANOMALY_KEY, how="left", suffix="_old")
        inserts = joined.filter(pl.col("id").is_null()).select(new.columns)
        changed = joined.filter(
            pl.col("id").is_not_null()
            & pl.any_horizontal(
                (pl.col(c) != pl.col(f"{c}_old")) | pl.col(f"{c}_old").is_null() for c in _ANOMALY_VALUES
            )
        )
        if changed.height:
            conn.execute(
                t.update()
                # detector columns only: an acknowledgement committed meanwhile keeps its own columns
                .where(t.c.id == sa.bindparam("_id"))
                .values({c: sa.bindparam(c) for c in _ANOMALY_VALUES}),
                [
                    {"_id": r["id"], **{c: r[c] for c in _ANOMALY_VALUES}}
                    for r in changed.iter_rows(named=True)
                ],
            )
        bulk_insert(conn, t, inserts)
    return {
        "inserted": inserts.height,
        "updated": changed.height,
        "unchanged": new.height - inserts.height - changed.height,
        "withdrawn": stale.height,
    }


def replace_forecasts(
    engine: sa.Engine, forecasts: pl.DataFrame, config_ids: Sequence[int], as_of: dt.date, model_version: str
) -> dict[str, int]:
    """ml_forecasts (one row per entity and metric, the horizon as a JSON array) and ml_predictions (one
    row per predicted day), both replaced for these accounts and this forecast origin."""
    fc, pred = schema.ml_forecasts, schema.ml_predictions
    ts = _as_timestamp(as_of)
    horizon = int(forecasts["horizon_day"].max() or 0) if forecasts.height else 0
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
    ids = list(config_ids)
    with engine.begin() as conn:
        _lock(conn, fc.name)  # ml_predictions is only written under this lock or by id (actuals)
        conn.execute(fc.delete().where(fc.c.config_id.in_(ids), fc.c.forecast_date == ts))
        # every horizon, not just this run's: a shorter horizon or an empty run leaves nothing stale
        conn.execute(pred.delete().where(pred.c.config_id.in_(ids), made_on(as_of)))
        return {"forecasts": bulk_insert(conn, fc, summary), "predictions": bulk_insert(conn, pred, rows)}


def fill_prediction_actuals(engine: sa.Engine, updates: pl.DataFrame) -> int:
    """Write actual_value and the errors of scored predictions (idempotent: same actuals, same values)."""
    if updates.is_empty():
        return 0
    p = schema.ml_predictions
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
    return len(params)


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
    with engine.begin() as conn:
        _lock(conn, t.name)
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
    with engine.begin() as conn:
        _lock(conn, r.name)
        existing = read_recommendations(conn, config_ids)
        plan = reconcile(candidates, existing, now, config, evaluated_config_ids=config_ids)
        superseded = plan.deactivate.filter(pl.col("reason") == "superseded")["id"].to_list()
        undecided = plan.deactivate.filter(pl.col("reason") != "superseded")["id"].to_list()
        if superseded:  # rows already decided when read: deactivated so that the new row is the one active
            conn.execute(r.update().where(r.c.id.in_(superseded)).values(is_active=False))
        if undecided:
            conn.execute(
                r.update().where(r.c.id.in_(undecided), _no_user_decision(r)).values(is_active=False)
            )
        if plan.updates.height:
            content = [c for c in UPDATE_COLUMNS if c != "id"]
            conn.execute(
                r.update()
                .where(r.c.id == sa.bindparam("_id"), _no_user_decision(r))
                .values({c: sa.bindparam(c) for c in content}),
                [
                    {"_id": row["id"], **{c: _json_value(r.c[c], row[c]) for c in content}}
                    for row in plan.updates.iter_rows(named=True)
                ],
            )
        bulk_insert(conn, r, plan.inserts.select(INSERT_COLUMNS))
        linked = 0
        if links.height:
            active = conn.execute(
                sa.select(r.c.id, r.c.config_id, r.c.entity_id, r.c.recommendation_type).where(
                    r.c.config_id.in_(list(config_ids)), r.c.is_active.is_(True)
                )
            ).fetchall()
            ids = {(c, e, str(t)): i for i, c, e, t in active}
            params = [
                {
                    "_rid": ids[key],
                    "_c": row["config_id"],
                    "_e": row["entity_id"],
                    "_t": row["anomaly_type"],
                    "_m": row["metric_name"],
                    "_d": _as_timestamp(row["anomaly_date"]),
                }
                for row in links.iter_rows(named=True)
                if (key := (row["config_id"], row["entity_id"], row["recommendation_type"])) in ids
            ]
            if params:
                conn.execute(
                    a.update()
                    .where(
                        a.c.config_id == sa.bindparam("_c"),
                        a.c.entity_id == sa.bindparam("_e"),
                        a.c.anomaly_type == sa.bindparam("_t"),
                        a.c.metric_name == sa.bindparam("_m"),
                        a.c.anomaly_date == sa.bindparam("_d"),
                    )
                    .values(recommendation_id=sa.bindparam("_rid")),
                    params,
                )
            linked = len(params)
    return {
        "inserted": plan.inserts.height,
        "updated": plan.updates.height,
        "deactivated": plan.deactivate.height,
        "suppressed_by_cooldown": plan.suppressed.height,
        "anomalies_linked": linked,
    }


def _json_value(column: sa.Column, value: object) -> object:
    """JSON columns take Python objects through SQLAlchemy; our frames carry JSON text."""
    return json.loads(value) if isinstance(column.type, sa.JSON) and isinstance(value, str) else value
