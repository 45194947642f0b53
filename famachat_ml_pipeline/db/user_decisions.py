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


class DecisionConflict(Exception):
    """The other decision was taken first: a recommendation is applied or dismissed, never both."""

    def __init__(self, row: dict[str, Any]) -> None:
        was = "applied" if row["was_applied"] else "dismissed"
        super().__init__(f"recommendation {row['id']} was already {was}")
        self.row = row


def _decide(
    engine: sa.Engine, recommendation_id: int, config_id: int, values: dict[str, Any], done: str, other: str
) -> dict[str, Any] | None:
    """One decision on a recommendation: written only while it has none; the same decision again returns the
    row as the first one left it (who and when stay the first's); the other decision raises DecisionConflict.
    The WHERE is re-checked under the row lock, so two callers racing apply and dismiss get one each."""
    t = ml_recommendations
    undecided = sa.and_(*(sa.func.coalesce(t.c[c], sa.false()) == sa.false() for c in (done, other)))
    columns = (t.c.id, *[t.c[c] for c in RECOMMENDATION_USER_COLUMNS])
    mine = sa.and_(t.c.id == recommendation_id, t.c.config_id == config_id)
    with engine.begin() as conn:
        row = conn.execute(t.update().where(mine, undecided).values(values).returning(*columns)).first()
        if row is None:
            row = conn.execute(sa.select(*columns).where(mine)).first()
    if row is None:  # missing, or another account's
        return None
    found = dict(row._mapping)
    if found[other]:
        raise DecisionConflict(found)
    return found


def apply_recommendation(
    engine: sa.Engine, config_id: int, recommendation_id: int, user_id: int | None
) -> dict[str, Any] | None:
    values = {"was_applied": True, "applied_at": _now(), "applied_by": user_id}
    return _decide(engine, recommendation_id, config_id, values, "was_applied", "dismissed")


def dismiss_recommendation(
    engine: sa.Engine, config_id: int, recommendation_id: int, user_id: int | None, reason: str
) -> dict[str, Any] | None:
    values = {"dismissed": True, "dismissed_at": _now(), "dismissed_by": user_id, "dismissed_reason": reason}
    return _decide(engine, recommendation_id, config_id, values, "dismissed", "was_applied")


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
