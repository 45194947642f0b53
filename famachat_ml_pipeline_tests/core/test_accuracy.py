"""Prediction validation: errors against actuals, re-filled when actuals change, cleared when unknown."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from famachat_ml_pipeline.core.accuracy import score_predictions
from famachat_ml_pipeline.core.frames import DAILY_SCHEMA

D = dt.date(2026, 3, 10)


def daily(spend: list[float | None], leads: list[int | None]) -> pl.DataFrame:
    n = len(spend)
    return pl.DataFrame(
        {
            "config_id": [1] * n,
            "campaign_id": ["a"] * n,
            "date": [D - dt.timedelta(days=n - 1 - i) for i in range(n)],
            "spend": spend,
            "leads": leads,
        },
    ).with_columns(
        [
            pl.lit(None, dtype=t).alias(c)
            for c, t in DAILY_SCHEMA.items()
            if c not in {"config_id", "campaign_id", "date", "spend", "leads"}
        ]
    )


def predictions(stored: list[float | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [1, 2],
            "config_id": [1, 1],
            "entity_id": ["a", "a"],
            "prediction_type": ["SPEND_FORECAST", "CPL_FORECAST"],
            "forecast_date": [D, D],
            "predicted_value": [110.0, 20.0],
            "confidence_lower": [90.0, 10.0],
            "confidence_upper": [130.0, 30.0],
            "actual_value": stored,
        }
    )


def test_fill_refill_and_clear() -> None:
    history = [100.0] * 14
    changed, metrics = score_predictions(predictions([None, None]), daily(history, [5] * 14))
    rows = {r["id"]: r for r in changed.iter_rows(named=True)}
    assert rows[1]["actual_value"] == 100.0 and rows[1]["absolute_error"] == 10.0
    assert rows[1]["percentage_error"] == pytest.approx(10.0)
    assert rows[2]["actual_value"] == 20.0 and rows[2]["absolute_error"] == 0.0
    assert metrics["spend"]["coverage"] == 1.0
    # same actuals again: nothing to write
    assert score_predictions(predictions([100.0, 20.0]), daily(history, [5] * 14))[0].is_empty()
    # the day lost its leads (CPL undefined) and its spend was restated
    changed, _ = score_predictions(predictions([100.0, 20.0]), daily(history[:-1] + [150.0], [5] * 13 + [0]))
    rows = {r["id"]: r for r in changed.iter_rows(named=True)}
    assert rows[1]["actual_value"] == 150.0 and rows[2]["actual_value"] is None
