"""The status a past week is forecast with: the source keeps today's only."""

from __future__ import annotations

import datetime as dt

import polars as pl

from famachat_ml_pipeline.agent.facts_forecast_record import _status_then

FIRST = dt.date(2026, 11, 23)


def test_a_campaign_that_delivered_since_was_running_then_and_a_silent_one_keeps_todays_status() -> None:
    days = [FIRST - dt.timedelta(days=1), FIRST, FIRST + dt.timedelta(days=1)]
    daily = pl.DataFrame(
        {
            "campaign_id": ["paused_since"] * 3 + ["paused_before"] * 3 + ["active"] * 3,
            "date": days * 3,
            "spend": [10.0, 12.0, 0.0, 8.0, 0.0, 0.0, 5.0, 5.0, 5.0],
            "status": ["PAUSED"] * 6 + ["ACTIVE"] * 3,
            "effective_status": ["PAUSED"] * 3 + ["CAMPAIGN_PAUSED"] * 3 + ["ACTIVE"] * 3,
        }
    )
    then = (
        _status_then(daily, FIRST).group_by("campaign_id").agg(pl.col("status", "effective_status").first())
    )
    got = {r["campaign_id"]: (r["status"], r["effective_status"]) for r in then.iter_rows(named=True)}
    assert got == {
        "paused_since": ("ACTIVE", "ACTIVE"),  # spent on FIRST: paused after the week began
        "paused_before": ("PAUSED", "CAMPAIGN_PAUSED"),  # silent from FIRST on: already paused
        "active": ("ACTIVE", "ACTIVE"),
    }
