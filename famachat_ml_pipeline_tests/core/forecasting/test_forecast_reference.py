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
    # to the last bit but one: numpy's SIMD exp and log round differently on different CPUs (an AMD EPYC
    # gives 32 CPL bounds 1 ulp away from the recording); any change of the method is far above 1e-13
    assert_frame_equal(
        forecast_cases(demo_daily()),
        pl.read_parquet(REFERENCE),
        check_exact=False,
        rel_tol=1e-13,
        abs_tol=0.0,
    )
