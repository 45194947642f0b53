"""`forecast_fleet` on the demo returns exactly what it returned before the forecasting compute was
optimised (frozen in `data/`, see `reference_forecast.py`)."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from famachat_ml_pipeline_tests.core.forecasting.reference_forecast import (
    REFERENCE,
    demo_daily,
    forecast_cases,
)


def test_forecast_fleet_equals_the_recorded_reference() -> None:
    assert_frame_equal(forecast_cases(demo_daily()), pl.read_parquet(REFERENCE), check_exact=True)
