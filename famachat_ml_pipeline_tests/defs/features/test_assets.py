"""campaign_features called directly: writes the run's day of ml_features for the run's accounts."""

from __future__ import annotations

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.defs.features.assets import campaign_features
from famachat_ml_pipeline_tests.defs.conftest import DemoAccounts, count_rows, metadata_of


def test_writes_three_windows_per_campaign_as_of_the_run_day(demo_accounts: DemoAccounts) -> None:
    d = demo_accounts
    meta = d.materialize(campaign_features)
    campaigns = d.ad_insights.select("config_id", "campaign_id").n_unique()
    assert meta["as_of"] == d.as_of.isoformat()
    assert meta["campaigns"] == campaigns > 0
    assert meta["rows_written"] == 3 * campaigns  # 7, 14 and 30 days
    assert count_rows(d.engine, schema.ml_features) == 3 * campaigns

    # A re-run replaces the day's rows instead of adding to them.
    d.materialize(campaign_features)
    assert count_rows(d.engine, schema.ml_features) == 3 * campaigns


def test_an_account_without_rows_writes_nothing(demo_accounts: DemoAccounts) -> None:
    d = demo_accounts
    empty = d.ad_insights.clear()
    meta = metadata_of(campaign_features(d.context(), database=d.database, ad_insights=empty))
    assert (meta["rows_read"], meta["rows_written"], meta["as_of"]) == (0, 0, d.as_of.isoformat())
    assert count_rows(d.engine, schema.ml_features) == 0
