"""forecast_calibration: the calibration each day's forecast run used (migration 0007), kept so that a
later run of a few accounts on the same days borrows the fleet's (`core.forecasting.FleetCalibration`).

The pipeline's own bookkeeping, never read by FamaChat, kept apart from the ml_* tables (which stay the
seed's DDL). One row per (as_of, horizon, level, model_version): the largest pool of that day wins, so a
one-account run never replaces the fleet's, a new forecaster's row never competes with the old one's, and a
backfill of a past day writes that day's row only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from famachat_ml_pipeline.core.forecasting import FleetCalibration
from famachat_ml_pipeline.db.schema import JSON

metadata = sa.MetaData()

forecast_calibration = sa.Table(
    "forecast_calibration",
    metadata,
    sa.Column("as_of", sa.Date, primary_key=True),
    sa.Column("horizon", sa.Integer, primary_key=True),
    sa.Column("level", sa.Float, primary_key=True),
    sa.Column("n_series", sa.Integer, nullable=False),
    sa.Column("calibration", JSON, nullable=False),
    sa.Column("model_version", sa.String(50), primary_key=True),
    sa.Column("created_at", sa.DateTime, server_default=sa.func.now()),
)

FORECAST_CALIBRATION_TABLES = (forecast_calibration,)
MAX_AGE_DAYS = 7  # an older calibration is not borrowed: the fleet's errors of a week ago still hold


class UnreadableCalibration(ValueError):
    """The newest row does not parse: the caller calibrates on its own pool (and says so)."""


@dataclass(frozen=True)
class StoredCalibration:
    as_of: dt.date
    calibration: FleetCalibration


def store_calibration(
    engine: sa.Engine, as_of: dt.date, horizon: int, calibration: FleetCalibration, model_version: str
) -> bool:
    """Keep `calibration` as the day's unless the day already has one of a pool at least as large.
    True when it was written."""
    t = forecast_calibration
    row = {
        "as_of": as_of,
        "horizon": horizon,
        "level": calibration.level,
        "n_series": calibration.n_series,
        "calibration": calibration.to_json(),
        "model_version": model_version,
    }
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(t).values(**row)
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.c.as_of, t.c.horizon, t.c.level, t.c.model_version],
        set_={k: stmt.excluded[k] for k in ("n_series", "calibration")} | {"created_at": sa.func.now()},
        where=stmt.excluded.n_series > t.c.n_series,
    ).returning(t.c.as_of)  # a row back only when written (rowcount is -1 on some drivers)
    with engine.begin() as conn:
        return conn.execute(stmt).first() is not None


def read_calibration(
    engine: sa.Engine,
    as_of: dt.date,
    horizon: int,
    level: float,
    model_version: str,
    max_age_days: int = MAX_AGE_DAYS,
) -> StoredCalibration | None:
    """The newest stored calibration of `model_version` of a day in [as_of - max_age_days, as_of] (never a
    later day's: a backfill of the past does not borrow from the present). Whether a run may use it (its
    method, its pool's size) is `FleetCalibration.lends_to`'s to say."""
    t = forecast_calibration
    query = (
        sa.select(t.c.as_of, t.c.calibration)
        .where(
            t.c.as_of <= as_of,
            t.c.as_of >= as_of - dt.timedelta(days=max_age_days),
            t.c.horizon == horizon,
            t.c.level == level,
            t.c.model_version == model_version,
        )
        .order_by(t.c.as_of.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    try:
        return StoredCalibration(row.as_of, FleetCalibration.from_json(row.calibration))
    except ValueError as exc:
        raise UnreadableCalibration(f"forecast_calibration of {row.as_of}: {exc}") from exc
