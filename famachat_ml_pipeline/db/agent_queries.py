"""Read-only queries the agent's tools run, each for ONE account.

Every function takes a single `config_id` and filters on it in SQL: this is where the agent's tenant
isolation is enforced, so no tool can see another account's rows whatever it is asked. Nothing here
writes. Results come back as plain dicts (JSON columns decoded), small enough for one account.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from famachat_ml_pipeline.core.frames import ZERO_DECIMAL_CURRENCIES
from famachat_ml_pipeline.db import schema

# The source's campaigns table as source/ defines it (names are not part of the daily frame).
# TODO(source owner): a source/ reader for campaign names should own this query (table from source/).
from famachat_ml_pipeline.source.tables import campaigns_table

FEATURE_WINDOW = 7  # the window the tiers are computed on; its JSON also carries the 14/30-day figures


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _rows(conn: sa.Connection, query: sa.Select, json_cols: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    out = []
    for row in conn.execute(query).mappings():
        d = dict(row)
        for c in json_cols:
            d[c] = _decode(d.get(c))
        out.append(d)
    return out


def read_campaigns(engine: sa.Engine, config_id: int) -> list[dict[str, Any]]:
    """The account's campaigns: id, name, statuses, objective, daily budget (major unit), currency, zone."""
    c = campaigns_table
    query = (
        sa.select(
            c.c.campaign_id,
            c.c.name,
            c.c.status,
            c.c.effective_status,
            c.c.objective,
            c.c.daily_budget,
            c.c.currency,
            c.c.timezone_name,
        )
        .where(c.c.config_id == int(config_id))
        .order_by(c.c.campaign_id)
    )
    with engine.connect() as conn:
        rows = _rows(conn, query)
    for r in rows:
        if r["daily_budget"] is not None:
            divisor = 1.0 if r["currency"] in ZERO_DECIMAL_CURRENCIES else 100.0
            r["daily_budget"] = float(r["daily_budget"]) / divisor
    return rows


def latest_results_day(engine: sa.Engine, config_id: int) -> dt.date | None:
    """The as-of day of the account's latest pipeline run (its newest features)."""
    f = schema.ml_features
    with engine.connect() as conn:
        value = conn.execute(
            sa.select(sa.func.max(f.c.feature_date)).where(f.c.config_id == int(config_id))
        ).scalar_one()
    return _day(value)


def read_latest_features(engine: sa.Engine, config_id: int) -> list[dict[str, Any]]:
    """campaign_id, feature_date, insufficient_data and the features JSON of the latest run (7-day window)."""
    f = schema.ml_features
    latest = sa.select(sa.func.max(f.c.feature_date)).where(f.c.config_id == int(config_id)).scalar_subquery()
    query = sa.select(f.c.campaign_id, f.c.feature_date, f.c.insufficient_data, f.c.features).where(
        f.c.config_id == int(config_id), f.c.window_days == FEATURE_WINDOW, f.c.feature_date == latest
    )
    with engine.connect() as conn:
        rows = _rows(conn, query, ("features",))
    for r in rows:
        r["feature_date"] = _day(r["feature_date"])
    return rows


def read_latest_classifications(engine: sa.Engine, config_id: int) -> list[dict[str, Any]]:
    """The tiers of the account's latest classification day."""
    t = schema.ml_campaign_classifications
    latest = (
        sa.select(sa.func.max(t.c.classified_at)).where(t.c.config_id == int(config_id)).scalar_subquery()
    )
    query = (
        sa.select(
            t.c.campaign_id,
            t.c.tier,
            t.c.confidence_score,
            t.c.metrics_snapshot,
            t.c.previous_tier,
            t.c.tier_change_direction,
            t.c.classified_at,
        )
        .where(t.c.config_id == int(config_id), t.c.classified_at == latest)
        .order_by(t.c.campaign_id)
    )
    with engine.connect() as conn:
        rows = _rows(conn, query, ("metrics_snapshot",))
    for r in rows:
        r["classified_at"] = _day(r["classified_at"])
    return rows


def read_active_recommendations(engine: sa.Engine, config_id: int) -> list[dict[str, Any]]:
    """Active, undismissed recommendations, highest priority first."""
    r = schema.ml_recommendations
    query = (
        sa.select(
            r.c.id,
            r.c.entity_id,
            r.c.recommendation_type,
            r.c.priority,
            r.c.title,
            r.c.description,
            r.c.suggested_action,
            r.c.confidence_score,
            r.c.created_at,
            r.c.expires_at,
        )
        .where(r.c.config_id == int(config_id), r.c.is_active.is_(True), r.c.dismissed.isnot(True))
        .order_by(r.c.priority.desc(), r.c.confidence_score.desc(), r.c.id)
    )
    with engine.connect() as conn:
        rows = _rows(conn, query, ("suggested_action",))
    for row in rows:
        row["created_at"], row["expires_at"] = _day(row["created_at"]), _day(row["expires_at"])
    return rows


def read_recent_anomalies(
    engine: sa.Engine, config_id: int, since: dt.date, include_acknowledged: bool = False
) -> list[dict[str, Any]]:
    """Anomalies dated `since` or later, most severe and newest first."""
    a = schema.ml_anomalies
    conds = [a.c.config_id == int(config_id), a.c.anomaly_date >= dt.datetime.combine(since, dt.time())]
    if not include_acknowledged:
        conds.append(a.c.is_acknowledged.isnot(True))
    query = (
        sa.select(
            a.c.id,
            a.c.entity_type,
            a.c.entity_id,
            a.c.anomaly_type,
            a.c.metric_name,
            a.c.observed_value,
            a.c.expected_value,
            a.c.deviation_score,
            a.c.severity,
            a.c.anomaly_date,
            a.c.is_acknowledged,
            a.c.recommendation_id,
        )
        .where(*conds)
        .order_by(a.c.anomaly_date.desc(), a.c.id)
    )
    with engine.connect() as conn:
        rows = _rows(conn, query)
    for row in rows:
        row["anomaly_date"] = _day(row["anomaly_date"])
    return rows


def read_latest_forecasts(engine: sa.Engine, config_id: int) -> list[dict[str, Any]]:
    """ml_forecasts of the account's latest forecast origin: one row per campaign and metric."""
    f = schema.ml_forecasts
    latest = (
        sa.select(sa.func.max(f.c.forecast_date)).where(f.c.config_id == int(config_id)).scalar_subquery()
    )
    query = (
        sa.select(
            f.c.entity_id,
            f.c.target_metric,
            f.c.horizon_days,
            f.c.method,
            f.c.predictions,
            f.c.forecast_date,
            f.c.insufficient_data,
        )
        .where(f.c.config_id == int(config_id), f.c.forecast_date == latest)
        .order_by(f.c.entity_id, f.c.target_metric)
    )
    with engine.connect() as conn:
        rows = _rows(conn, query, ("predictions",))
    for row in rows:
        row["forecast_date"] = _day(row["forecast_date"])
    return rows
