"""A one-account run borrows the fleet's calibration and gives its campaigns the fleet's bounds."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from famachat_ml_pipeline.core.forecasting import N_BACKTEST, FleetCalibration, forecast_fleet_parts
from famachat_ml_pipeline.core.forecasting.matrix import calibration_depth, forecast_matrix_calibrated
from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo

KEY = ["config_id", "entity_id", "metric", "target_date"]


@pytest.fixture(scope="module")
def demo() -> tuple[pl.DataFrame, object]:
    data = generate_demo(n_accounts=12, seed=5)
    return clean_demo(data).daily, data.end_date


def _run(daily: pl.DataFrame, as_of: object, **kw: object) -> tuple[pl.DataFrame, FleetCalibration]:
    made: list[FleetCalibration] = []
    frame = pl.concat(list(forecast_fleet_parts(daily, as_of, made=made, **kw)))
    assert len(made) == 1
    return frame.sort(KEY), made[0]


def test_a_one_account_run_with_the_fleets_calibration_gets_the_fleets_bounds(demo) -> None:
    daily, as_of = demo
    fleet, cal = _run(daily, as_of)
    n_fleet = daily.select("config_id", "campaign_id").n_unique()
    assert cal.n_series == n_fleet
    stored = FleetCalibration.from_json(json.loads(json.dumps(cal.to_json())))  # what the table keeps
    young = fleet.filter(pl.col("insufficient_data"))["config_id"].unique().sort().to_list()
    assert young and cal.metrics["leads"].young  # accounts with a campaign too young for its own scale
    others = sorted(set(daily["config_id"].to_list()) - set(young))
    for account in [*young[:2], others[0]]:
        one = daily.filter(pl.col("config_id") == account)
        alone, own = _run(one, as_of)
        lent, used = _run(one, as_of, lent=stored)
        expected = fleet.filter(pl.col("config_id") == account)
        assert used is stored and own.n_series < n_fleet
        assert lent.equals(expected), account
        # its own, smaller pool reaches further back and gives other bounds: the loan changes something
        assert own.metrics["leads"].depth > cal.metrics["leads"].depth
        assert not alone.equals(expected)


def test_a_calibration_is_borrowed_only_by_a_pool_too_small_for_its_own(demo) -> None:
    daily, as_of = demo
    one = daily.filter(pl.col("config_id") == daily["config_id"].min())
    _, small = _run(one, as_of)
    fleet, cal = _run(daily, as_of, lent=small)  # the fleet does not borrow a single account's
    assert cal is not small and cal.n_series > small.n_series
    assert fleet.equals(_run(daily, as_of)[0])
    # nor does a fleet that lost a campaign overnight borrow yesterday's: its own pool is large enough
    campaigns = daily["campaign_id"].unique().sort()
    smaller = daily.filter(pl.col("campaign_id") != campaigns[0])
    assert calibration_depth(smaller.select("campaign_id").n_unique()) == N_BACKTEST
    assert _run(smaller, as_of, lent=cal)[1] is not cal
    # nor a run of another level, method or horizon
    for kw in ({"level": 0.9}, {"method": "linear"}, {"method": "select"}, {"horizon": 5}):
        _, used = _run(one, as_of, lent=cal, **kw)
        assert used is not cal, kw
    assert _run(one, as_of, lent=cal)[1] is cal


def test_the_matrix_level_checks_the_horizon_too(demo) -> None:
    daily, as_of = demo
    _, cal = _run(daily, as_of)
    spend = cal.metrics["spend"]
    Y = np.abs(np.random.default_rng(0).normal(10, 3, (5, 60)))
    assert forecast_matrix_calibrated(Y, 7, lent=spend)[1] is spend
    assert forecast_matrix_calibrated(Y, 5, lent=spend)[1] is not spend
    assert forecast_matrix_calibrated(Y, 7, ("select",), lent=spend)[1] is not spend


def test_the_stored_form_round_trips_with_classes_without_cpl_errors(demo) -> None:
    daily, as_of = demo
    _, small = _run(daily.filter(pl.col("campaign_id") == daily["campaign_id"].min()), as_of)
    assert np.isnan(small.cpl).any()  # one campaign lacks the errors for some class
    # a day with a lead and no spend makes a log CPL bound infinite: JSON has no infinity
    small = replace(small, cpl=np.where(np.isnan(small.cpl), small.cpl, -np.inf))
    doc = json.loads(json.dumps(small.to_json(), allow_nan=False))
    back = FleetCalibration.from_json(doc)
    np.testing.assert_array_equal(back.cpl, small.cpl)
    assert (back.method, back.level, back.n_series) == ("auto", 0.95, small.n_series)
    for name, c in small.metrics.items():
        b = back.metrics[name]
        assert (b.n_series, b.depth, b.horizon) == (c.n_series, c.depth, c.horizon)
        assert b.pooled.keys() == c.pooled.keys() and b.young.keys() == c.young.keys()
        for k, (lo, hi) in c.pooled.items():
            np.testing.assert_array_equal(b.pooled[k][0], lo)
            np.testing.assert_array_equal(b.pooled[k][1], hi)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.pop("metrics"),
        lambda d: d["metrics"].pop("leads"),
        lambda d: d["metrics"]["spend"]["pooled"][0][2][0].pop(),  # a day short
        lambda d: d.__setitem__("cpl", d["cpl"][:2]),  # classes missing
        lambda d: d.__setitem__("n_series", "many"),
    ],
)
def test_a_spoiled_stored_form_is_refused_with_a_value_error(demo, spoil) -> None:
    daily, as_of = demo
    _, cal = _run(daily, as_of)
    doc = json.loads(json.dumps(cal.to_json()))
    spoil(doc)
    with pytest.raises(ValueError, match="not a stored forecast calibration"):
        FleetCalibration.from_json(doc)
