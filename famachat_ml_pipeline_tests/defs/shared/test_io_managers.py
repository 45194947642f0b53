"""The daily-frame hand-off is run-scoped: a run reads only the frame its own step wrote, even when
another run writes the same asset for the same account in the middle of it."""

import datetime as dt
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from famachat_ml_pipeline.core.frames import DAILY_SCHEMA
from famachat_ml_pipeline.defs.shared.io_managers import (
    DailyFrameIOManager,
    FrameFromAnotherRun,
    remove_frames_except,
    remove_run_frames,
    runs_with_frames,
)
from famachat_ml_pipeline.defs.shared.partitions import config_partitions
from famachat_ml_pipeline_tests.conftest import instance_for_test

DAY_TAG = "test/day"


def _frame_of(day: dt.date) -> pl.DataFrame:
    row = {c: None for c in DAILY_SCHEMA} | {
        "config_id": 2,
        "campaign_id": "c1",
        "date": day,
        "has_row": True,
    }
    return pl.DataFrame([row], schema=DAILY_SCHEMA)


@dg.asset(partitions_def=config_partitions, io_manager_key="frames")
def daily(context: dg.AssetExecutionContext) -> pl.DataFrame:
    return _frame_of(dt.date.fromisoformat(context.run.tags[DAY_TAG]))


@dg.asset(partitions_def=config_partitions, deps=[daily])
def meddler(context: dg.AssetExecutionContext) -> None:
    """Another run (a past-day backfill of the same account) writes `daily` while this run is between
    its `daily` step and its reader."""
    if context.run.tags.get("test/meddle") == "yes":
        other = dg.materialize(
            [daily],
            instance=context.instance,
            resources={"frames": context.resources.frames},
            partition_key="2",
            tags={DAY_TAG: "2026-11-10"},
        )
        assert other.success


@dg.asset(partitions_def=config_partitions, deps=[meddler], required_resource_keys={"frames"})
def reader(context: dg.AssetExecutionContext, daily: pl.DataFrame) -> dict:
    return {"dates": daily["date"].to_list()}


def _run(instance: dg.DagsterInstance, base: Path, assets: list, tags: dict) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        assets,
        instance=instance,
        resources={"frames": DailyFrameIOManager(base_dir=str(base))},
        partition_key="2",
        tags=tags,
    )


def test_a_run_reads_its_own_frame_even_if_another_run_rewrites_it(tmp_path: Path) -> None:
    with instance_for_test() as instance:
        instance.add_dynamic_partitions(config_partitions.name, ["2"])
        result = _run(
            instance, tmp_path, [daily, meddler, reader], {DAY_TAG: "2026-11-27", "test/meddle": "yes"}
        )
        assert result.success
        assert result.output_for_node("reader")["dates"] == [dt.date(2026, 11, 27)]
        # both runs left a frame folder (one each): removing one run's leaves the other's
        runs = runs_with_frames(str(tmp_path))
        assert len(runs) == 2 and result.run_id in runs
        remove_run_frames(str(tmp_path), result.run_id)
        assert result.run_id not in runs_with_frames(str(tmp_path))
        assert remove_frames_except(str(tmp_path), keep_run_ids=[]) == [r for r in runs if r != result.run_id]
        assert runs_with_frames(str(tmp_path)) == []


def test_a_run_without_the_upstream_step_does_not_read_an_older_runs_frame(tmp_path: Path) -> None:
    with instance_for_test() as instance:
        instance.add_dynamic_partitions(config_partitions.name, ["2"])
        assert _run(instance, tmp_path, [daily], {DAY_TAG: "2026-11-27"}).success
        with pytest.raises(FrameFromAnotherRun):
            _run(instance, tmp_path, [reader, meddler, daily.to_source_asset()], {})
