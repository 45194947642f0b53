import numpy as np

from famachat_ml_pipeline.core.anomalies import plain_z, robust_seasonal_z, seasonal_lag_median


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
