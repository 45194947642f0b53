"""Point methods and the matrix entry point: known answers, non-negativity, no peeking past the origin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from famachat_ml_pipeline.core.forecasting import (
    COMBO_MEMBERS,
    HW_GRID,
    METHODS,
    MIN_HISTORY,
    ema_forecasts,
    ets_forecasts,
    forecast_matrix,
)
from famachat_ml_pipeline.core.forecasting.common import SEASONAL_SES_DAYS
from famachat_ml_pipeline.core.forecasting.ets import SES_GRID
from famachat_ml_pipeline.core.forecasting.point_methods import (
    adjusted_ses_forecasts,
    median3,
    seasonal_mean_forecasts,
)

H = 7
ALL = (*METHODS, "auto", "select")
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


def test_linear_series_select_follows_the_trend() -> None:
    y = 5.0 + 2.0 * np.arange(60)
    fc = forecast_matrix(y[None, :], H, "select")
    assert fc.method[0] == "linear"  # the only candidate without error on a pure line
    np.testing.assert_allclose(fc.point[0], 5.0 + 2.0 * np.arange(60, 67), rtol=1e-6)


@pytest.mark.parametrize("method", ["snaive", "seasonal_mean", "hw", "combo", "auto"])
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


def _ets_reference(y: np.ndarray, o: int, alpha: float, beta: float, gamma: float, phi: float) -> np.ndarray:
    """The damped additive Holt-Winters recursions for one series and one parameter point, plainly."""
    start = int(np.argmax(~np.isnan(y)))
    first = y[start : start + 7]
    level, trend = float(np.mean(first)), 0.0
    seas = np.zeros(7)
    for j, v in enumerate(first):
        seas[(start + j) % 7] = v - level
    sse = 0.0
    for t in range(start + 7, o):
        e = y[t] - (level + phi * trend + seas[t % 7])
        level, trend = level + phi * trend + alpha * e, phi * trend + beta * e
        seas[t % 7] += gamma * e
        sse += e * e
    damp = np.cumsum(phi ** np.arange(1, H + 1))
    return np.array([sse, *(level + damp * trend + seas[(o + np.arange(H)) % 7])])


def test_vectorised_holt_winters_equals_the_plain_recursions() -> None:
    rng = np.random.default_rng(4)
    Y = _matrix(*(rng.gamma(2.0, 10.0, n) + np.tile(PATTERN, 12)[:n] for n in (80, 61, 33)))
    origins = np.array([40, 80])
    got = ets_forecasts(Y, origins, H, HW_GRID)
    for k, o in enumerate(origins):
        for i in range(Y.shape[0]):
            ref = [
                _ets_reference(Y[i], o, a, b, g, HW_GRID.phi)
                for a in HW_GRID.alphas
                for b in HW_GRID.betas
                for g in HW_GRID.gammas
            ]
            best = min(ref, key=lambda r: r[0])  # the grid point with the lowest SSE before the origin
            np.testing.assert_allclose(got[k, i], best[1:], rtol=1e-12)


def _members(Y: np.ndarray) -> list[np.ndarray]:
    return [forecast_matrix(Y, H, m, nonneg=False).point for m in COMBO_MEMBERS]


def test_combo_is_the_median_of_its_members_on_the_log_scale_for_a_positive_series() -> None:
    rng = np.random.default_rng(5)
    y = rng.gamma(2.0, 10.0, 70)
    with_zero = np.r_[y[:60], 0.0, y[61:]]
    Y = _matrix(y, with_zero)
    combo = forecast_matrix(Y, H, "combo", nonneg=False).point
    np.testing.assert_allclose(combo[0], np.exp(np.median(_members(np.log(Y[:1])), axis=0)[0]), rtol=1e-12)
    # one day at 0: the values' own scale
    np.testing.assert_allclose(combo[1], np.median(_members(Y[1:]), axis=0)[0], rtol=1e-12)
    assert not np.allclose(combo[0], np.median(_members(Y[:1]), axis=0)[0], rtol=1e-3)


def test_combo_is_zero_once_dormant() -> None:
    y = np.random.default_rng(5).gamma(2.0, 10.0, 70)
    Y = _matrix(y, np.r_[y[:35], np.zeros(35)])
    assert _members(Y)[0][1].max() > 0 and (forecast_matrix(Y, H, "combo").point[1] == 0).all()
    assert forecast_matrix(Y, H, "auto").method.tolist() == ["combo", "combo"]


def test_adjusted_ses_carries_the_weekly_pattern_that_plain_ses_flattens() -> None:
    T = SEASONAL_SES_DAYS + 30
    Y = _matrix(50.0 + np.tile(PATTERN, T // 7 + 1)[:T])
    origins = np.array([T])
    expected = 50.0 + np.tile(PATTERN, 3)[T % 7 : T % 7 + H]
    np.testing.assert_allclose(adjusted_ses_forecasts(Y, origins, H)[0, 0], expected, rtol=1e-9)
    plain = ets_forecasts(Y, origins, H, SES_GRID)[0, 0]
    assert np.abs(plain - expected).max() > 3.0


def test_combo_seasonally_adjusts_its_ses_only_once_the_series_is_old_enough() -> None:
    rng = np.random.default_rng(8)
    T = SEASONAL_SES_DAYS + 20
    y = (40.0 + np.tile(PATTERN, T // 7 + 1)[:T]) * rng.lognormal(0.0, 0.2, T)
    Y = _matrix(y, y[-(SEASONAL_SES_DAYS - 1) :])
    Z = np.log(Y)
    origins = np.array([T])
    ses = ets_forecasts(Z, origins, H, SES_GRID)[0]
    adjusted = adjusted_ses_forecasts(Z, origins, H)[0]
    hw, smean = forecast_matrix(Z, H, "hw", nonneg=False).point, seasonal_mean_forecasts(Z, origins, H)[0]
    combo = forecast_matrix(Y, H, "combo", nonneg=False).point
    for i, member in ((0, adjusted), (1, ses)):
        np.testing.assert_allclose(
            combo[i], np.exp(np.median([hw[i], member[i], smean[i]], axis=0)), rtol=1e-12
        )
    assert not np.allclose(adjusted[0], ses[0], rtol=1e-3)


def test_median3_is_numpys_median_of_three_bit_for_bit() -> None:
    """Signed zeros, infinities, subnormals and NaN anywhere: the same bits as np.median (NaN as NaN)."""
    rng = np.random.default_rng(3)
    values = np.array([0.0, -0.0, 1.0, 2.0, 3.5, np.nan, np.inf, -np.inf, 5e-324, -7.25])
    for _ in range(200):
        a, b, c = (rng.choice(values, size=(4, 6, 7)) for _ in range(3))
        expected, got = np.median([a, b, c], axis=0), median3(a, b, c)
        nan = np.isnan(expected)
        assert np.array_equal(nan, np.isnan(got))
        assert np.array_equal(expected[~nan].view(np.int64), got[~nan].view(np.int64))
