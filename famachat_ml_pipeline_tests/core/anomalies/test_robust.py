import warnings
from collections.abc import Callable

import numpy as np
import pytest

from famachat_ml_pipeline.core.anomalies import plain_z, robust_seasonal_z, seasonal_lag_median
from famachat_ml_pipeline.core.anomalies.robust import _window_stats, history, nan_median


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
