"""forecast_calibration: the day's largest pool wins; a run borrows only a recent day's, never a later one."""

from __future__ import annotations

import datetime as dt

import numpy as np

from famachat_ml_pipeline.core.forecasting import Calibration, FleetCalibration
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.db.forecast_calibration import MAX_AGE_DAYS, read_calibration, store_calibration

DAY = dt.date(2026, 11, 2)


def _calibration(n: int, level: float = 0.95) -> FleetCalibration:
    lo, hi = -np.arange(1.0, 8.0) * n, np.arange(1.0, 8.0) * n
    metric = Calibration(n, 28, 7, {("combo", level): (lo, hi)}, {level: (lo / 2, hi / 2)})
    cpl = np.array([[np.nan, np.nan], [-np.inf, 0.6], [-0.4, 0.5], [-0.3, 0.4]])
    return FleetCalibration(n, level, "auto", {"spend": metric, "leads": metric}, cpl)


def test_the_largest_pool_of_a_day_is_kept(db_url: str) -> None:
    migrate(db_url)
    engine = get_engine(db_url)
    assert store_calibration(engine, DAY, 7, _calibration(10), "v")
    assert not store_calibration(engine, DAY, 7, _calibration(5), "v")  # one account after the fleet
    assert not store_calibration(engine, DAY, 7, _calibration(10), "v")
    assert read_calibration(engine, DAY, 7, 0.95, "v").calibration.n_series == 10
    assert store_calibration(engine, DAY, 7, _calibration(20), "v")
    got = read_calibration(engine, DAY, 7, 0.95, "v")
    assert got.as_of == DAY and got.calibration.n_series == 20
    lo, hi = got.calibration.metrics["leads"].pooled[("combo", 0.95)]
    np.testing.assert_array_equal(hi, np.arange(1.0, 8.0) * 20)
    np.testing.assert_array_equal(got.calibration.cpl, _calibration(20).cpl)  # NaN and -inf survive


def test_only_a_recent_day_of_the_same_horizon_and_level_is_borrowed(db_url: str) -> None:
    migrate(db_url)
    engine = get_engine(db_url)
    store_calibration(engine, DAY, 7, _calibration(10), "v")
    store_calibration(engine, DAY - dt.timedelta(days=3), 7, _calibration(30), "v")
    assert read_calibration(engine, DAY - dt.timedelta(days=4), 7, 0.95, "v") is None  # never a later day's
    assert read_calibration(engine, DAY - dt.timedelta(days=1), 7, 0.95, "v").calibration.n_series == 30
    assert read_calibration(engine, DAY, 7, 0.95, "v").as_of == DAY  # the newest day, not the largest pool
    assert read_calibration(engine, DAY + dt.timedelta(days=MAX_AGE_DAYS), 7, 0.95, "v").as_of == DAY
    assert read_calibration(engine, DAY + dt.timedelta(days=MAX_AGE_DAYS + 1), 7, 0.95, "v") is None
    assert read_calibration(engine, DAY, 3, 0.95, "v") is None
    assert read_calibration(engine, DAY, 7, 0.9, "v") is None
    assert read_calibration(engine, DAY, 7, 0.95, "v2") is None  # another forecaster's
    # a new forecaster's first row of the day is kept beside the old one's, whatever their pools
    assert store_calibration(engine, DAY, 7, _calibration(3), "v2")
    assert read_calibration(engine, DAY, 7, 0.95, "v2").calibration.n_series == 3
    assert read_calibration(engine, DAY, 7, 0.95, "v").calibration.n_series == 10
