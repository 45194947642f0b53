"""A small real account set for calling assets directly: demo data in a real SQLite database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.defs.shared.partitions import AS_OF_TAG, config_partitions
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.source.read import read_daily_insights
from famachat_ml_pipeline_tests.conftest import instance_for_test

ACCOUNTS = ["1", "2"]


@dataclass
class DemoAccounts:
    database: DatabaseResource
    engine: sa.Engine
    as_of: dt.date
    ad_insights: pl.DataFrame  # what the ad_insights asset hands on for ACCOUNTS
    instance: dg.DagsterInstance

    def context(self) -> dg.AssetExecutionContext:
        """An asset context over ACCOUNTS, with the run's as_of tag, as in a ranged run."""
        return dg.build_asset_context(
            instance=self.instance,
            partition_key_range=dg.PartitionKeyRange(ACCOUNTS[0], ACCOUNTS[-1]),
            run_tags={AS_OF_TAG: self.as_of.isoformat()},
        )

    def materialize(self, asset: dg.AssetsDefinition, **kwargs: object) -> dict:
        """Calls the asset function over ACCOUNTS with this frame; returns its metadata."""
        result = asset(self.context(), database=self.database, ad_insights=self.ad_insights, **kwargs)
        return metadata_of(result)


def metadata_of(result: dg.MaterializeResult | dg.Output) -> dict:
    """An asset's metadata as plain values (an Output wraps them in MetadataValue, MaterializeResult not)."""
    return {k: v.value if isinstance(v, dg.MetadataValue) else v for k, v in result.metadata.items()}


def demo_accounts_on(url: str) -> Iterator[DemoAccounts]:
    """ACCOUNTS of a 60-day demo written to the database at `url`, with a Dagster instance that knows them."""
    migrate(url)
    engine = get_engine(url)
    data = generate_demo(n_accounts=len(ACCOUNTS), days=60, seed=5)
    write_demo(engine, data)
    frame = read_daily_insights(engine, [int(a) for a in ACCOUNTS], data.end_date).daily
    database = DatabaseResource(url=url, default_timezone=DEFAULT_TIMEZONE)
    with instance_for_test() as instance:
        instance.add_dynamic_partitions(config_partitions.name, ACCOUNTS)
        yield DemoAccounts(database, engine, data.end_date, frame, instance)


@pytest.fixture
def demo_accounts(sqlite_url: str) -> Iterator[DemoAccounts]:
    yield from demo_accounts_on(sqlite_url)


def count_rows(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
