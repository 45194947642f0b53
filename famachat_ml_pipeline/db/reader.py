"""Reads of the ml_* tables that later assets build on (the pipeline's own results, not the source)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa

from famachat_ml_pipeline.core.anomalies import ANOMALY_SCHEMA
from famachat_ml_pipeline.core.anomalies.inputs import INPUTS_SCHEMA
from famachat_ml_pipeline.core.recommendations import upgrade_reasoning
from famachat_ml_pipeline.core.vocab import METRIC_OF, TIERS
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.anomaly_inputs import anomaly_inputs


def ts(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _frame(conn: sa.Connection, query: sa.Select, schema_: dict[str, pl.DataType]) -> pl.DataFrame:
    rows = conn.execute(query).fetchall()
    return pl.DataFrame([tuple(r) for r in rows], schema=schema_, orient="row")


def _json_text(value: object) -> str | None:
    return value if value is None or isinstance(value, str) else json.dumps(value)


def read_predictions(
    engine: sa.Engine, config_ids: Sequence[int], first_day: dt.date, last_day: dt.date
) -> pl.DataFrame:
    """Campaign predictions dated first_day..last_day, for scoring against actuals."""
    p = schema.ml_predictions
    query = sa.select(
        p.c.id,
        p.c.config_id,
        p.c.entity_id,
        p.c.prediction_type,
        p.c.forecast_date,
        p.c.predicted_value,
        p.c.confidence_lower,
        p.c.confidence_upper,
        p.c.actual_value,
    ).where(
        p.c.config_id.in_(list(config_ids)),
        p.c.entity_type == "campaign",
        p.c.forecast_date.between(ts(first_day), ts(last_day)),
    )
    cols = {
        "id": pl.Int64,
        "config_id": pl.Int64,
        "entity_id": pl.String,
        "prediction_type": pl.String,
        "forecast_date": pl.Datetime("us"),
        "predicted_value": pl.Float64,
        "confidence_lower": pl.Float64,
        "confidence_upper": pl.Float64,
        "actual_value": pl.Float64,
    }
    with engine.connect() as conn:
        return _frame(conn, query, cols).with_columns(pl.col("forecast_date").dt.date())


MAX_HORIZON_DAYS = 30


def made_on(as_of: dt.date) -> sa.ColumnElement[bool]:
    """ml_predictions rows made as of `as_of`: a prediction h days ahead is dated as_of + h."""
    p = schema.ml_predictions
    return sa.or_(
        *[
            sa.and_(p.c.forecast_date == ts(as_of + dt.timedelta(days=h)), p.c.horizon_days == h)
            for h in range(1, MAX_HORIZON_DAYS + 1)
        ]
    )


FORECAST_SCHEMA: dict[str, pl.DataType] = {
    "config_id": pl.Int64(),
    "entity_id": pl.String(),
    "target_date": pl.Date(),
    "horizon_day": pl.Int32(),
    "predicted_value": pl.Float64(),
    "confidence_lower": pl.Float64(),
    "confidence_upper": pl.Float64(),
    "metric": pl.String(),
}


def forecasts_as_read(forecasts: pl.DataFrame) -> pl.DataFrame:
    """forecast_fleet's frame with the columns and types read_forecasts_made_on gives (what the
    campaign_forecasts asset passes along)."""
    return forecasts.select([pl.col(c).cast(t) for c, t in FORECAST_SCHEMA.items()])


def read_forecasts_made_on(engine: sa.Engine, config_ids: Sequence[int], as_of: dt.date) -> pl.DataFrame:
    """The predictions made as of `as_of` (dated as_of + h with horizon h), as forecast_fleet shaped them
    (FORECAST_SCHEMA)."""
    p = schema.ml_predictions
    query = sa.select(
        p.c.config_id,
        p.c.entity_id,
        p.c.prediction_type,
        p.c.forecast_date,
        p.c.horizon_days,
        p.c.predicted_value,
        p.c.confidence_lower,
        p.c.confidence_upper,
    ).where(p.c.config_id.in_(list(config_ids)), p.c.entity_type == "campaign", made_on(as_of))
    cols = {
        "config_id": pl.Int64,
        "entity_id": pl.String,
        "prediction_type": pl.String,
        "target_date": pl.Datetime("us"),
        "horizon_day": pl.Int32,
        "predicted_value": pl.Float64,
        "confidence_lower": pl.Float64,
        "confidence_upper": pl.Float64,
    }
    with engine.connect() as conn:
        frame = _frame(conn, query, cols)
    return forecasts_as_read(
        frame.with_columns(
            metric=pl.col("prediction_type").replace_strict(METRIC_OF),
            target_date=pl.col("target_date").dt.date(),
        )
    )


CLASSIFICATION_ROW_SCHEMA = {
    "config_id": pl.Int64,
    "campaign_id": pl.String,
    "tier": pl.String,
    "confidence_score": pl.Float64,
    "snapshot": pl.String,
}


def classifications_from_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """ml_campaign_classifications rows (CLASSIFICATION_ROW_SCHEMA, `snapshot` the metrics_snapshot JSON)
    as the recommendations read them: config_id, campaign_id, tier, confidence_score, method,
    predicted_next_tier and probabilities (struct of the 4 tiers). The classifications asset shapes the
    frame it passes along with this too, so both paths give the same frame."""
    snap = lambda path: pl.col("snapshot").str.json_path_match(path)  # noqa: E731
    probs = {t: snap(f"$.probabilities.{t}").cast(pl.Float64) for t in TIERS}
    return rows.with_columns(
        method=snap("$.method"),
        predicted_next_tier=snap("$.predicted_next_tier"),
        # the model's next-week probabilities (null under the rules alone), as classifier.classify gives them
        probabilities=pl.when(pl.any_horizontal(p.is_not_null() for p in probs.values())).then(
            pl.struct(**probs)
        ),
    ).drop("snapshot")


def read_classifications_on(engine: sa.Engine, config_ids: Sequence[int], as_of: dt.date) -> pl.DataFrame:
    """The tiers written as of `as_of`, shaped by classifications_from_rows."""
    t = schema.ml_campaign_classifications
    query = sa.select(
        t.c.config_id, t.c.campaign_id, t.c.tier, t.c.confidence_score, t.c.metrics_snapshot
    ).where(
        t.c.config_id.in_(list(config_ids)),
        t.c.classified_at >= ts(as_of),
        t.c.classified_at < ts(as_of + dt.timedelta(days=1)),
    )
    with engine.connect() as conn:
        rows = [(*r[:4], _json_text(r[4])) for r in conn.execute(query).fetchall()]
    return classifications_from_rows(pl.DataFrame(rows, orient="row", schema=CLASSIFICATION_ROW_SCHEMA))


def accounts_classified_after(engine: sa.Engine, config_ids: Sequence[int], day: dt.date) -> set[int]:
    """The accounts that a run as of a later day than `day` has already classified."""
    t = schema.ml_campaign_classifications
    query = (
        sa.select(t.c.config_id)
        .where(t.c.config_id.in_(list(config_ids)), t.c.classified_at >= ts(day + dt.timedelta(days=1)))
        .distinct()
    )
    with engine.connect() as conn:
        return {int(c) for (c,) in conn.execute(query)}


def latest_classified_days(
    engine: sa.Engine, config_ids: Sequence[int], up_to: dt.date
) -> dict[int, dt.date]:
    """Each account's latest day with classifications, up to `up_to` (accounts without any are left out):
    the day of the results a run kept. An index range per account (config_id, campaign_id, classified_at)."""
    t = schema.ml_campaign_classifications
    query = (
        sa.select(t.c.config_id, sa.func.max(t.c.classified_at))
        .where(t.c.config_id.in_(list(config_ids)), t.c.classified_at < ts(up_to + dt.timedelta(days=1)))
        .group_by(t.c.config_id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).fetchall()
    # SQLite hands back text for an aggregate
    return {int(c): (dt.datetime.fromisoformat(d) if isinstance(d, str) else d).date() for c, d in rows if d}


def read_anomaly_inputs(engine: sa.Engine, config_ids: Sequence[int]) -> pl.DataFrame:
    """The stored input fingerprints of these accounts' campaigns (core.anomalies.inputs.INPUTS_SCHEMA)."""
    t = anomaly_inputs
    query = sa.select(t.c.config_id, t.c.campaign_id, t.c.settings, t.c.fingerprint).where(
        t.c.config_id.in_(list(config_ids))
    )
    with engine.connect() as conn:
        return _frame(conn, query, INPUTS_SCHEMA)


def read_open_anomalies(
    engine: sa.Engine, config_ids: Sequence[int], as_of: dt.date, days: int = 7
) -> pl.DataFrame:
    """Unacknowledged anomalies of the last `days` days (ANOMALY_SCHEMA plus id)."""
    a = schema.ml_anomalies
    query = sa.select(
        a.c.id,
        a.c.config_id,
        a.c.entity_type,
        a.c.entity_id,
        a.c.anomaly_type,
        a.c.metric_name,
        a.c.observed_value,
        a.c.expected_value,
        a.c.deviation_score,
        a.c.severity,
        a.c.anomaly_date,
    ).where(
        a.c.config_id.in_(list(config_ids)),
        a.c.is_acknowledged.isnot(True),
        a.c.anomaly_date.between(ts(as_of - dt.timedelta(days=days - 1)), ts(as_of)),
    )
    cols = {"id": pl.Int64, **ANOMALY_SCHEMA, "anomaly_date": pl.Datetime("us")}
    with engine.connect() as conn:
        return _frame(conn, query, cols).with_columns(pl.col("anomaly_date").dt.date())


def read_recommendations(conn: sa.Connection, config_ids: Sequence[int]) -> pl.DataFrame:
    """Every stored recommendation of these accounts, with users' decisions, for the lifecycle plan."""
    r = schema.ml_recommendations
    types = {
        "id": pl.Int64,
        "config_id": pl.Int64,
        "entity_type": pl.String,
        "entity_id": pl.String,
        "recommendation_type": pl.String,
        "reasoning": pl.String,
        "is_active": pl.Boolean,
        "was_applied": pl.Boolean,
        "applied_at": pl.Datetime("us"),
        "dismissed": pl.Boolean,
        "dismissed_at": pl.Datetime("us"),
        "created_at": pl.Datetime("us"),
        "expires_at": pl.Datetime("us"),
    }
    cols = list(types)
    rows = conn.execute(
        sa.select(*[r.c[c] for c in cols]).where(r.c.config_id.in_(list(config_ids)))
    ).fetchall()
    data = [
        tuple(_json_text(v) if c == "reasoning" else v for c, v in zip(cols, row, strict=True))
        for row in rows
    ]
    # rows written before a reasoning key was renamed read under the current name
    return pl.DataFrame(data, schema=types, orient="row").with_columns(upgrade_reasoning(pl.col("reasoning")))
