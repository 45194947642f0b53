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
    """Every row is the recording's but those of the campaigns the idle rule (2026-12-02, after the
    recording) forecasts to deliver nothing: 4 of the fleet's, in two cases, each of which the recording
    forecast spending or bringing leads after 3 days with nothing spent (one at 0 spend and 10 leads)."""
    new = forecast_cases(_leading_unknown_days_as_zeros(demo_daily()))
    ref = pl.read_parquet(REFERENCE)
    idle = new.filter(pl.col("method") == "idle").select("case", "entity_id").unique()
    assert idle.height == 8 and set(idle["case"]) == {"fleet_auto", "fleet_select"}, idle
    ruled = new.join(idle, on=["case", "entity_id"])
    assert ruled["metric"].unique().sort().to_list() == ["leads", "spend"]  # no CPL without spend
    assert (ruled["method"] == "idle").all() and (ruled["confidence_upper"] == 0).all()
    assert ref.join(idle, on=["case", "entity_id"])["predicted_value"].sum() > 0
    # to the last bit but one: numpy's SIMD exp and log round differently on different CPUs (an AMD EPYC
    # gives 32 CPL bounds 1 ulp away from the recording); any change of the method is far above 1e-13
    assert_frame_equal(
        new.join(idle, on=["case", "entity_id"], how="anti"),
        ref.join(idle, on=["case", "entity_id"], how="anti"),
        check_exact=False,
        rel_tol=1e-13,
        abs_tol=0.0,
    )
