"""Real Dagster runs: a daily run, the source changes, an hourly run re-detects only what changed; the
ml_anomalies rows then equal, exactly, what the plain path (every campaign detected again) writes."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import polars as pl
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.source.tables import campaigns_table, insights_table
from famachat_ml_pipeline_tests.defs.anomalies.conftest import HourlyJob

DETECTOR = ["observed_value", "expected_value", "deviation_score", "severity"]


def _rows(engine: sa.Engine) -> pl.DataFrame:
    """ml_anomalies without ids and timestamps, in a stable order."""
    t = schema.ml_anomalies
    cols = [
        "config_id",
        "entity_id",
        "anomaly_type",
        "metric_name",
        "anomaly_date",
        *DETECTOR,
        "is_acknowledged",
    ]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*[t.c[c] for c in cols])).fetchall()
    frame = pl.DataFrame([tuple(r) for r in rows], orient="row", schema=cols, infer_schema_length=None)
    return frame.with_columns(pl.col("severity").cast(pl.String)).sort(cols[:5])


def _detected(result: dg.ExecuteInProcessResult) -> tuple[int, int, dict]:
    # the run's figures are on its last event (defs/shared/run_metadata.py)
    (*_, event) = result.asset_materializations_for_node("campaign_anomalies")
    meta = {k: v.value for k, v in event.metadata.items()}
    return meta["campaigns_detected"], meta["campaigns"], meta


def test_hourly_rows_after_source_changes_equal_the_plain_path(hourly_job: HourlyJob) -> None:
    engine = hourly_job.engine

    def run(reuse: bool = True) -> dg.ExecuteInProcessResult:
        result = hourly_job.run({"reuse_unchanged": reuse})
        assert result.success
        return result

    detected, total, _ = _detected(run())  # the day's first run: nothing stored, every campaign
    assert detected == total > 0
    daily = _rows(engine)
    assert daily.height > 0
    detected, _, _ = _detected(run())  # nothing changed: nothing detected, nothing written
    assert detected == 0
    assert_frame_equal(_rows(engine), daily, check_exact=True)

    # The source changes as it does between two hourly runs: a restated day, a campaign paused, a
    # campaign's rows gone; and a user acknowledges an anomaly of the restated campaign.
    by_campaign = daily.group_by("config_id", "entity_id").len().sort("len", "entity_id", descending=True)
    (c1, restated), (c2, paused), (c3, gone) = (
        by_campaign.filter(pl.col("config_id") == i).row(0)[:2] for i in (1, 2, 3)
    )
    day = hourly_job.end_date - dt.timedelta(days=2)
    i, c, a = insights_table, campaigns_table, schema.ml_anomalies
    with engine.begin() as conn:
        conn.execute(
            i.update()
            .where(i.c.config_id == c1, i.c.campaign_id == restated, i.c.date_start == day)
            .values(spend=i.c.spend * 3, leads=0, updated_at=sa.func.now())
        )
        conn.execute(c.update().where(c.c.config_id == c2, c.c.campaign_id == paused).values(status="PAUSED"))
        conn.execute(i.delete().where(i.c.config_id == c3, i.c.campaign_id == gone))
        acked = conn.execute(sa.select(sa.func.min(a.c.id)).where(a.c.entity_id == restated)).scalar_one()
        conn.execute(a.update().where(a.c.id == acked).values(is_acknowledged=True, resolution_notes="visto"))

    detected, total, meta = _detected(run())  # the hourly run: only the three changed campaigns
    assert detected == 3 < total
    hourly = _rows(engine)
    assert not hourly.equals(daily)  # the changes did change the detections
    assert meta["inserted"] + meta["updated"] + meta["withdrawn"] > 0

    _, _, plain = _detected(run(reuse=False))  # every campaign detected and upserted again
    assert (plain["campaigns_detected"], plain["inserted"], plain["updated"], plain["withdrawn"]) == (
        plain["campaigns"],
        0,
        0,
        0,
    )
    assert_frame_equal(_rows(engine), hourly, check_exact=True)
    with engine.connect() as conn:
        notes = conn.execute(sa.select(a.c.resolution_notes).where(a.c.id == acked)).scalar_one()
    assert notes == "visto"
