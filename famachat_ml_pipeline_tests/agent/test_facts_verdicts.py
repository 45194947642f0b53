"""The pure parts of facts_verdicts (the rest is asked through the agent in test_offline_asks14/15)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from famachat_ml_pipeline.agent.facts_verdicts import BUDGET_SLACK, overspent


def test_overspent_gives_each_campaign_its_worst_day_its_count_and_its_week() -> None:
    d = [dt.date(2026, 11, k) for k in (23, 24, 25, 26)]
    budgeted = pl.DataFrame(
        {
            "campaign_id": ["a", "a", "a", "b", "b"],
            "date": [d[0], d[1], d[2], d[0], d[3]],
            "spend": [150.0, 150.0, 110.0, 130.0, 50.0],
            "daily_budget": [100.0, 100.0, 100.0, 100.0, 100.0],
        }
    )
    over = budgeted.filter(pl.col("spend") > pl.col("daily_budget") * (1 + BUDGET_SLACK))
    rows = overspent(over, budgeted).to_dicts()
    assert [r["campaign_id"] for r in rows] == ["a", "b"]  # the worst overspend first
    a, b = rows
    assert (a["days"], a["date"], a["ratio"]) == (2, d[0], 1.5)  # two days at 1.5: the earliest
    assert (a["spend_7d"], a["budget_7d"]) == (410.0, 300.0)  # its within-margin day counts in the week
    assert (b["days"], b["date"], b["spend"], b["daily_budget"]) == (1, d[0], 130.0, 100.0)
    assert (b["spend_7d"], b["budget_7d"]) == (180.0, 200.0)
    assert BUDGET_SLACK == 0.25  # the source contract's margin
