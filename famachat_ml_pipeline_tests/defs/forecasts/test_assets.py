"""campaign_forecasts called directly: up to one forecast per campaign and metric, one prediction per day."""

from __future__ import annotations

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.defs.forecasts.assets import ForecastRunConfig, campaign_forecasts
from famachat_ml_pipeline_tests.defs.conftest import DemoAccounts, count_rows, metadata_of


def test_forecasts_every_campaign_over_the_horizon(demo_accounts: DemoAccounts) -> None:
    d = demo_accounts
    config = ForecastRunConfig(horizon_days=3)
    meta = metadata_of(
        campaign_forecasts(d.context(), config=config, database=d.database, ad_insights=d.ad_insights)
    )
    campaigns = d.ad_insights.select("config_id", "campaign_id").n_unique()
    assert meta["as_of"] == d.as_of.isoformat()
    assert meta["campaigns"] == campaigns > 0
    forecasts = count_rows(d.engine, schema.ml_forecasts)
    predictions = count_rows(d.engine, schema.ml_predictions)
    assert forecasts == meta["forecasts"]
    assert 2 * campaigns < forecasts <= 3 * campaigns  # spend, leads, CPL (not for every series)
    assert predictions == meta["predictions"]
    assert 2 * forecasts < predictions <= 3 * forecasts  # at most one per horizon day

    # Re-running the same day replaces its forecasts.
    d.materialize(campaign_forecasts, config=config)
    assert count_rows(d.engine, schema.ml_forecasts) == forecasts
