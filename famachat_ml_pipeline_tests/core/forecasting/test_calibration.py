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
from famachat_ml_pipeline.core.forecasting.calibration import (
    _conformal_bounds,
    _conformal_bounds_at,
    _conformal_quantile,
    _pooled_bounds_at,
    _weighted_tails,
    calibrate_levels,
    calibrate_young,
    finite_sample_level,
    recent_level,
    series_weights,
)
from famachat_ml_pipeline.core.forecasting.common import CAL_MAX_ORIGINS, CAL_MIN_AGE, MIN_HISTORY, MIN_YOUNG
from famachat_ml_pipeline.core.forecasting.matrix import _run_backtest
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
    # one series, fewer than MIN_PER_HORIZON errors a day: the pool is the sqrt(day)-pooled quantile of
    # its own errors; its own quantile has the same shape, at the finite-sample level over its 150
    # origins (not its 1,050 overlapping errors), so never narrower
    np.testing.assert_allclose(lo[0] / plo, lo[0, 0] / plo[0])
    np.testing.assert_allclose(hi[0] / phi, hi[0, 0] / phi[0])
    assert (lo[0] < plo).all() and (hi[0] > phi).all()


def test_a_lone_series_at_full_depth_gets_quantiles_per_horizon_day() -> None:
    # errors that do not grow like sqrt(day): flat over the horizon, wide on day 3 only
    rng = np.random.default_rng(2)
    err = rng.normal(0, 1, (CAL_MAX_ORIGINS, 1, 7))
    err[:, :, 2] *= 3.0
    lo, hi = calibrate(err, np.ones((CAL_MAX_ORIGINS, 1)))
    assert hi[2] > 2 * hi[1] and hi[1] < 1.5 * hi[0]  # its own day's quantile, not sqrt(day) x one pool
    assert (np.diff(hi) >= 0).all() and (np.diff(lo) <= 0).all()  # and never narrower later
    short = calibrate(err[1:], np.ones((CAL_MAX_ORIGINS - 1, 1)))[1]  # one origin short: pooled
    np.testing.assert_allclose(short / short[0], np.sqrt(np.arange(1, 8)))


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
    two_days = np.r_[np.full(80, np.nan), 198.0, 186.0][None, :]  # no weekly change yet: the daily one
    assert recent_scale(two_days, np.array([82]))[0, 0] == 12.0


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


def test_the_own_quantile_keeps_its_finite_sample_guarantee() -> None:
    # one series per row, k exchangeable errors each: the interval between the j-th smallest and the
    # j-th largest, j = ceil((k + 1) 0.975), covers a fresh error with probability >= 0.95
    rng = np.random.default_rng(3)
    reps, k = 20_000, 39
    err = rng.standard_t(3, (k, reps, 1))
    lo, hi = calibrate_series(err, np.ones((k, reps)), prior=0.0)  # the series' own quantile only
    fresh = rng.standard_t(3, reps)
    cover = ((fresh >= lo[:, 0]) & (fresh <= hi[:, 0])).mean()
    assert cover >= 0.95 - 3 * np.sqrt(0.05 * 0.95 / reps), cover  # exactly 1 - 2/40 in expectation
    s = np.sort(err[:, :, 0], axis=0)
    np.testing.assert_allclose(hi[:, 0], s[38], rtol=1e-12)  # j = ceil(40 * 0.975) = 39: the largest
    np.testing.assert_allclose(lo[:, 0], s[0], rtol=1e-12)
    assert finite_sample_level(0.975, np.array([19, 39, 79])).tolist() == [1.0, 1.0, 78 / 79]


def test_the_finite_sample_level_counts_origins_not_their_overlapping_days() -> None:
    # seven days that repeat one origin's error carry no more information than that error: the own
    # quantile over K origins x 7 identical days is the one over K origins x 1 day, the
    # ceil(101 * 0.975) = 99th of 100 (counting the 700 copies as errors would give the 98th)
    rng = np.random.default_rng(4)
    one = rng.normal(0, 1, (100, 50, 1))
    seven = np.repeat(one, 7, axis=2)
    lo1, hi1 = calibrate_series(one, np.ones((100, 50)), prior=0.0)
    lo7, hi7 = calibrate_series(seven, np.ones((100, 50)), prior=0.0)
    s = np.sort(one[:, :, 0], axis=0)
    np.testing.assert_allclose(hi1[:, 0], s[98], rtol=1e-12)
    np.testing.assert_allclose(hi7[:, 0], s[98], rtol=1e-12)
    np.testing.assert_allclose(lo7[:, 0], s[1], rtol=1e-12)
    np.testing.assert_allclose(hi7 / hi7[:, :1], np.ones((50, 7)))  # identical days: one width


def _fleet_with_young_series(seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n, days = 120, 70
    base = rng.gamma(2.0, 50.0, n)[:, None] * (
        1 + 0.3 * np.tile(PATTERN / PATTERN.mean() - 1, 10)[None, :days]
    )
    Y = np.clip(base + rng.normal(0, 1, (n, days)) * base * 0.2, 0, None)
    starts = rng.integers(0, days - 3, n)  # many series start late: young at many origins
    Y[np.arange(days)[None, :] < starts[:, None]] = np.nan
    return Y


def test_bounds_follow_the_level_for_old_and_young_series() -> None:
    Y = _fleet_with_young_series()
    fc, big = forecast_matrix(Y, 7, "auto"), forecast_matrix(1000.0 * Y, 7, "auto")
    for a, b in ((fc.point, big.point), (fc.lower, big.lower), (fc.upper, big.upper)):
        np.testing.assert_allclose(1000.0 * a, b, rtol=1e-9, atol=1e-9)
    assert fc.insufficient.sum() >= 5
    # young series share one relative interval: the width over their level is the same for all
    young = fc.insufficient
    level = recent_level(Y, np.array([Y.shape[1]]))[0][young]
    rel = (fc.upper[young] - fc.point[young]) / level[:, None]
    np.testing.assert_allclose(rel, np.broadcast_to(rel[:1], rel.shape), rtol=1e-9)


def test_the_upper_half_width_never_narrows_with_the_horizon() -> None:
    fc = forecast_matrix(_fleet_with_young_series(6), 7, "auto")
    assert (np.diff(fc.upper - fc.point, axis=1) >= -1e-9).all()
    assert ((fc.upper - fc.point)[:, -1] > 0).all()


def test_young_series_are_calibrated_on_the_fleets_young_series_origins() -> None:
    rng = np.random.default_rng(7)
    K, n, h = 10, 40, 7
    err = rng.normal(0, 1, (K, n, h))
    lvl = np.full((K, n), 2.0)
    young = np.zeros((K, n), bool)
    young[:, :4] = True  # 40 young series-origins: fewer than MIN_YOUNG
    assert MIN_YOUNG > 40 and calibrate_young(err, lvl, young) is None
    young[:, :8] = True  # 80
    lo, hi = calibrate_young(err, lvl, young)
    rel = np.sort(err[young] / 2.0, axis=0)
    j = int(np.ceil(81 * 0.975))  # the finite-sample rank over the 80 series-origins
    assert (hi >= rel[j - 1]).all() and hi[0] == rel[j - 1, 0] and lo[0] == rel[80 - j, 0]
    assert (np.diff(hi) >= 0).all() and (np.diff(lo) <= 0).all()


def test_conformal_bounds_are_the_two_quantiles_bit_for_bit() -> None:
    """One partition gives what partitioning -z and z gave: ties, zeros and every sample size. Bit for
    bit while the zeros share a sign (scaled errors: actual and point are clipped at +0.0); with -0.0
    and 0.0 both in the sample, which of the equal zeros lands at the rank may differ: the same value."""
    rng = np.random.default_rng(9)
    for n in (*range(1, 40), 199, 200, 1000, 33_001):
        rounded = np.round(rng.standard_normal(n), 1)
        for z in (rng.standard_normal(n), rounded + 0.0, np.zeros(n), -np.zeros(n), rounded):
            for q in (0.975, 0.9875, 0.5, 0.999):
                old = np.array((-_conformal_quantile(-z, q), _conformal_quantile(z, q)))
                new = np.array(_conformal_bounds(z, q))
                assert np.array_equal(old, new), (n, q)
                if not (np.signbit(z) & (z == 0)).any() or not (~np.signbit(z) & (z == 0)).any():
                    assert np.array_equal(old.view(np.int64), new.view(np.int64)), (n, q)
    assert np.isnan(_conformal_bounds(np.array([]), 0.975)).all()


def test_calibrate_series_on_some_rows_gives_those_rows_bit_for_bit() -> None:
    """The pool is every series whatever `rows` says; the rows asked for are the full call's rows."""
    rng = np.random.default_rng(11)
    K, n, h = 28, 400, 7
    errors = rng.standard_t(3, (K, n, h)) * rng.gamma(1.0, 5.0, n)[None, :, None]
    errors[rng.random((K, n, h)) < 0.2] = np.nan  # series that could not be evaluated at some origins
    scale = np.abs(rng.standard_normal((K, n))) * 5.0
    scale[:, :3] = 0.0  # constant series
    rows = rng.random(n) < 0.1
    rows[:3] = True
    for level in (0.95, 0.975):
        lo, hi = calibrate_series(errors, scale, level)
        rlo, rhi = calibrate_series(errors, scale, level, rows=rows)
        assert np.array_equal(lo[rows].view(np.int64), rlo[rows].view(np.int64))
        assert np.array_equal(hi[rows].view(np.int64), rhi[rows].view(np.int64))
        assert np.isnan(rlo[~rows]).all() and np.isnan(rhi[~rows]).all()


def test_calibrate_levels_is_calibrate_at_each_level_bit_for_bit() -> None:
    """Per-day quantiles (a fleet), pooled ones (a few series) and the default (almost no past)."""
    rng = np.random.default_rng(17)
    levels = (0.95, 0.975, 0.8)
    for K, n in ((28, 300), (40, 2), (2, 1)):
        errors = rng.standard_t(3, (K, n, 7)) * 4.0
        errors[rng.random((K, n, 7)) < 0.1] = np.nan
        scale = np.abs(rng.standard_normal((K, n))) + 0.5
        fused = calibrate_levels(errors, scale, levels)
        for level, (lo, hi) in zip(levels, fused, strict=True):
            one_lo, one_hi = calibrate(errors, scale, level)
            assert np.array_equal(lo.view(np.int64), one_lo.view(np.int64)), (K, n, level)
            assert np.array_equal(hi.view(np.int64), one_hi.view(np.int64)), (K, n, level)


def _weighted_tail_by_full_sort(z: np.ndarray, w: np.ndarray, f: float) -> float:
    """The definition, plainly: sort everything, largest first, and walk down until the weight passed
    exceeds the share f of the total."""
    order = np.argsort(-z, kind="stable")
    c = np.cumsum(w[order])
    r = int(np.searchsorted(c, f * w.sum() * (1.0 + 1e-9), side="right"))
    return float(z[order[min(r, z.size - 1)]])


def test_weighted_tails_are_the_order_statistics_with_equal_weights() -> None:
    """Equal weights give the unweighted conformal bounds bit for bit: the weighted pool changes
    nothing where every series has as many origins."""
    rng = np.random.default_rng(21)
    for n in (*range(1, 60), 199, 200, 1000, 33_001):
        for z in (rng.standard_normal(n), np.round(rng.standard_normal(n), 1) + 0.0):
            w = np.full(n, 1.0 / 7.0)
            for qs in ((0.975,), (0.975, 0.9875), (0.5,), (0.999,)):
                old = _conformal_bounds_at(z, qs)
                new = _pooled_bounds_at(z, w, qs)
                assert np.array_equal(np.array(old), np.array(new)), (n, qs)


def test_weighted_tails_match_a_full_sort() -> None:
    """The partition-then-sort-the-tail shortcut is the plain weighted quantile, including where the
    heaviest weights sit below the first guess of the tail (the tail is widened until it holds them)."""
    rng = np.random.default_rng(22)
    for n in (5, 64, 65, 500, 20_000):
        for case in range(6):
            z = rng.standard_t(3, n)
            w = 1.0 / rng.integers(1, 40, n)
            if case % 2:  # the heavy weights on the smallest values: the first partition is too short
                w = np.where(z < np.quantile(z, 0.9), 1.0, 1e-3)
            for f in (0.0, 0.0125, 0.025, 0.2):
                got = _weighted_tails(z, w, [f])[0]
                assert got == _weighted_tail_by_full_sort(z, w, f), (n, case, f)


def test_the_pool_counts_every_series_once() -> None:
    """Eight long series with heavy errors and forty short ones with light errors: unweighted, the pool is
    mostly the long series' errors; weighted 1 / k, each series counts once."""
    rng = np.random.default_rng(23)
    K, n, h = 125, 48, 7
    err = rng.normal(0, 1, (K, n, h))
    err[:, :8] *= 4.0  # the long series: errors four times the others', at the same scale
    err[: K - 20, 8:] = np.nan  # the short series have their last 20 origins only
    scale = np.ones((K, n))
    usable = np.isfinite(err)
    w = series_weights(usable)
    assert w is not None and np.allclose(w[:8], 1 / 125) and np.allclose(w[8:], 1 / 20)
    lo, hi = calibrate(err, scale)
    # the 97.5 % point of 1/6 N(0, 16) + 5/6 N(0, 1) is 4.1 (1/6 P(Z > x/4) = 0.025); the tail rests
    # on the heavy series' ~150 errors beyond it, hence the margin
    assert 3.4 < hi[0] < 5.2 and -5.2 < lo[0] < -3.4, (lo, hi)
    # unweighted, 1,000 heavy errors against 800 light: 5/9 P(Z > x/4) = 0.025, x = 6.8
    flat_lo, flat_hi = _conformal_bounds_at(err[:, :, 0][usable[:, :, 0]], (0.975,))
    assert flat_hi[0] > 6.0 and flat_lo[0] < -6.0
    # a fleet of equal histories has no weights: the pool is what it was
    assert series_weights(np.ones((28, 50, 7), dtype=bool)) is None


def test_a_series_calm_first_weeks_do_not_widen_the_fleets_intervals() -> None:
    """Two calm first weeks give series 0 a tiny scale at its first backtest origins, so its errors there run
    into the tens of scales. Calibrated on them, the pool widened the five others' intervals 2.6-fold."""
    rng = np.random.default_rng(4)
    days = 42
    Y = 100 + 5 * np.tile(PATTERN, 6)[None, :days] + rng.normal(0, 4, (6, days))
    Y[0, :14] = 100 + 5 * np.tile(PATTERN, 2) + rng.normal(0, 0.05, 14)
    fleet, alone = forecast_matrix(Y, 7), forecast_matrix(Y[1:], 7)
    ratio = (fleet.upper - fleet.lower)[1:] / (alone.upper - alone.lower)
    assert np.median(ratio) < 1.25, np.median(ratio)


def test_a_fleet_calibrates_from_two_weeks_of_changes_a_lone_or_young_pool_from_its_first() -> None:
    Y = 100 + np.random.default_rng(5).normal(0, 4, (3, 50))
    bt = _run_backtest(Y, 7, ["combo"], True, calibration_depth(3))
    age = bt.origins[:, None]
    assert bt.evaluable.all(axis=1).tolist() == (age[:, 0] >= MIN_HISTORY).tolist()
    assert (bt.calibrates == (age >= CAL_MIN_AGE)).all()
    lone = _run_backtest(Y[:1], 7, ["combo"], True, calibration_depth(1))
    assert (lone.calibrates == lone.evaluable).all() and lone.calibrates[
        :, 0
    ].sum() == 50 - 7 - MIN_HISTORY + 1
