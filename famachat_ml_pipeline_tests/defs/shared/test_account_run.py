"""AccountRun: a run's as_of is decided once and every asset of the run uses it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
from alembic import command

from famachat_ml_pipeline import preflight
from famachat_ml_pipeline.db.engine import alembic_config, head_revision, migrate
from famachat_ml_pipeline.defs.features.assets import campaign_features
from famachat_ml_pipeline.defs.ingest.assets import ad_insights
from famachat_ml_pipeline.defs.shared.account_run import latest_complete_day_of
from famachat_ml_pipeline.defs.shared.io_managers import (
    PASS_ALONG_IO_MANAGER,
    DailyFrameIOManager,
    PassAlongIOManager,
)
from famachat_ml_pipeline.defs.shared.partitions import AS_OF_TAG, RESULTS_KEPT_TAG
from famachat_ml_pipeline_tests.defs.conftest import DemoAccounts


def _materialize(d: DemoAccounts, frames: Path, tags: dict[str, str]) -> dg.ExecuteInProcessResult:
    resources = {
        "database": d.database,
        "daily_frame_io_manager": DailyFrameIOManager(base_dir=str(frames)),
        PASS_ALONG_IO_MANAGER: PassAlongIOManager(base_dir=str(frames)),
    }
    return dg.materialize(
        [ad_insights, campaign_features],
        partition_key="1",
        instance=d.instance,
        resources=resources,
        tags=tags,
        raise_on_error=False,
    )


def _as_of(result: dg.ExecuteInProcessResult, asset: str) -> str:
    (event,) = result.asset_materializations_for_node(asset)
    return event.metadata["as_of"].value


def test_a_run_without_tag_pins_the_latest_complete_day_for_every_asset(
    demo_accounts: DemoAccounts, tmp_path: Path
) -> None:
    d = demo_accounts
    result = _materialize(d, tmp_path / "frames", {})
    assert result.success
    pinned = d.instance.get_run_by_id(result.run_id).tags[AS_OF_TAG]
    assert pinned == latest_complete_day_of(d.engine, [1], d.database.default_timezone).isoformat()
    assert _as_of(result, "ad_insights") == _as_of(result, "campaign_features") == pinned


def test_a_tagged_run_uses_its_day_and_refuses_an_incomplete_one(
    demo_accounts: DemoAccounts, tmp_path: Path
) -> None:
    d = demo_accounts
    earlier = (d.as_of - dt.timedelta(days=5)).isoformat()
    result = _materialize(d, tmp_path / "frames", {AS_OF_TAG: earlier})
    assert result.success
    assert _as_of(result, "ad_insights") == _as_of(result, "campaign_features") == earlier

    future = _materialize(d, tmp_path / "frames", {AS_OF_TAG: (d.as_of + dt.timedelta(days=30)).isoformat()})
    assert not future.success
    assert not future.asset_materializations_for_node("ad_insights")


def test_a_schema_behind_the_code_fails_the_run_with_one_clear_line(
    demo_accounts: DemoAccounts, tmp_path: Path
) -> None:
    # a deployment upgraded without `famachat-ml migrate`: the daemon's runs never migrate
    d = demo_accounts
    cfg = alembic_config(d.database.url)
    with d.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    preflight._CURRENT.clear()  # this process saw the schema at head before
    try:
        result = _materialize(d, tmp_path / "frames", {})
        assert not result.success
        (failure,) = [e for e in result.all_events if e.is_step_failure]
        message = failure.step_failure_data.user_failure_data.description
        assert f"at revision 0006, this code needs {head_revision()}" in message
        assert "run `famachat-ml migrate`" in message
        assert not result.asset_materializations_for_node("ad_insights")
    finally:
        migrate(d.database.url)
    preflight._CURRENT.clear()
    assert _materialize(d, tmp_path / "frames", {}).success


def test_accounts_pinned_by_an_earlier_run_are_read_afresh(
    demo_accounts: DemoAccounts, tmp_path: Path
) -> None:
    """A re-execution inherits its parent's tags: an account whose rows were all set aside then, and are
    good now, is written for (the tag is cleared); kept, it would keep stale results for good."""
    d = demo_accounts
    result = _materialize(d, tmp_path / "frames", {AS_OF_TAG: d.as_of.isoformat(), RESULTS_KEPT_TAG: "1"})
    assert result.success
    assert d.instance.get_run_by_id(result.run_id).tags[RESULTS_KEPT_TAG] == ""
    (event,) = result.asset_materializations_for_node("campaign_features")
    assert event.metadata["rows_written"].value > 0
    assert "accounts_results_kept" not in event.metadata
