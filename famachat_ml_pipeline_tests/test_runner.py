"""A ranged run of the whole graph over several accounts, on SQLite and on Postgres, re-run safely."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.db.writer import bulk_insert
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.runner import IncompleteDay, UnknownAccounts, contiguous_ranges, run_pipeline
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline.source.read import list_config_ids
from famachat_ml_pipeline.source.tables import campaigns_table, insights_table
from famachat_ml_pipeline_tests.conftest import ON_POSTGRES


def _features(engine: sa.Engine) -> pl.DataFrame:
    f = schema.ml_features
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(f.c.config_id, f.c.campaign_id, f.c.window_days, f.c.feature_date)
        ).fetchall()
    return pl.DataFrame(
        [tuple(r) for r in rows], schema=["config_id", "campaign_id", "window_days", "day"], orient="row"
    )


def test_contiguous_ranges() -> None:
    assert contiguous_ranges(["1", "2", "3", "4", "5"], {"1", "2", "4"}) == [["1", "2"], ["4"]]
    assert contiguous_ranges(["3", "1", "2"], {"1", "2", "3"}) == [["3", "1", "2"]]


def test_ranged_run_covers_every_account_and_reruns_replace(settings: Settings) -> None:
    data = generate_demo(n_accounts=4, days=70, seed=3)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    as_of = data.end_date

    (run,) = run_pipeline(settings, as_of=as_of, echo=lambda _: None)
    assert run.success and run.accounts == 4

    # The run is in the Dagster instance, over all four partitions, with our metadata.
    instance = get_instance(settings)
    dagster_run = instance.get_run_by_id(run.run_id)
    assert dagster_run.tags["dagster/asset_partition_range_start"] == "1"
    assert dagster_run.tags["dagster/asset_partition_range_end"] == "4"
    mat = instance.get_latest_materialization_event(dg.AssetKey("campaign_features"))
    meta = mat.asset_materialization.metadata
    assert meta["rows_written"].value > 0 and meta["rows_read"].value > 0

    first = _features(engine)
    delivering = (
        data.insights.filter(pl.col("date_start").is_between(as_of - dt.timedelta(days=59), as_of))
        .join(data.campaigns.select("config_id", "campaign_id"), on=["config_id", "campaign_id"])
        .select("config_id", "campaign_id")
        .unique()
    )
    active = data.campaigns.filter(pl.col("status") == "ACTIVE").join(
        delivering, on=["config_id", "campaign_id"]
    )
    got = first.select("config_id", "campaign_id").unique()
    assert active.join(got, on=["config_id", "campaign_id"], how="anti").is_empty()  # every active campaign
    assert first.group_by("config_id", "campaign_id").len()["len"].unique().to_list() == [3]  # 7/14/30

    # Re-running one account for the same day replaces its rows, never duplicates them.
    with engine.begin() as conn:  # a restatement of the account's last day
        conn.execute(
            insights_table.update()
            .where(insights_table.c.config_id == 2, insights_table.c.date_start == as_of)
            .values(spend=0, leads=0, updated_at=sa.func.now())
        )
    (rerun,) = run_pipeline(settings, config_ids=[2], as_of=as_of, echo=lambda _: None)
    assert rerun.success and rerun.accounts == 1
    second = _features(engine)
    assert second.height == first.height
    assert second.group_by("config_id", "campaign_id", "window_days", "day").len()["len"].max() == 1


def test_as_of_must_be_a_complete_day(settings: Settings) -> None:
    write_demo(get_engine(settings.database_url), generate_demo(n_accounts=1, days=40, seed=3))
    today = dt.datetime.now(dt.UTC).astimezone(ZoneInfo("America/Sao_Paulo")).date()
    with pytest.raises(IncompleteDay, match="not a complete day"):
        run_pipeline(settings, as_of=today, echo=lambda _: None)


def test_unknown_account_is_a_clear_error(settings: Settings) -> None:
    write_demo(get_engine(settings.database_url), generate_demo(n_accounts=1, days=40, seed=3))
    with pytest.raises(UnknownAccounts, match="999"):
        run_pipeline(settings, config_ids=[999], echo=lambda _: None)


def _orphan_rows(engine: sa.Engine, since: dt.date) -> dict[int, int]:
    """Insight rows from `since` on whose campaign is missing from the campaigns table, per account."""
    i, c = insights_table, campaigns_table
    missing = ~sa.exists().where(c.c.config_id == i.c.config_id, c.c.campaign_id == i.c.campaign_id)
    query = sa.select(i.c.config_id, sa.func.count()).where(missing, i.c.date_start >= since)
    with engine.connect() as conn:
        return {int(k): int(n) for k, n in conn.execute(query.group_by(i.c.config_id))}


def _active_recommendations(engine: sa.Engine, config_id: int) -> int:
    r = schema.ml_recommendations
    query = sa.select(sa.func.count()).where(r.c.config_id == config_id, r.c.is_active.is_(True))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


@ON_POSTGRES
def test_an_account_without_campaigns_is_run_counted_and_its_advice_retired(settings: Settings) -> None:
    """Accounts are the config_ids of either source table. One whose campaigns were deleted, or whose
    insights arrived before its campaigns, is run: its rows are set aside as orphans and counted, and its
    recommendations (live or past expires_at) retire, as a campaign's do when it disappears."""
    data = generate_demo(n_accounts=3, days=60, seed=7)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    as_of = data.end_date
    assert run_pipeline(settings, as_of=as_of, echo=lambda _: None)[0].success
    assert _active_recommendations(engine, 3) >= 2

    # account 3's campaigns are deleted, and two of its recommendations are past expires_at
    r = schema.ml_recommendations
    with engine.begin() as conn:
        conn.execute(campaigns_table.delete().where(campaigns_table.c.config_id == 3))
        expiring = sa.select(r.c.id).where(r.c.config_id == 3, r.c.is_active.is_(True)).limit(2)
        ids = [i for (i,) in conn.execute(expiring)]
        conn.execute(r.update().where(r.c.id.in_(ids)).values(expires_at=dt.datetime(2000, 1, 1)))
    (alone,) = run_pipeline(settings, config_ids=[3], as_of=as_of, echo=lambda _: None)
    assert alone.success and alone.accounts == 1
    assert _active_recommendations(engine, 3) == 0

    # account 4's insights arrive before its campaigns
    new = generate_demo(n_accounts=1, days=60, seed=8, first_config_id=4, dirty=False)
    with engine.begin() as conn:
        bulk_insert(
            conn,
            insights_table,
            new.insights.select(c for c in new.insights.columns if c in insights_table.c),
        )
    assert list_config_ids(engine) == [1, 2, 3, 4]
    said: list[str] = []
    (run,) = run_pipeline(settings, as_of=as_of, echo=said.append)
    assert run.success and (run.first, run.last, run.accounts) == ("1", "4", 4)
    assert "running the graph for 4 accounts (1..4)" in " ".join(said)
    figures = get_instance(settings).get_latest_materialization_event(dg.AssetKey("ad_insights"))
    by_reason = figures.asset_materialization.metadata["set_aside_by_reason"].value
    orphans = _orphan_rows(engine, as_of - dt.timedelta(days=89))  # the window ad_insights reads
    assert orphans[3] > 500 and orphans[4] > 500
    assert by_reason["orphan_campaign"] == sum(orphans.values())

    (four,) = run_pipeline(settings, config_ids=[4], as_of=as_of, echo=lambda _: None)
    assert four.success and four.accounts == 1
