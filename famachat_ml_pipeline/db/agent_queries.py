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

from famachat_ml_pipeline.core.vocab import METRIC_OF
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.reader import ts
from famachat_ml_pipeline.source.tables import campaigns_table, insights_table


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


def orphan_campaign_days(engine: sa.Engine, config_id: int, first: dt.date, last: dt.date) -> int:
    """(campaign, day) pairs of the account's insights in first..last whose campaign is missing from the
    campaigns table: the cleaning sets those rows aside (`orphan_campaign`), so no total holds them."""
    i, c = insights_table, campaigns_table
    known = sa.select(c.c.campaign_id).where(c.c.config_id == int(config_id))
    pairs = (
        sa.select(i.c.campaign_id, i.c.date_start)
        .where(
            i.c.config_id == int(config_id),
            i.c.date_start >= first,
            i.c.date_start <= last,
            i.c.campaign_id.not_in(known),
        )
        .distinct()
        .subquery()
    )
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(pairs)).scalar_one())


def latest_results_day(engine: sa.Engine, config_id: int) -> dt.date | None:
    """The as-of day of the account's latest pipeline run: the feature_date of its newest ml_features row.

    ml_features has no index on config_id (seed DDL, kept as is), so max(feature_date) for one account
    scans the fleet's whole history. Its primary key is indexed and runs write days in order, so walking
    the key backwards stops at the account's newest row, within the latest fleet run. It differs from
    max(feature_date) only if an older day was recomputed after a newer one (a backfill).
    """
    with engine.connect() as conn:
        return _day(conn.execute(latest_results_day_query(config_id)).scalar_one_or_none())


def latest_results_day_query(config_id: int) -> sa.Select:
    f = schema.ml_features
    return sa.select(f.c.feature_date).where(f.c.config_id == int(config_id)).order_by(f.c.id.desc()).limit(1)


def _features_query(config_id: int, max_rows: int) -> sa.Select:
    f = schema.ml_features
    return (
        sa.select(f.c.campaign_id, f.c.window_days, f.c.feature_date, f.c.insufficient_data, f.c.features)
        .where(f.c.config_id == int(config_id))
        .order_by(f.c.id.desc())
        .limit(max(int(max_rows), 1))
    )


def read_latest_features(
    engine: sa.Engine, config_id: int, window_days: int, max_rows: int
) -> list[dict[str, Any]]:
    """campaign_id, feature_date, insufficient_data and the features JSON of the account's latest run,
    for one window. The latest run is the account's newest-written batch (see latest_results_day).

    A run replaces the account's rows of its day in one batch of at most `max_rows` rows (one per
    campaign and window), so that batch is within the account's newest `max_rows` rows: walking the
    primary key backwards stops there instead of scanning the fleet's history (no config_id index).
    """
    with engine.connect() as conn:
        rows = _rows(conn, _features_query(config_id, max_rows), ("features",))
    if not rows:
        return []
    latest = rows[0]["feature_date"]
    out = [r for r in rows if r["feature_date"] == latest and r["window_days"] == window_days]
    for r in out:
        r["feature_date"] = _day(r["feature_date"])
        del r["window_days"]
    return out[::-1]  # in the order they were written, as a scan of the table gave them


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


def read_decided_recommendations(engine: sa.Engine, config_id: int) -> list[dict[str, Any]]:
    """The account's recommendations a user dismissed or applied (users' columns), latest decision first."""
    r = schema.ml_recommendations
    query = (
        sa.select(
            r.c.id,
            r.c.entity_id,
            r.c.recommendation_type,
            r.c.title,
            r.c.dismissed,
            r.c.dismissed_at,
            r.c.dismissed_reason,
            r.c.was_applied,
            r.c.applied_at,
        )
        .where(r.c.config_id == int(config_id), sa.or_(r.c.dismissed.is_(True), r.c.was_applied.is_(True)))
        .order_by(sa.func.coalesce(r.c.dismissed_at, r.c.applied_at).desc(), r.c.id)
    )
    with engine.connect() as conn:
        rows = _rows(conn, query)
    for row in rows:
        row["dismissed_at"], row["applied_at"] = _day(row["dismissed_at"]), _day(row["applied_at"])
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


# ------------------------------------------------------------------ forecasts through ml_predictions
# ml_forecasts has no index on config_id (seed DDL, kept as is), so a per-account read there scans the
# fleet's whole history. ml_predictions holds the same per-day figures and has the seed's index
# (entity_type, entity_id, forecast_date): reads below go through the account's campaign ids, and
# keep the config_id filter because Meta campaign ids are not guaranteed unique across accounts.


def _campaign_predictions(config_id: int, campaign_ids: list[str]) -> list[sa.ColumnElement[bool]]:
    p = schema.ml_predictions
    return [p.c.entity_type == "campaign", p.c.entity_id.in_(campaign_ids), p.c.config_id == int(config_id)]


def _origin_query(config_id: int, campaign_ids: list[str]) -> sa.Select:
    p = schema.ml_predictions
    return sa.select(sa.func.max(p.c.forecast_date)).where(
        *_campaign_predictions(config_id, campaign_ids), p.c.horizon_days == 1
    )


def _predictions_query(config_id: int, campaign_ids: list[str], origin: dt.date) -> sa.Select:
    p = schema.ml_predictions
    # Only a lower bound on the date: with an upper bound too, Postgres has been seen to pick the index
    # on (entity_type, forecast_date) ranges and filter entity ids over the whole fleet (EXPLAIN, F300).
    return (
        sa.select(
            p.c.entity_id,
            p.c.prediction_type,
            p.c.forecast_date,
            p.c.horizon_days,
            p.c.predicted_value,
            p.c.confidence_lower,
            p.c.confidence_upper,
        )
        .where(*_campaign_predictions(config_id, campaign_ids), p.c.forecast_date > ts(origin))
        .order_by(p.c.entity_id, p.c.prediction_type, p.c.forecast_date)
    )


def _methods_query(config_id: int, origin: dt.date, newest: int | None) -> sa.Select:
    """With `newest`, only the account's newest rows (no date filter in SQL: with one, the planner
    expects few matches and scans the table instead of walking the key); without it, the full read."""
    f = schema.ml_forecasts
    cols = (f.c.entity_id, f.c.target_metric, f.c.method, f.c.insufficient_data, f.c.forecast_date)
    if newest is None:
        return sa.select(*cols).where(f.c.config_id == int(config_id), f.c.forecast_date == ts(origin))
    return sa.select(*cols).where(f.c.config_id == int(config_id)).order_by(f.c.id.desc()).limit(newest)


def indexed_read_queries(
    config_id: int, campaign_ids: list[str], origin: dt.date, series: int
) -> dict[str, sa.Select]:
    """The reads below by name, for checking their plans (benchmarks, tests)."""
    return {
        "forecast origin (ml_predictions)": _origin_query(config_id, campaign_ids),
        "predictions (ml_predictions)": _predictions_query(config_id, campaign_ids, origin),
        "forecast methods (ml_forecasts)": _methods_query(config_id, origin, series),
        "latest features (ml_features)": _features_query(config_id, 3 * len(campaign_ids)),
    }


def latest_forecast_origin(engine: sa.Engine, config_id: int, campaign_ids: list[str]) -> dt.date | None:
    """The as-of day of the account's newest forecasts: every run writes a 1-day-ahead prediction per
    series, dated origin + 1, so the newest gives the origin (what max(ml_forecasts.forecast_date) was)."""
    if not campaign_ids:
        return None
    with engine.connect() as conn:
        day = _day(conn.execute(_origin_query(config_id, campaign_ids)).scalar_one())
    return None if day is None else day - dt.timedelta(days=1)


def read_latest_predictions(
    engine: sa.Engine, config_id: int, campaign_ids: list[str]
) -> list[dict[str, Any]]:
    """The account's latest forecasts as ml_forecasts holds them, built from ml_predictions: entity_id,
    target_metric, predictions [{date, predicted, lower, upper}] by day, forecast_date (the origin).
    Sorted by entity_id and target_metric. method / insufficient_data are not in ml_predictions."""
    origin = latest_forecast_origin(engine, config_id, campaign_ids)
    if origin is None:
        return []
    series: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for r in conn.execute(_predictions_query(config_id, campaign_ids, origin)).mappings():
            day = _day(r["forecast_date"])
            if day is None or (day - origin).days != r["horizon_days"]:
                continue  # made on an earlier day for a target date after the origin
            series.setdefault((r["entity_id"], METRIC_OF[str(r["prediction_type"])]), []).append(
                {
                    "date": day.isoformat(),
                    "predicted": r["predicted_value"],
                    "lower": r["confidence_lower"],
                    "upper": r["confidence_upper"],
                }
            )
    return [
        {"entity_id": e, "target_metric": m, "predictions": pts, "forecast_date": origin}
        for (e, m), pts in sorted(series.items())
    ]


def read_forecast_methods(
    engine: sa.Engine, config_id: int, origin: dt.date, series: int
) -> dict[tuple[str, str], tuple[str, bool]]:
    """(entity_id, target_metric) -> (method, insufficient_data) of the account's forecasts made on `origin`.

    ml_forecasts has no index but its primary key. A run writes the account's `series` rows of its day
    in one batch, normally the account's newest: walking the key backwards from the newest rows finds
    them without reading the fleet's history. If some are not there (an older day rewritten since), the
    full read runs instead, so the answer is always the complete set.
    """
    if series <= 0:
        return {}
    found: dict[tuple[str, str], tuple[str, bool]] = {}
    with engine.connect() as conn:
        for newest in (series, None):
            found = {
                (r.entity_id, r.target_metric): (r.method, bool(r.insufficient_data))
                for r in conn.execute(_methods_query(config_id, origin, newest))
                if _day(r.forecast_date) == origin
            }
            if len(found) >= series:
                break
    return found
