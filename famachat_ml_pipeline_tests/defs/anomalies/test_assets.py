"""campaign_anomalies called directly: finds the demo's incidents as of the run day, upserts idempotently."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import polars as pl
import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.defs.anomalies.assets import AnomalyRunConfig, campaign_anomalies
from famachat_ml_pipeline.defs.shared.partitions import AS_OF_TAG
from famachat_ml_pipeline_tests.defs.conftest import ACCOUNTS, DemoAccounts, count_rows


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

    again = d.materialize(campaign_anomalies, config=config)  # same inputs: nothing to detect again
    assert (again["campaigns_detected"], again["inserted"], again["withdrawn"]) == (0, 0, 0)
    assert count_rows(d.engine, schema.ml_anomalies) == found
    plain = d.materialize(
        campaign_anomalies, config=AnomalyRunConfig(lookback_days=14, reuse_unchanged=False)
    )
    assert plain["campaigns_detected"] == meta["campaigns"]
    assert (plain["inserted"], plain["unchanged"]) == (0, found)
    assert count_rows(d.engine, schema.ml_anomalies) == found


def _context_as_of(d: DemoAccounts, as_of: dt.date) -> dg.AssetExecutionContext:
    return dg.build_asset_context(
        instance=d.instance,
        partition_key_range=dg.PartitionKeyRange(ACCOUNTS[0], ACCOUNTS[-1]),
        run_tags={AS_OF_TAG: as_of.isoformat()},
    )


def test_a_day_that_arrives_late_withdraws_its_anomalies_on_the_next_default_run(
    demo_accounts: DemoAccounts,
) -> None:
    """The hourly run saw a campaign's day with nothing synced yet (zeros); the row then arrived. The next
    run, with the default config, re-checks the past days and withdraws what that day no longer shows."""
    d = demo_accounts
    missing = d.as_of - dt.timedelta(days=3)
    recent = d.ad_insights.filter(pl.col("date").is_between(missing - dt.timedelta(days=14), missing))
    steady = (
        recent.group_by("config_id", "campaign_id")
        .agg((pl.col("spend") > 0).all().alias("steady"), pl.col("status").last())
        .filter(pl.col("steady") & (pl.col("status") == "ACTIVE"))
        .sort("config_id", "campaign_id")
    )
    config_id, campaign = steady.row(0)[:2]
    hole = (
        (pl.col("config_id") == config_id) & (pl.col("campaign_id") == campaign) & (pl.col("date") == missing)
    )
    zeros = {
        c: pl.when(hole).then(0).otherwise(pl.col(c)).alias(c)
        for c in ("impressions", "clicks", "reach", "leads")
    }
    not_synced = d.ad_insights.with_columns(
        pl.when(hole).then(0.0).otherwise(pl.col("spend")).alias("spend"),
        pl.when(hole).then(False).otherwise(pl.col("has_row")).alias("has_row"),
        *zeros.values(),
    )
    campaign_anomalies(
        _context_as_of(d, missing), config=AnomalyRunConfig(), database=d.database, ad_insights=not_synced
    )
    t = schema.ml_anomalies
    on_the_hole = sa.select(t.c.anomaly_type).where(
        t.c.config_id == config_id,
        t.c.entity_id == campaign,
        t.c.anomaly_date == dt.datetime.combine(missing, dt.time()),
    )
    with d.engine.connect() as conn:
        before = set(map(str, conn.execute(on_the_hole).scalars()))
    assert "ZERO_SPEND" in before

    meta = d.materialize(campaign_anomalies, config=AnomalyRunConfig())  # as of 3 days later, defaults
    assert meta["withdrawn"] >= 1
    with d.engine.connect() as conn:
        after = set(map(str, conn.execute(on_the_hole).scalars()))
    assert "ZERO_SPEND" not in after
