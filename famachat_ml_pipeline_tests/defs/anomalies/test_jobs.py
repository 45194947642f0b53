"""The hourly anomaly job is safe to repeat: no duplicate anomalies, users' acknowledgements kept."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline_tests.defs.anomalies.conftest import HourlyJob


def _anomalies(engine: sa.Engine) -> pl.DataFrame:
    t = schema.ml_anomalies
    with engine.connect() as conn:
        cols = [
            t.c.id,
            t.c.entity_id,
            t.c.anomaly_type,
            t.c.metric_name,
            t.c.anomaly_date,
            t.c.is_acknowledged,
            t.c.resolution_notes,
        ]
        rows = conn.execute(sa.select(*cols)).fetchall()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        orient="row",
        schema=["id", "entity_id", "type", "metric", "day", "ack", "notes"],
    )


def test_hourly_anomaly_job_repeats_without_duplicates(hourly_job: HourlyJob) -> None:
    engine = hourly_job.engine
    lookback = {"lookback_days": 7}

    assert hourly_job.run(lookback).success
    first = _anomalies(engine)
    assert first.height > 0
    acked_id = first["id"][0]
    t = schema.ml_anomalies
    with engine.begin() as conn:
        conn.execute(
            t.update().where(t.c.id == acked_id).values(is_acknowledged=True, resolution_notes="visto")
        )

    for _ in range(2):
        assert hourly_job.run(lookback).success
    again = _anomalies(engine)
    assert again.height == first.height
    assert again.select("entity_id", "type", "metric", "day").is_duplicated().sum() == 0
    acked = again.filter(pl.col("id") == acked_id).to_dicts()[0]
    assert acked["ack"] is True and acked["notes"] == "visto"
