"""Pure forecasting core: known answers, non-negativity, CPL rules, and no peeking past as_of."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

from famachat_ml_pipeline.core.forecasting import (
    HW_GRID,
    METHODS,
    MIN_HISTORY,
    OUTPUT_SCHEMA,
    derive_cpl,
    ema_forecasts,
    ets_forecasts,
    forecast_fleet,
    forecast_matrix,
)

H = 7
ALL = (*METHODS, "auto")
PATTERN = np.array([10.0, 12.0, 15.0, 14.0, 11.0, 4.0, 3.0])


def _matrix(*rows: np.ndarray) -> np.ndarray:
    """Right-aligned matrix, NaN-padded on the left, like the fleet."""
    T = max(len(r) for r in rows)
    return np.vstack([np.concatenate([np.full(T - len(r), np.nan), r]) for r in rows])


def test_seed_ema_matches_pandas_exactly() -> None:
    rng = np.random.default_rng(1)
    y = rng.gamma(2.0, 10.0, 40)
    s = pd.Series(y)
    short, medium, long_ = (s.ewm(span=k).mean().iloc[-1] for k in (3, 7, 14))
    base, trend = 0.5 * short + 0.3 * medium + 0.2 * long_, (short - long_) / 14
    days = np.arange(1, H + 1)
    expected = base + trend * days * 0.5
    points, half = ema_forecasts(_matrix(y, y[-25:]), np.array([40]), H)
    np.testing.assert_allclose(points[0, 0], expected, rtol=1e-12)
    np.testing.assert_allclose(half[0, 0], s.std() * 1.959963984540054 * np.sqrt(days), rtol=1e-12)
    # a shorter series (left padding) is the pandas EMA of its own days only
    s2 = pd.Series(y[-25:])
    e3, e7, e14 = (s2.ewm(span=k).mean().iloc[-1] for k in (3, 7, 14))
    expected2 = 0.5 * e3 + 0.3 * e7 + 0.2 * e14 + (e3 - e14) / 14 * days * 0.5
    np.testing.assert_allclose(points[0, 1], expected2, rtol=1e-12)


@pytest.mark.parametrize("method", ALL)
def test_constant_series_is_forecast_as_the_constant(method: str) -> None:
    fc = forecast_matrix(np.full((2, 60), 42.0), H, method)
    np.testing.assert_allclose(fc.point, 42.0, atol=1e-9)
    assert (fc.lower <= fc.point + 1e-9).all() and (fc.upper >= fc.point - 1e-9).all()


def test_linear_series_linear_method_is_exact() -> None:
    y = 5.0 + 2.0 * np.arange(50)
    fc = forecast_matrix(y[None, :], H, "linear")
    np.testing.assert_allclose(fc.point[0], 5.0 + 2.0 * np.arange(50, 57), rtol=1e-9)


def test_linear_series_auto_follows_the_trend() -> None:
    y = 5.0 + 2.0 * np.arange(60)
    fc = forecast_matrix(y[None, :], H, "auto")
    assert fc.method[0] == "linear"  # the only candidate without error on a pure line
    np.testing.assert_allclose(fc.point[0], 5.0 + 2.0 * np.arange(60, 67), rtol=1e-6)


@pytest.mark.parametrize("method", ["snaive", "seasonal_mean", "hw", "auto"])
def test_pure_weekly_pattern_is_continued(method: str) -> None:
    y = np.tile(PATTERN, 10)  # 70 days; day 70 has phase 0
    fc = forecast_matrix(y[None, :], H, method)
    np.testing.assert_allclose(fc.point[0], PATTERN, atol=1e-6)


def test_weekly_pattern_with_a_late_start_keeps_its_phase() -> None:
    y = np.tile(PATTERN, 10)
    Y = _matrix(y, y[-40:])  # the second series starts mid-week, 40 days before the end
    fc = forecast_matrix(Y, H, "hw")
    np.testing.assert_allclose(fc.point, np.vstack([PATTERN, PATTERN]), atol=1e-6)


def test_flat_methods_do_not_invent_a_weekly_pattern() -> None:
    y = np.tile(PATTERN, 10)
    fc = forecast_matrix(y[None, :], H, "mean7")
    np.testing.assert_allclose(fc.point[0], PATTERN.mean())


@pytest.mark.parametrize("method", ALL)
def test_forecasts_and_bounds_are_non_negative(method: str) -> None:
    rng = np.random.default_rng(2)
    falling = np.clip(40.0 - 1.0 * np.arange(45), 0, None)  # linear would extrapolate below zero
    counts = rng.poisson(0.4, (30, 60)).astype(float)
    Y = np.vstack([_matrix(falling, np.zeros(60))[0], counts])
    fc = forecast_matrix(Y, H, method)
    for arr in (fc.point, fc.lower, fc.upper):
        assert np.isfinite(arr).all() and (arr >= 0).all()
    assert (fc.lower <= fc.point).all() and (fc.point <= fc.upper).all()


def test_short_series_are_flagged_and_use_the_fallback() -> None:
    Y = _matrix(np.full(60, 3.0), np.array([5.0, 6.0, 7.0]))
    fc = forecast_matrix(Y, H, "auto")
    assert fc.insufficient.tolist() == [False, True]
    assert fc.method[1] == "mean7"
    np.testing.assert_allclose(fc.point[1], 6.0)
    assert MIN_HISTORY > 3


def test_backtest_parameter_choice_never_uses_the_future() -> None:
    rng = np.random.default_rng(3)
    Y = rng.gamma(3.0, 5.0, (20, 80))
    origins = np.array([50, 60, 80])
    before = ets_forecasts(Y, origins, H, HW_GRID)
    Y2 = Y.copy()
    Y2[:, 61:] = rng.gamma(3.0, 50.0, (20, 19))  # rewrite days after the origin 61
    after = ets_forecasts(Y2, origins, H, HW_GRID)
    np.testing.assert_array_equal(before[:2], after[:2])
    assert not np.allclose(before[2], after[2])


# ------------------------------------------------------------------ fleet frame and CPL


def _daily(
    spend: np.ndarray,
    leads: np.ndarray,
    start: dt.date,
    status: str = "ACTIVE",
    budget: float | None = None,
    campaign: str = "1001",
    config: int = 7,
) -> pl.DataFrame:
    n = len(spend)
    return pl.DataFrame(
        {
            "config_id": [config] * n,
            "campaign_id": [campaign] * n,
            "date": pl.date_range(start, start + dt.timedelta(days=n - 1), "1d", eager=True),
            "spend": spend.astype(float),
            "leads": leads.astype(np.int64),
            "status": [status] * n,
            "daily_budget": pl.Series([budget] * n, dtype=pl.Float64),
        }
    )


START = dt.date(2026, 1, 1)


def _fleet() -> tuple[pl.DataFrame, dt.date]:
    rng = np.random.default_rng(5)
    days = 70
    as_of = START + dt.timedelta(days=days - 1)
    spend = 50 + 10 * np.sin(np.arange(days + 10) * 2 * np.pi / 7) + rng.normal(0, 3, days + 10)
    leads = rng.poisson(3.0, days + 10)
    parts = [
        _daily(spend, leads, START, campaign="1"),  # 10 days after as_of: must be ignored
        _daily(spend[:days], np.zeros(days), START, campaign="2"),  # spends, never a lead
        _daily(np.r_[spend[:40], np.zeros(30)], np.r_[leads[:40], np.zeros(30)], START, campaign="3"),
        _daily(spend[:days], leads[:days], START, status="PAUSED", campaign="4"),
        _daily(spend[:5] * 3, leads[:5], as_of - dt.timedelta(days=4), campaign="5"),  # 5 days old
        _daily(spend[:days] * 4, leads[:days], START, budget=60.0, campaign="6", config=8),
    ]
    return pl.concat(parts), as_of


def test_fleet_frame_shape_and_schema() -> None:
    daily, as_of = _fleet()
    out = forecast_fleet(daily, as_of, H)
    assert out.schema == pl.Schema(OUTPUT_SCHEMA)
    spend = out.filter(pl.col("metric") == "spend")
    assert spend.height == 6 * H
    assert spend["horizon_day"].unique().sort().to_list() == list(range(1, H + 1))
    first = spend.filter(pl.col("horizon_day") == 1)["target_date"].unique().to_list()
    assert first == [as_of + dt.timedelta(days=1)]
    assert spend.filter(pl.col("entity_id") == "5")["insufficient_data"].all()
    assert not spend.filter(pl.col("entity_id") == "1")["insufficient_data"].any()


def test_fleet_cpl_is_always_finite_with_zero_lead_stretches() -> None:
    daily, as_of = _fleet()
    out = forecast_fleet(daily, as_of, H)
    for col in ("predicted_value", "confidence_lower", "confidence_upper"):
        v = out[col].to_numpy()
        assert np.isfinite(v).all() and (v >= 0).all()
    cpl = out.filter(pl.col("metric") == "cpl")
    never = cpl.filter(pl.col("entity_id") == "2")
    assert never.height == H and never["low_volume"].all()  # spends without leads: CPL = expected spend
    spend2 = out.filter((pl.col("metric") == "spend") & (pl.col("entity_id") == "2"))["predicted_value"]
    np.testing.assert_allclose(never["predicted_value"].to_numpy(), spend2.to_numpy())
    # stopped 30 days ago: nothing expected, so no CPL row at all (a CPL of 0 would be a lie)
    assert cpl.filter(pl.col("entity_id") == "3").height == 0
    assert (cpl["confidence_lower"] <= cpl["predicted_value"]).all()
    assert (cpl["predicted_value"] <= cpl["confidence_upper"]).all()


def test_derive_cpl_rule() -> None:
    from famachat_ml_pipeline.core.forecasting import MatrixForecast

    def mf(p: float, lo: float, hi: float) -> MatrixForecast:
        a = np.full((1, 1), 1.0)
        return MatrixForecast(a * p, a * lo, a * hi, np.array(["x"]), np.array([False]))

    c = derive_cpl(mf(100, 80, 120), mf(4, 2, 7))
    assert (c.point[0, 0], c.lower[0, 0], c.upper[0, 0]) == (25.0, 80 / 7, 60.0)
    c = derive_cpl(mf(100, 80, 120), mf(0.2, 0, 2))
    assert (c.point[0, 0], c.upper[0, 0], bool(c.low_volume[0, 0])) == (100.0, 120.0, True)
    c = derive_cpl(mf(0, 0, 0), mf(0, 0, 0))
    assert not c.defined[0, 0] and np.isfinite(c.point).all()


def test_fleet_business_rules_status_and_budget() -> None:
    daily, as_of = _fleet()
    out = forecast_fleet(daily, as_of, H)
    paused = out.filter((pl.col("entity_id") == "4") & (pl.col("metric") != "cpl"))
    assert paused["method"].unique().to_list() == ["inactive"]
    assert (paused["confidence_upper"] == 0).all()
    capped = out.filter((pl.col("entity_id") == "6") & (pl.col("metric") == "spend"))
    assert capped["confidence_upper"].max() <= 1.25 * 60.0 + 1e-9
    off = forecast_fleet(daily, as_of, H, respect_status=False)
    assert (
        off.filter((pl.col("entity_id") == "4") & (pl.col("metric") == "spend"))["predicted_value"].min() > 0
    )


def test_fleet_never_sees_after_as_of() -> None:
    daily, as_of = _fleet()
    a = forecast_fleet(daily, as_of, H)
    changed = daily.with_columns(
        pl.when(pl.col("date") > as_of).then(pl.col("spend") * 100).otherwise(pl.col("spend")).alias("spend"),
        pl.when(pl.col("date") > as_of).then(pl.col("leads") + 50).otherwise(pl.col("leads")).alias("leads"),
    )
    assert changed["spend"].sum() != daily["spend"].sum()
    b = forecast_fleet(changed, as_of, H)
    assert a.equals(b)


def test_fleet_missing_day_inside_span_is_a_zero() -> None:
    y = np.tile(PATTERN, 6)
    d = _daily(y, np.ones(len(y)), START)
    as_of = START + dt.timedelta(days=len(y) - 1)
    gap = d.filter(pl.col("date") != as_of - dt.timedelta(days=3))
    a = forecast_fleet(gap, as_of, H, "snaive", respect_status=False)
    day = a.filter((pl.col("metric") == "spend") & (pl.col("target_date") == as_of + dt.timedelta(days=4)))
    assert day["predicted_value"].item() == 0.0


def test_a_set_aside_day_is_imputed_not_zeroed() -> None:
    import datetime as dt

    from famachat_ml_pipeline.core.forecasting import fleet_matrix

    as_of = dt.date(2026, 3, 31)
    days = pl.date_range(as_of - dt.timedelta(days=27), as_of, eager=True)
    spend = [100.0 + 10 * (d.weekday() == 5) for d in days]
    spend[-3] = None  # unknown: the source row was set aside
    daily = pl.DataFrame({"config_id": 1, "campaign_id": "1", "date": days, "spend": spend,
                          "leads": 5, "status": "ACTIVE", "daily_budget": 200.0})  # fmt: skip
    _, _, mats = fleet_matrix(daily, as_of, ["spend"])
    assert mats["spend"][0, -3] == spend[-10]  # the same weekday a week earlier
    assert mats["spend"][0, -2] == spend[-2]
