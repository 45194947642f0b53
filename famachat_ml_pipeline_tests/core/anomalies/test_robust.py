import warnings
from collections.abc import Callable

import numpy as np
import pytest

from famachat_ml_pipeline.core.anomalies import plain_z, robust_seasonal_z, seasonal_lag_median
from famachat_ml_pipeline.core.anomalies.robust import _window_stats, history, nan_median, window_counts


def test_seasonal_lag_median_needs_two_lags():
    x = np.arange(20, dtype=float)[None, :]
    out = seasonal_lag_median(x, period=7, lags=4)
    assert np.isnan(out[0, :14]).all()  # fewer than 2 past weeks
    assert out[0, 14] == 3.5  # median of x[7] and x[0]
    assert out[0, 19] == 8.5


def test_one_past_spike_does_not_inflate_the_robust_scale():
    rng = np.random.default_rng(0)
    x = 100 + rng.normal(0, 1, 60)
    x[40] = 200.0  # a past spike inside the history of the last point
    x[59] = 108.0
    target = np.array([59])
    robust = robust_seasonal_z(
        x[None, :], target, periods=(), window=28, min_samples=7, lags=4, scale_floor_std=0.25
    )
    _, seed_z = plain_z(x[None, :], target, window=28, min_samples=7)
    assert robust.z[0, 0] > 5  # 8 sigma of the clean noise
    assert seed_z[0, 0] < 1  # the spike's std hides it from the seed's z


def test_seasonal_candidate_is_chosen_when_it_explains_the_pattern():
    t = np.arange(24 * 30)
    x = 10 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(1).normal(0, 0.3, len(t))
    res = robust_seasonal_z(
        x[None, :],
        np.array([len(t) - 1]),
        periods=(24,),
        window=96,
        min_samples=24,
        lags=4,
        scale_floor_std=0.25,
    )
    assert res.scale[0, 0] < 1.0  # the daily swing (amplitude 10) is not counted as noise


def _plain_window_stats(
    x: np.ndarray, window: int, targets: np.ndarray, min_samples: int, median: Callable = np.nanmedian
) -> list[np.ndarray]:
    """The window statistics the obvious way: the whole [series, target, window] stack, numpy's nan*."""
    hist = history(x, window, targets)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = median(hist, axis=2)
        dev = np.abs(hist - med[:, :, None])
        stats = [med, median(dev, axis=2) * 1.4826, np.nanstd(hist, axis=2), np.nanmean(dev, axis=2)]
    enough = np.isfinite(hist).sum(axis=2) >= min_samples
    return [np.where(enough, a, np.nan) for a in stats]


@pytest.mark.parametrize("window", [7, 28, 70])
def test_window_stats_equal_numpys_nan_reductions_bit_for_bit(window: int) -> None:
    rng = np.random.default_rng(window)
    x = rng.lognormal(3.0, 1.0, (700, 120))
    x[rng.random(x.shape) < 0.3] = np.nan
    x[:40, :90] = np.nan  # young series: all-NaN windows
    x[40:80] = np.round(x[40:80] / 10)  # ties
    x[80:90, 100:] = 0.0  # flat
    targets = np.arange(60, 120)
    for a, b in zip(
        _window_stats(x, window, targets, 7), _plain_window_stats(x, window, targets, 7), strict=True
    ):
        assert np.array_equal(a, b, equal_nan=True)
    # infinities take the general path, whose median leaves them out of the count (nan_median, as before)
    inf = np.where(np.arange(120) == 100, np.inf, x)
    plain = _plain_window_stats(inf, window, targets, 7, median=nan_median)
    for a, b in zip(_window_stats(inf, window, targets, 7), plain, strict=True):
        assert np.array_equal(a, b, equal_nan=True)


def _sorted_lag_median(x: np.ndarray, period: int, lags: int) -> np.ndarray:
    """seasonal_lag_median as it was before the sorting network: a sort along the stacked lags."""
    stack = np.stack(
        [
            np.concatenate([np.full((x.shape[0], k * period), np.nan), x], axis=1)[:, : x.shape[1]]
            for k in range(1, lags + 1)
        ]
    )
    med = nan_median(stack, axis=0)
    med[np.isfinite(stack).sum(axis=0) < 2] = np.nan
    return med


def _lag_matrix(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.lognormal(3.0, 1.0, (500, 84))
    x[rng.random(x.shape) < 0.3] = np.nan
    x[:30, :60] = np.nan  # young series
    x[30:90] = np.round(x[30:90] / 10)  # ties, zeros among them
    x[90:100, 40:] = 0.0  # flat at 0
    x[100:110] = np.where(rng.random((10, 84)) < 0.2, np.inf, x[100:110])
    x[110:120] = np.where(rng.random((10, 84)) < 0.2, -np.inf, x[110:120])
    x[120:130] = -x[120:130]  # negative values
    return x


@pytest.mark.parametrize("lags", [2, 3, 4, 5])
@pytest.mark.parametrize("start", [0, 28])
def test_seasonal_lag_median_equals_the_sorted_median_bit_for_bit(lags: int, start: int) -> None:
    x = _lag_matrix(lags)
    expected = _sorted_lag_median(x, 7, lags)
    expected[:, :start] = np.nan
    found = seasonal_lag_median(x, 7, lags, start)
    assert np.array_equal(found, expected, equal_nan=True)
    assert np.array_equal(np.signbit(found), np.signbit(expected))


def test_seasonal_lag_median_keeps_the_sort_where_a_negative_zero_could_tie() -> None:
    x = _lag_matrix(0)
    x[5, 10] = -0.0
    expected = _sorted_lag_median(x, 7, 4)
    found = seasonal_lag_median(x, 7, 4)
    assert np.array_equal(found, expected, equal_nan=True)
    assert np.array_equal(np.signbit(found), np.signbit(expected))


def test_window_counts_are_the_finite_values_of_each_window() -> None:
    x = _lag_matrix(1)
    targets = np.arange(40, 84)
    for window in (3, 7, 28, 60):
        expected = np.isfinite(history(x, window, targets)).sum(axis=2)
        assert np.array_equal(window_counts(x, window, targets), expected)


def test_window_stats_std_only_where_the_mad_is_0() -> None:
    rng = np.random.default_rng(3)
    x = rng.lognormal(3.0, 1.0, (400, 90))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[:100] = np.round(x[:100] / 50)  # lumpy: many windows with MAD 0
    targets = np.arange(50, 90)
    full = _window_stats(x, 28, targets, 7)
    med, mad, sd, fit = _window_stats(x, 28, targets, 7, sd_where_mad_is_0=True)
    assert (mad == 0).sum() > 100
    for a, b in zip((med, mad, fit), (full[0], full[1], full[3]), strict=True):
        assert np.array_equal(a, b, equal_nan=True)
    assert np.array_equal(sd, np.where(mad == 0, full[2], np.nan), equal_nan=True)


def test_nan_median_of_long_slices_equals_numpys_bit_for_bit() -> None:
    """Long slices (NAB's 1,152-sample windows) are sorted instead of going through np.nanmedian, which
    loops over slices in Python when NaNs are present; the values are numpy's, infinities included."""
    rng = np.random.default_rng(3)
    a = rng.lognormal(3.0, 1.0, (300, 1152))
    a[rng.random(a.shape) < 0.2] = np.nan
    a[:20] = np.nan  # all-NaN slices
    a[20:60] = np.round(a[20:60] / 10)  # ties
    a[60:70, :5] = np.inf
    a[70:80, 5:9] = -np.inf
    a[80:82] = np.nan
    a[80, 0], a[81, :2] = 1.5, (np.inf, -np.inf)  # one value; the mean of two infinities is NaN
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = np.nanmedian(a, axis=1)
    assert np.array_equal(nan_median(a, axis=1), want, equal_nan=True)
    assert np.array_equal(nan_median(a.T, axis=0), want, equal_nan=True)
