import numpy as np

from famachat_ml_pipeline.core.anomalies import (
    AnomalyConfig,
    detect_series,
    detect_series_zscore,
    infer_period,
)


def test_infer_period():
    assert infer_period(300) == 288
    assert infer_period(3600) == 24
    assert infer_period(86400) == 7


def test_detect_series_seasonal_pattern_quiet_spike_found():
    period = 24
    t = np.arange(period * 20)
    rng = np.random.default_rng(3)
    values = 10 * np.sin(2 * np.pi * t / period) + rng.normal(0, 0.5, len(t))
    flags = detect_series(values, period, AnomalyConfig())
    assert not flags[period * 5 :].any()
    values[400] += 8.0  # small against the daily swing, large against the seasonal residual
    flags = detect_series(values, period, AnomalyConfig())
    assert flags[400] and not flags[period * 5 : 400].any()
    assert not detect_series_zscore(values, period, AnomalyConfig())[400]  # the swing hides it from z
