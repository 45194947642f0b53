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
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.runner import IncompleteDay, UnknownAccounts, contiguous_ranges, run_pipeline
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline.source.tables import insights_table


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
