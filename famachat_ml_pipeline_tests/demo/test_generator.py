"""Demo data: deterministic, realistic in the ways the pipeline relies on, dirty on purpose."""

from __future__ import annotations

import datetime as dt

import polars as pl

from famachat_ml_pipeline.demo.generator import (
    DIRTY_REASONS,
    EFFECT_KINDS,
    INCIDENT_KINDS,
    clean_demo,
    generate_demo,
)

END = dt.date(2026, 3, 1)


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b = (
        generate_demo(n_accounts=5, seed=3, end_date=END),
        generate_demo(n_accounts=5, seed=3, end_date=END),
    )
    c = generate_demo(n_accounts=5, seed=4, end_date=END)
    assert (
        a.insights.equals(b.insights) and a.campaigns.equals(b.campaigns) and a.incidents.equals(b.incidents)
    )
    assert not a.insights.equals(c.insights)


def test_incidents_dirty_rows_and_budgets() -> None:
    data = generate_demo(n_accounts=6, seed=3, end_date=END)
    assert set(data.incidents["kind"]) == set(INCIDENT_KINDS) | set(EFFECT_KINDS)
    assert data.incidents["end_date"].max() == END
    read = clean_demo(data)
    assert set(read.rejected) >= DIRTY_REASONS
    # budgets are minor units: BRL x100, CLP x1 (CLP amounts are ~180x BRL, so both land in the thousands)
    brl = data.campaigns.filter(pl.col("currency") == "BRL")["daily_budget"].drop_nulls()
    assert brl.min() >= 1000 and (brl % 100 == 0).all()
    assert (data.campaigns["currency"] == "CLP").any()
    # weekly seasonality and paused stretches are in the data
    assert (read.daily.filter(~pl.col("has_row"))["spend"] == 0).all()
    assert (data.campaigns["status"] == "PAUSED").any()
    spend_by_dow = read.daily.group_by(pl.col("date").dt.weekday()).agg(pl.col("spend").sum())["spend"]
    assert spend_by_dow.max() / spend_by_dow.min() > 1.05
