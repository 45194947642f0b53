"""The fleet entry point: frame shape, CPL rows, business rules, no peeking past as_of, imputation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from famachat_ml_pipeline.core.forecasting import OUTPUT_SCHEMA, fleet_matrix, forecast_fleet
from famachat_ml_pipeline.core.forecasting.common import MatrixForecast
from famachat_ml_pipeline.core.forecasting.fleet import _apply_rules

H = 7
PATTERN = np.array([10.0, 12.0, 15.0, 14.0, 11.0, 4.0, 3.0])


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
    as_of = dt.date(2026, 3, 31)
    days = pl.date_range(as_of - dt.timedelta(days=27), as_of, eager=True)
    spend = [100.0 + 10 * (d.weekday() == 5) for d in days]
    spend[-3] = None  # unknown: the source row was set aside
    daily = pl.DataFrame(
        {
            "config_id": 1,
            "campaign_id": "1",
            "date": days,
            "spend": spend,
            "leads": 5,
            "status": "ACTIVE",
            "daily_budget": 200.0,
        }
    )
    _, _, mats = fleet_matrix(daily, as_of, ["spend"])
    assert mats["spend"][0, -3] == spend[-10]  # the same weekday a week earlier
    assert mats["spend"][0, -2] == spend[-2]


def test_a_campaign_whose_ad_set_is_paused_gets_no_delivery_forecast() -> None:
    """status ACTIVE but effective_status ADSET_PAUSED delivers nothing (issue 9: one vocabulary)."""
    daily, as_of = _fleet()
    effective = (
        pl.when(pl.col("campaign_id") == "1")
        .then(pl.lit("ADSET_PAUSED"))
        .when(pl.col("campaign_id") == "2")
        .then(pl.lit("CAMPAIGN_PAUSED"))
        .otherwise(pl.col("status"))
    )
    out = forecast_fleet(daily.with_columns(effective.alias("effective_status")), as_of, H)
    flows = out.filter(pl.col("metric") != "cpl")
    for paused in ("1", "2", "4"):
        rows = flows.filter(pl.col("entity_id") == paused)
        assert rows.height == 2 * H and rows["method"].unique().to_list() == ["inactive"]
        assert (rows["confidence_upper"] == 0).all()
    live = flows.filter(pl.col("entity_id") == "6")
    assert "inactive" not in live["method"].to_list() and live["predicted_value"].max() > 0


def test_a_campaign_whose_every_day_was_set_aside_gets_no_forecast() -> None:
    """Unknown days are not zeros: a campaign with no known day is left out (it was forecast 0 spend
    with the interval [0, 0], as if certain), the others are forecast as before."""
    as_of = START + dt.timedelta(days=55)
    good = _daily(np.tile(PATTERN, 8), np.ones(56), START)
    dark = _daily(np.tile(PATTERN, 8), np.ones(56), START, campaign="2002").with_columns(
        spend=pl.lit(None, pl.Float64), leads=pl.lit(None, pl.Int64)
    )
    alone = forecast_fleet(good, as_of, H)
    out = forecast_fleet(pl.concat([good, dark]), as_of, H)
    assert out["entity_id"].unique().to_list() == ["1001"]
    assert out.equals(alone)


def test_history_before_a_stretch_too_long_to_impute_is_unknown_not_zero() -> None:
    """Three weeks of set-aside rows cannot be imputed from the weeks before: the series starts after
    them, as a younger campaign's would, instead of on three weeks of zeros."""
    as_of = START + dt.timedelta(days=55)
    spend = np.tile(PATTERN, 8).astype(float)
    spend[7:35] = np.nan  # days 7..34 unknown: 28 days, past what the weekly and daily passes fill
    daily = _daily(spend, np.ones(56), START)
    _, _, mats = fleet_matrix(daily, as_of, ["spend"])
    row = mats["spend"][0]
    assert np.isnan(row[:35]).all() and (row[35:] == spend[35:]).all()
    tail = forecast_fleet(daily.filter(pl.col("date") >= START + dt.timedelta(days=35)), as_of, H)
    assert forecast_fleet(daily, as_of, H).equals(tail)


def _steady_then(zero_days: int, rows: bool) -> tuple[pl.DataFrame, dt.date]:
    """A campaign spending the weekly PATTERN x 5 with ~4 leads a day for 8 weeks, then `zero_days` with
    nothing delivered: rows of zeros (`rows`), or no rows at all (the source contract's "no row")."""
    rng = np.random.default_rng(3)
    n = 56
    spend, leads = np.tile(PATTERN, n // 7) * 5, rng.poisson(4.0, n)
    d = _daily(np.r_[spend, np.zeros(zero_days)], np.r_[leads, np.zeros(zero_days)], START)
    as_of = START + dt.timedelta(days=n + zero_days - 1)
    if not rows:
        d = d.filter(pl.col("date") <= START + dt.timedelta(days=n - 1))
    return d, as_of


def test_a_campaign_that_stopped_delivering_is_forecast_to_deliver_nothing() -> None:
    """ACTIVE but nothing spent on each of its last 3 days (the ZERO_SPEND stop): no spend, no lead and no
    CPL row (was a decaying spend beside leads that decayed slower: 8.8 leads on R$ 33 against a CPL of R$ 30
    in the demo); 2 such days are not yet a stop."""
    for rows in (True, False):
        daily, as_of = _steady_then(3, rows)
        out = forecast_fleet(daily, as_of, H)
        delivery = out.filter(pl.col("metric") != "cpl")
        assert delivery["method"].unique().to_list() == ["idle"], rows
        assert (delivery["confidence_upper"] == 0).all() and (delivery["predicted_value"] == 0).all()
        assert out.filter(pl.col("metric") == "cpl").height == 0
    daily, as_of = _steady_then(2, True)
    out = forecast_fleet(daily, as_of, H)
    spend = out.filter(pl.col("metric") == "spend")
    assert "idle" not in spend["method"].to_list() and spend["predicted_value"].sum() > 0
    # the rules off (as for a forecast's record of an earlier day): the statistical forecast
    daily, as_of = _steady_then(3, True)
    off = forecast_fleet(daily, as_of, H, respect_status=False)
    assert "idle" not in off["method"].to_list()


def test_no_lead_is_forecast_where_no_spend_is() -> None:
    """Leads follow spend: none where the spend's point is 0, and no room for one where its upper bound is."""
    one = np.array(["combo"])
    spend = MatrixForecast(
        np.array([[0.0, 5.0, 0.0]]),
        np.array([[0.0, 1.0, 0.0]]),
        np.array([[0.0, 9.0, 4.0]]),
        one,
        np.array([False]),
    )
    leads = MatrixForecast(
        np.array([[2.0, 1.0, 1.5]]),
        np.array([[1.0, 0.0, 0.5]]),
        np.array([[4.0, 3.0, 3.0]]),
        one,
        np.array([False]),
    )
    out = _apply_rules(leads, np.array([False]), np.array(["idle"]), None, spend)
    np.testing.assert_array_equal(out.point, [[0.0, 1.0, 0.0]])
    np.testing.assert_array_equal(out.lower, [[0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(out.upper, [[0.0, 3.0, 3.0]])  # spend possible on day 3: a lead is too
    assert out.method.tolist() == ["combo"]
