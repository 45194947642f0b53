import numpy as np

from famachat_ml_pipeline.core.anomalies import (
    AnomalyConfig,
    detect_series,
    detect_series_zscore,
    infer_period,
)
from famachat_ml_pipeline.core.anomalies.series import series_score, trailing_max


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


def test_usual_bursts_score_near_the_line_and_a_new_extreme_far_above():
    period = 24
    rng = np.random.default_rng(5)
    values = 10 + rng.normal(0, 0.5, period * 20)
    bursts = np.arange(period * 5, 400, 17)
    values[bursts] += 6.0  # a burst every 17 samples: part of this series' normal
    values[400] += 20.0  # far beyond any burst so far
    score = series_score(values, period, AnomalyConfig())
    later = bursts[bursts > period * 8]  # the memory (3 periods) has seen such bursts by then
    assert score[later].max() < 1.2
    assert score[400] > 2.5
    # without the memory every usual burst is far above the line, as heavy tails are for the MAD
    plain = series_score(values, period, AnomalyConfig(series_memory_periods=0))
    assert plain[later].min() > 1.5


def test_trailing_max_sees_only_the_past():
    assert trailing_max(np.array([1.0, 3.0, 2.0, 0.5]), 2).tolist() == [0.0, 1.0, 3.0, 3.0]
