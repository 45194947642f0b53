"""forecast_accuracy fills actuals once a predicted day is complete, and fills again after a restatement."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline.source.tables import insights_table
from famachat_ml_pipeline_tests.conftest import ON_POSTGRES


def _spend_predictions(engine: sa.Engine, campaign: str) -> dict[dt.datetime, tuple]:
    p = schema.ml_predictions
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(p.c.forecast_date, p.c.actual_value, p.c.absolute_error, p.c.predicted_value).where(
                p.c.entity_id == campaign, p.c.prediction_type == "SPEND_FORECAST", p.c.horizon_days == 3
            )
        ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


@ON_POSTGRES
def test_actuals_filled_then_refilled_after_restatement(settings: Settings) -> None:
    data = generate_demo(n_accounts=2, days=60, seed=5)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    end = data.end_date
    origin = end - dt.timedelta(days=7)
    assert run_pipeline(settings, as_of=origin, echo=lambda _: None)[0].success
    assert run_pipeline(settings, as_of=end, echo=lambda _: None)[0].success

    campaign = data.incidents.filter(data.incidents["kind"] == "spend_spike")["campaign_id"][0]
    target = origin + dt.timedelta(days=3)
    key = dt.datetime.combine(target, dt.time())
    (actual, abs_err, predicted) = _spend_predictions(engine, campaign)[key]
    with engine.connect() as conn:
        spend = (
            conn.execute(
                sa.select(insights_table.c.spend)
                .where(insights_table.c.campaign_id == campaign, insights_table.c.date_start == target)
                .order_by(insights_table.c.updated_at.desc())
            )
            .scalars()
            .first()
        )
    assert actual == float(spend)
    assert abs_err == abs(predicted - float(spend))

    # Meta restates that day: FamaChat updates the row; the next validation fills the new actual.
    with engine.begin() as conn:
        conn.execute(
            insights_table.update()
            .where(insights_table.c.campaign_id == campaign, insights_table.c.date_start == target)
            .values(spend=float(spend) + 100, updated_at=sa.func.now())
        )
    assert run_pipeline(settings, as_of=end, echo=lambda _: None)[0].success
    (actual2, abs_err2, _) = _spend_predictions(engine, campaign)[key]
    assert actual2 == float(spend) + 100
    assert abs_err2 == abs(predicted - actual2)

    meta = get_instance(settings).get_latest_materialization_event(dg.AssetKey("forecast_accuracy"))
    metadata = meta.asset_materialization.metadata
    assert metadata["predictions_filled"].value >= 1
    coverage = metadata["spend_coverage"].value
    assert 0.0 <= coverage <= 1.0 and metadata["spend_mase"].value > 0
