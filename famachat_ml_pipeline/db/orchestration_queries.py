"""Reads of ml_* tables that orchestration needs: new CRITICAL anomalies to alert on, and whether any model
was ever trained (so the first run of a fresh deployment may train once)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.source.tables import campaigns_table


@dataclass(frozen=True)
class CriticalAnomaly:
    id: int
    config_id: int
    entity_type: str
    entity_id: str
    campaign_name: str | None
    anomaly_type: str
    metric_name: str
    observed_value: float
    expected_value: float
    anomaly_date: str


def critical_anomalies_after(engine: sa.Engine, last_id: int, limit: int = 50) -> list[CriticalAnomaly]:
    """CRITICAL anomalies with an id above `last_id`, oldest first (ids only grow: the alert cursor), with
    the campaign's name from the source when FamaChat has one."""
    t, c = schema.ml_anomalies, campaigns_table
    on_campaign = sa.and_(c.c.config_id == t.c.config_id, c.c.campaign_id == t.c.entity_id)
    query = (
        sa.select(
            t.c.id, t.c.config_id, t.c.entity_type, t.c.entity_id, c.c.name, t.c.anomaly_type,
            t.c.metric_name, t.c.observed_value, t.c.expected_value, t.c.anomaly_date,
        )
        .select_from(t.outerjoin(c, on_campaign))
        .where(t.c.id > last_id, t.c.severity == "CRITICAL")
        .order_by(t.c.id)
        .limit(limit)
    )  # fmt: skip
    with engine.connect() as conn:
        rows = conn.execute(query).fetchall()
    return [
        CriticalAnomaly(int(r[0]), int(r[1]), r[2], str(r[3]), r[4], r[5], r[6], float(r[7]), float(r[8]),
                        str(r[9])[:10])
        for r in rows
    ]  # fmt: skip


def max_anomaly_id(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(sa.select(sa.func.coalesce(sa.func.max(schema.ml_anomalies.c.id), 0))).scalar()
        )


def any_model_trained(engine: sa.Engine, model_type: str) -> bool:
    """Whether a model of this type was ever registered (ACTIVE, READY or retired)."""
    t = schema.ml_trained_models
    with engine.connect() as conn:
        return (
            conn.execute(sa.select(t.c.id).where(t.c.model_type == model_type).limit(1)).first() is not None
        )
