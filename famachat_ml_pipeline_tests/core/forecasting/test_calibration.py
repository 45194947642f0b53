"""Interval calibration: depth for a lone series, per-series quantiles shrunk to the pool, coverage."""

from __future__ import annotations

import numpy as np

from famachat_ml_pipeline.core.forecasting import (
    N_BACKTEST,
    calibrate,
    calibrate_series,
    calibration_depth,
    forecast_matrix,
    recent_scale,
)
from famachat_ml_pipeline.core.forecasting.common import CAL_MAX_ORIGINS
from famachat_ml_pipeline.evaluation.forecasts import backtest_methods

PATTERN = np.array([10.0, 12.0, 15.0, 14.0, 11.0, 4.0, 3.0])


def test_a_lone_series_reaches_further_back_than_a_fleet() -> None:
    assert calibration_depth(1) == CAL_MAX_ORIGINS
    assert calibration_depth(5000) == N_BACKTEST
    assert N_BACKTEST < calibration_depth(20) < CAL_MAX_ORIGINS


def test_a_lone_series_is_its_own_pool() -> None:
    rng = np.random.default_rng(0)
    err = rng.standard_t(3, (150, 1, 7))
    scale = np.ones((150, 1))
    lo, hi = calibrate_series(err, scale)
    plo, phi = calibrate(err, scale)
    # one series, fewer than MIN_PER_HORIZON errors a day: both are the sqrt(day)-pooled quantiles
    np.testing.assert_allclose(lo[0], plo)
    np.testing.assert_allclose(hi[0], phi)


def test_a_series_with_heavier_tails_than_the_pool_gets_wider_bounds() -> None:
    rng = np.random.default_rng(1)
    err = rng.normal(0, 1, (100, 40, 7))
    err[:, 0] *= 4.0  # series 0: errors four times the others', at the same scale
    lo, hi = calibrate_series(err, np.ones((100, 40)))
    assert hi[0, 0] > 2 * hi[1:, 0].max() and lo[0, 0] < 2 * lo[1:, 0].min()
    assert (np.diff(hi, axis=1) >= 0).all()  # wider with the horizon, never narrower
    new = calibrate_series(np.where(np.arange(40)[None, :, None] == 5, np.nan, err), np.ones((100, 40)))
    pooled = calibrate(np.where(np.arange(40)[None, :, None] == 5, np.nan, err), np.ones((100, 40)))
    np.testing.assert_allclose(new[1][5], pooled[1])  # no errors of its own: the pool's


def test_recent_scale_is_robust_to_one_spike_and_never_zero_for_sparse_counts() -> None:
    y = np.tile(PATTERN, 8) + np.tile([0.0, 1.0], 28)
    spiky = y.copy()
    spiky[-3] += 500.0
    o = np.array([len(y)])
    calm, hit = recent_scale(y[None, :], o)[0, 0], recent_scale(spiky[None, :], o)[0, 0]
    assert calm > 0 and hit < 3 * calm  # a mean of |y_t - y_t-7| would grow ~20-fold
    sparse = np.zeros(56)
    sparse[[5, 30, 44]] = 1.0
    assert recent_scale(sparse[None, :], o)[0, 0] > 0  # median change 0: the mean is used


def test_a_lone_noisy_seasonal_series_is_covered_near_95_percent() -> None:
    rng = np.random.default_rng(2)
    days = 300
    level = 100 + np.cumsum(rng.normal(0, 0.5, days))
    y = level * (1 + 0.2 * np.tile(PATTERN - PATTERN.mean(), days // 7 + 1)[:days] / PATTERN.std())
    y = y + rng.standard_t(4, days) * 5
    table = backtest_methods(y[None, :], 7, ("auto",), n_origins=80, step=1)
    auto = table.filter(table["method"] == "auto").row(0, named=True)
    assert 0.92 <= auto["coverage"] <= 0.985, auto
    fc = forecast_matrix(y[None, :], 7, "auto")
    assert (fc.lower < fc.point).all() and (fc.point < fc.upper).all()
