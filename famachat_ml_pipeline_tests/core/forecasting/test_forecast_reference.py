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


def _leading_unknown_days_as_zeros(daily: pl.DataFrame) -> pl.DataFrame:
    """The recording read a campaign's set-aside first days, which nothing before them can impute, as
    zeros; they now start the series later (`fleet_matrix`). The demo has one such day (account 3):
    as zeros again, every figure is the recording's, which shows that it is the only change."""
    leading = pl.col("spend").is_not_null().cum_sum().over("config_id", "campaign_id") == 0
    return daily.sort("config_id", "campaign_id", "date").with_columns(
        pl.when(leading).then(pl.lit(0, daily.schema[c])).otherwise(pl.col(c)).alias(c)
        for c in ("spend", "leads")
    )


def test_forecast_fleet_equals_the_recorded_reference() -> None:
    # to the last bit but one: numpy's SIMD exp and log round differently on different CPUs (an AMD EPYC
    # gives 32 CPL bounds 1 ulp away from the recording); any change of the method is far above 1e-13
    assert_frame_equal(
        forecast_cases(_leading_unknown_days_as_zeros(demo_daily())),
        pl.read_parquet(REFERENCE),
        check_exact=False,
        rel_tol=1e-13,
        abs_tol=0.0,
    )
