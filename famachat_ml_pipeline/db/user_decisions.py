"""Users' decisions on the pipeline's results: apply or dismiss a recommendation, acknowledge an anomaly.

Writes ONLY the users' columns (the pipeline never writes them, see writer.py), and only on a row of
the caller's account: a row of another account behaves like a missing one (None).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from famachat_ml_pipeline.db.grants import USER_COLUMNS
from famachat_ml_pipeline.db.schema import ml_anomalies, ml_recommendations

# The one list of users' columns is the grants' (FamaChat's role may UPDATE only these).
RECOMMENDATION_USER_COLUMNS = USER_COLUMNS[ml_recommendations]
ANOMALY_USER_COLUMNS = USER_COLUMNS[ml_anomalies]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _update(
    engine: sa.Engine, table: sa.Table, row_id: int, config_id: int, values: dict[str, Any], returned: tuple
) -> dict[str, Any] | None:
    if not set(values) <= set(USER_COLUMNS[table]):  # never a column the pipeline owns
        raise ValueError(
            f"not users' columns of {table.name}: {sorted(set(values) - set(USER_COLUMNS[table]))}"
        )
    with engine.begin() as conn:
        row = conn.execute(
            table.update()
            .where(table.c.id == row_id, table.c.config_id == config_id)
            .values(values)
            .returning(table.c.id, *[table.c[c] for c in returned])
        ).first()
    return dict(row._mapping) if row is not None else None


def apply_recommendation(
    engine: sa.Engine, config_id: int, recommendation_id: int, user_id: int | None
) -> dict[str, Any] | None:
    values = {"was_applied": True, "applied_at": _now(), "applied_by": user_id}
    return _update(engine, ml_recommendations, recommendation_id, config_id, values, tuple(values))


def dismiss_recommendation(
    engine: sa.Engine, config_id: int, recommendation_id: int, user_id: int | None, reason: str
) -> dict[str, Any] | None:
    values = {"dismissed": True, "dismissed_at": _now(), "dismissed_by": user_id, "dismissed_reason": reason}
    return _update(engine, ml_recommendations, recommendation_id, config_id, values, tuple(values))


def acknowledge_anomaly(
    engine: sa.Engine, config_id: int, anomaly_id: int, user_id: int | None, resolution_notes: str | None
) -> dict[str, Any] | None:
    values = {
        "is_acknowledged": True,
        "acknowledged_at": _now(),
        "acknowledged_by": user_id,
        "resolution_notes": resolution_notes,
    }
    return _update(engine, ml_anomalies, anomaly_id, config_id, values, tuple(values))
