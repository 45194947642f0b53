"""A new account's first sync is run once: by new_accounts_sensor. source_data_sensor, ticking after it, ran
it a second time (the account was not in its cursor yet, so all its rows looked new). Real source tables
(SQLite and Postgres) and a real Dagster instance, where the new-accounts run is created as the daemon
creates it (with the request's tags, before the queue takes it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import dagster as dg
import pytest

from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.defs.orchestration.covered import run_partitions
from famachat_ml_pipeline.defs.orchestration.sensors import new_accounts_sensor, source_data_sensor
from famachat_ml_pipeline.defs.pipeline.jobs import ml_pipeline_job
from famachat_ml_pipeline.defs.shared.partitions import config_partitions
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource
from famachat_ml_pipeline.demo.generator import DemoData, generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.source.tables import insights_table
from famachat_ml_pipeline_tests.conftest import instance_for_test

RANGE = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


def _ranges(result: dg.SensorResult) -> list[tuple[str, str]]:
    return [(r.tags[RANGE[0]], r.tags[RANGE[1]]) for r in result.run_requests]


class Deployment:
    """The source database and a Dagster instance, with the daemon's side of a sensor tick."""

    def __init__(self, db_url: str, instance: dg.DagsterInstance) -> None:
        self.engine = get_engine(db_url)
        self.instance = instance
        self.database = DatabaseResource(url=db_url, default_timezone=DEFAULT_TIMEZONE)
        self.source_cursor: str | None = None

    def new_accounts_tick(self) -> list[dg.DagsterRun]:
        """new_accounts_sensor's tick, applied as the daemon applies it: partitions, then queued runs."""
        ctx = dg.build_sensor_context(instance=self.instance, resources={"database": self.database})
        result = new_accounts_sensor(ctx)
        assert isinstance(result, dg.SensorResult)
        for request in result.dynamic_partitions_requests:
            self.instance.add_dynamic_partitions(config_partitions.name, list(request.partition_keys))
        return [
            self.instance.create_run_for_job(
                defs.resolve_job_def(ml_pipeline_job.name),
                run_config=request.run_config,
                tags={**request.tags, "dagster/sensor_name": new_accounts_sensor.name},
                status=dg.DagsterRunStatus.NOT_STARTED,  # created, then submitted to the queue
            )
            for request in result.run_requests
        ]

    def source_tick(self) -> dg.SensorResult:
        ctx = dg.build_sensor_context(
            instance=self.instance, resources={"database": self.database}, cursor=self.source_cursor
        )
        result = source_data_sensor(ctx)
        assert isinstance(result, dg.SensorResult)
        self.source_cursor = result.cursor
        return result

    def sync(self, config_id: int, day: dt.date, updated_at: dt.datetime) -> None:
        """FamaChat restates one of the account's days (its rows' updated_at: the sync's start)."""
        with self.engine.begin() as conn:
            conn.execute(
                insights_table.update()
                .where(insights_table.c.config_id == config_id, insights_table.c.date_start == day)
                .values(spend=insights_table.c.spend + 1, updated_at=updated_at.replace(tzinfo=None))
            )

    def created(self, run: dg.DagsterRun) -> dt.datetime:
        (record,) = self.instance.get_run_records(dg.RunsFilter(run_ids=[run.run_id]))
        created = record.create_timestamp
        return created.replace(tzinfo=dt.UTC) if created.tzinfo is None else created


@pytest.fixture
def deployment(db_url: str) -> Iterator[tuple[Deployment, DemoData]]:
    """Account 1 served (a partition, in source_data_sensor's cursor); account 2 then syncs for the first
    time, between two source_data_sensor ticks."""
    with instance_for_test() as instance:
        world = Deployment(db_url, instance)
        write_demo(world.engine, generate_demo(n_accounts=1, days=40, seed=5))
        instance.add_dynamic_partitions(config_partitions.name, ["1"])
        assert not world.source_tick().run_requests  # the baseline: account 1
        second = generate_demo(n_accounts=1, days=40, seed=6, first_config_id=2)
        write_demo(world.engine, second)
        yield world, second


def test_a_new_account_is_run_once_when_the_new_accounts_tick_comes_first(
    deployment: tuple[Deployment, DemoData],
) -> None:
    world, data = deployment
    (run,) = world.new_accounts_tick()
    assert (run.tags[RANGE[0]], run.tags[RANGE[1]]) == ("2", "2")
    tick = world.source_tick()
    # was [("2", "2")]: a second run of the rows the new-accounts run was created to read
    assert tick.run_requests == []
    assert tick.skip_reason is not None
    assert tick.skip_reason.skip_message == f"account 2 already in run {run.run_id[:8]} (new_accounts_sensor)"
    assert world.source_tick().run_requests == []

    # the account's next sync, after its run was created, gets a run, once
    world.sync(2, data.end_date, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
    assert _ranges(world.source_tick()) == [("2", "2")]
    assert world.source_tick().run_requests == []


def test_a_sync_after_the_new_accounts_run_was_created_still_gets_a_run(
    deployment: tuple[Deployment, DemoData],
) -> None:
    """The new-accounts run reads the source when it starts, after its creation; a sync that began after
    the creation may have committed after that read: it is run, before source_data_sensor ever saw the
    account."""
    world, data = deployment
    (run,) = world.new_accounts_tick()
    world.sync(2, data.end_date - dt.timedelta(days=2), world.created(run) + dt.timedelta(seconds=2))
    assert _ranges(world.source_tick()) == [("2", "2")]
    assert world.source_tick().run_requests == []


@pytest.mark.parametrize("outcome", [dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED])
def test_a_new_account_whose_run_failed_or_was_cancelled_is_run_by_the_data_sensor(
    deployment: tuple[Deployment, DemoData], outcome: dg.DagsterRunStatus
) -> None:
    """A cancelled (or failed) new-accounts run wrote nothing: its rows are not covered."""
    world, _ = deployment
    (run,) = world.new_accounts_tick()
    if outcome == dg.DagsterRunStatus.FAILURE:
        world.instance.report_run_failed(run, "a fonte caiu")
    else:
        world.instance.report_run_canceled(run, "cancelado na UI")
    assert world.instance.get_run_by_id(run.run_id).status == outcome
    assert _ranges(world.source_tick()) == [("2", "2")]


def test_an_account_ran_by_hand_in_a_larger_range_is_covered_too(
    deployment: tuple[Deployment, DemoData],
) -> None:
    """`famachat-ml run --all` (or the UI) registers the new partition and runs a range holding it: the same
    rows, the same single run."""
    world, _ = deployment
    world.instance.add_dynamic_partitions(config_partitions.name, ["2"])
    run = world.instance.create_run_for_job(
        defs.resolve_job_def(ml_pipeline_job.name),
        tags={RANGE[0]: "1", RANGE[1]: "2"},
        status=dg.DagsterRunStatus.STARTED,
    )
    tick = world.source_tick()
    assert tick.run_requests == []
    assert tick.skip_reason.skip_message == f"account 2 already in run {run.run_id[:8]}"


def test_only_a_run_of_the_whole_daily_graph_covers_the_account(
    deployment: tuple[Deployment, DemoData],
) -> None:
    """A run of one asset (the UI's subset of the job) writes only that asset: the account is run."""
    world, _ = deployment
    world.instance.add_dynamic_partitions(config_partitions.name, ["2"])
    world.instance.create_run_for_job(
        defs.resolve_job_def(ml_pipeline_job.name).get_subset(asset_selection={dg.AssetKey("ad_insights")}),
        tags={RANGE[0]: "2", RANGE[1]: "2"},
        asset_selection=frozenset({dg.AssetKey("ad_insights")}),
        status=dg.DagsterRunStatus.NOT_STARTED,
    )
    assert _ranges(world.source_tick()) == [("2", "2")]


def test_a_runs_partitions_are_its_partition_or_its_range_in_the_instances_order() -> None:
    ordered = ["1", "2", "10", "3"]  # the order partitions were added in, not numeric
    position = {k: i for i, k in enumerate(ordered)}
    assert run_partitions({RANGE[0]: "2", RANGE[1]: "3"}, ordered, position) == ["2", "10", "3"]
    assert run_partitions({"dagster/partition": "10"}, ordered, position) == ["10"]
    assert run_partitions({RANGE[0]: "2", RANGE[1]: "9"}, ordered, position) == []  # 9 is gone
    assert run_partitions({}, ordered, position) == []  # a run of no partition (training)
