"""campaign_anomalies called directly: finds the demo's incidents as of the run day, upserts idempotently."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.defs.anomalies.assets import AnomalyRunConfig, campaign_anomalies
from famachat_ml_pipeline_tests.defs.conftest import DemoAccounts, count_rows


def test_upserts_anomalies_for_the_run_days_without_duplicates(demo_accounts: DemoAccounts) -> None:
    d = demo_accounts
    config = AnomalyRunConfig(lookback_days=14)
    meta = campaign_anomalies(
        d.context(), config=config, database=d.database, ad_insights=d.ad_insights
    ).metadata
    found = meta["anomalies"]
    assert found > 0 and meta["as_of"] == d.as_of.isoformat()
    assert count_rows(d.engine, schema.ml_anomalies) == found == meta["inserted"]
    t = schema.ml_anomalies
    with d.engine.connect() as conn:
        first, last = conn.execute(
            sa.select(sa.func.min(t.c.anomaly_date), sa.func.max(t.c.anomaly_date))
        ).one()
    first, last = (dt.date.fromisoformat(str(v)[:10]) for v in (first, last))  # SQLite gives datetimes
    assert last <= d.as_of and (d.as_of - first).days < 14

    again = d.materialize(campaign_anomalies, config=config)
    assert (again["inserted"], again["unchanged"]) == (0, found)
    assert count_rows(d.engine, schema.ml_anomalies) == found
