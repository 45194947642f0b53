import numpy as np

from famachat_ml_pipeline.core.anomalies import (
    SeriesConfig,
    detect_series,
    detect_series_zscore,
    infer_period,
)
from famachat_ml_pipeline.core.anomalies.series import (
    lagged_peaks,
    memory_periods,
    rank_bar,
    relative_scores,
    robust_abs_z,
    robust_z,
    scale_scores,
    series_score,
    smoothed_abs_z,
    smoothing_span,
    trailing_max,
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
    flags = detect_series(values, period, SeriesConfig())
    assert not flags[period * 5 :].any()
    values[400] += 8.0  # small against the daily swing, large against the seasonal residual
    flags = detect_series(values, period, SeriesConfig())
    assert flags[400] and not flags[period * 5 : 400].any()
    assert not detect_series_zscore(values, period, SeriesConfig())[400]  # the swing hides it from z


def test_spikes_in_either_direction_are_found():
    period = 24
    rng = np.random.default_rng(9)
    values = 50 + rng.normal(0, 1.0, period * 20)
    values[300] -= 15.0
    values[420] += 15.0
    flags = detect_series(values, period)
    assert flags[300] and flags[420]


def test_usual_bursts_score_near_the_line_and_a_new_extreme_far_above():
    period = 24
    rng = np.random.default_rng(5)
    values = 10 + rng.normal(0, 0.5, period * 20)
    bursts = np.arange(period * 5, 400, 17)
    values[bursts] += 6.0  # a burst every 17 samples: part of this series' normal
    values[400] += 20.0  # far beyond any burst so far
    config = SeriesConfig()
    score = series_score(values, period, config)
    later = bursts[bursts > period * 8]  # the memory has seen such bursts by then
    assert score[later].max() < 1.2
    assert score[400] > 2.5
    # most usual bursts raise nothing (one slightly above the largest the memory holds may)
    assert detect_series(values, period, config)[later].sum() <= len(later) // 3
    # without the memory every usual burst is far above the line, as heavy tails are for the MAD
    plain = robust_abs_z(values, period, config) / config.z_floor
    assert plain[later].min() > 1.5


def test_the_memory_only_raises_the_floor():
    rng = np.random.default_rng(2)
    period = 12
    abs_z = robust_abs_z(rng.standard_t(3, period * 30), period)
    scores = relative_scores(abs_z, period, ((1, 2), (2, 1), (4, 3)), z_floor=3.5)
    assert scores.shape == (3, period * 30)
    assert (scores <= abs_z / 3.5 + 1e-12).all()  # the floor is a cut-off, the memory only raises it


def _peaked(period: int, peaks: list[float]) -> np.ndarray:
    """|z| that is 0 except one sample per period, mid-period, at that period's peak."""
    out = np.zeros(period * len(peaks))
    out[np.arange(len(peaks)) * period + period // 2] = peaks
    return out


def test_lagged_peaks_wait_for_a_whole_scored_period():
    abs_z = _peaked(4, [0.0, 5.0, 2.0, 3.0])  # period 0 has no z (it builds the history)
    peaks = lagged_peaks(abs_z, 4, 2)
    assert np.isnan(peaks[0, :8]).all()  # the first period with a z ends at row 7
    # the peak of the 4 rows before each row (the 5 sits at row 6, the 2 at row 10, the 3 at row 14)
    assert peaks[0, 8:].tolist() == [5.0, 5.0, 5.0, 2.0, 2.0, 2.0, 2.0, 3.0]
    assert np.isnan(peaks[1, :12]).all() and peaks[1, 12:].tolist() == [5.0, 5.0, 5.0, 2.0]


def test_rank_bar_is_the_rank_th_highest_recent_period_peak():
    assert [memory_periods(r) for r in (1, 2, 4)] == [6, 13, 27]
    period = 10
    # one anomalous period (row 105) among usual peaks of 4; 20 periods, so rank 2's 13 peaks exist
    peaks = [0.0] + [4.0] * 9 + [50.0] + [4.0] * 9
    abs_z = _peaked(period, peaks)
    t = 20 * period - 1  # the last row: rank 1's 6 peaks lie after the 50, rank 2's 13 include it
    assert rank_bar(abs_z, period, 1, young_memory=2)[t] == 4.0
    assert rank_bar(abs_z, period, 2, young_memory=2)[t] == 4.0  # the second highest tolerates the 50
    t = 12 * period  # rank 1's 6 peaks (periods 5..10) hold the 50: the largest masks everything below it
    assert rank_bar(abs_z, period, 1, young_memory=2)[t] == 50.0


def test_a_young_series_bar_is_the_recent_maximum():
    """Fewer peaks than the memory: the largest |z| of the last `young_memory` periods, sliding (so a past
    anomaly is forgotten after young_memory periods, and the bar exists from the first row with a z)."""
    period = 10
    abs_z = _peaked(period, [0.0, 6.0, 3.0, 2.0, 1.0, 1.0])  # the 6 at row 15, the 3 at 25, the 2 at 35
    bar = rank_bar(abs_z, period, 4, young_memory=2)
    assert bar[:16].tolist() == [0.0] * 16  # nothing scored before row 15
    assert bar[16] == 6.0 and bar[35] == 6.0  # row 15 is within the 20 rows before each
    assert bar[36] == 3.0  # the 6 has left the two periods; the 3 at row 25 remains
    # a longer young memory keeps the 6 longer
    assert rank_bar(abs_z, period, 4, young_memory=3)[45] == 6.0
    assert rank_bar(abs_z, period, 4, young_memory=1)[26] == 3.0


def test_a_past_anomaly_does_not_mask_the_next_one():
    """Two spikes a period and a half apart, the second smaller, once the series has its memory's peaks:
    the largest recent |z| (rank 1) hides the second; the default rank tolerates one anomalous period and
    finds both."""
    period = 24
    rng = np.random.default_rng(12)
    t = np.arange(period * 40)
    values = 10 * np.sin(2 * np.pi * t / period) + rng.normal(0, 0.5, len(t)) + 50
    values[720] += 30.0
    values[756] += 15.0
    found = detect_series(values, period)
    assert found[720] and found[756]
    assert not found[period * 5 : 720].any()
    assert not detect_series(values, period, SeriesConfig(rank=1))[756]


def test_noise_free_patterns_raise_no_alert_after_warm_up():
    """artificialNoAnomaly-like files: a clean daily sine, a square wave, a flat line."""
    period = 24
    t = np.arange(period * 20)
    square = np.where((t % period) < period // 2, 20.0, 80.0)
    for values in (10 * np.sin(2 * np.pi * t / period) + 50, square, np.full(len(t), 3.0)):
        assert not detect_series(values, period)[period * 3 :].any()


def test_trailing_max_sees_only_the_past():
    assert trailing_max(np.array([1.0, 3.0, 2.0, 0.5]), 2).tolist() == [0.0, 1.0, 3.0, 3.0]


def test_smoothed_abs_z_is_the_trailing_mean_of_the_finite_z_times_the_root_of_their_count():
    z = np.array([np.nan, 1.0, -3.0, 2.0, np.nan, 4.0])
    got = smoothed_abs_z(z, 3)
    # windows: [nan], [nan, 1], [nan, 1, -3], [1, -3, 2], [-3, 2, nan], [2, nan, 4]
    want = [0.0, 1.0, abs(-2 / 2) * np.sqrt(2), 0.0, abs(-1 / 2) * np.sqrt(2), 3 * np.sqrt(2)]
    assert np.allclose(got, want)
    assert np.allclose(smoothed_abs_z(z, 1), np.nan_to_num(np.abs(z)))


def test_the_second_scale_spans_an_hour_of_a_day_and_none_for_hourly_or_daily_data():
    assert smoothing_span(288, 24) == 12  # 5-minute samples: an hour
    assert smoothing_span(48, 24) == 2
    assert smoothing_span(24, 24) == 1 and smoothing_span(7, 24) == 1  # hourly, daily: one scale
    assert smoothing_span(288, 0) == 1


def test_the_score_is_the_larger_of_the_two_scales():
    rng = np.random.default_rng(4)
    period = 48
    z = robust_z(rng.standard_t(4, period * 30), period)
    pairs = ((1, 2), (2, 2))
    one = relative_scores(np.nan_to_num(np.abs(z)), period, pairs, z_floor=3.5)
    smooth = relative_scores(smoothed_abs_z(z, 2), period, pairs, z_floor=3.5)
    got = scale_scores(z, period, ((1, 2, 0), (2, 2, 0), (1, 2, 24), (2, 2, 24)), z_floor=3.5)
    assert np.array_equal(got[:2], one)  # smoothing 0: the samples' scale alone
    assert np.array_equal(got[2:], np.maximum(one, smooth))
    assert (got[2:] > got[:2]).any()


def test_a_sustained_shift_within_the_noise_is_found_at_the_second_scale():
    """Four hours of 5-minute samples each 1.5 sigma high: no sample stands out, their hourly mean does."""
    period = 288
    rng = np.random.default_rng(1)
    t = np.arange(period * 20)
    values = 100 + 20 * np.sin(2 * np.pi * t / period) + rng.normal(0, 1.0, len(t))
    assert not detect_series(values, period)[period * 5 :].any()
    at = period * 16 + 100
    values[at : at + 48] += 1.5
    flags = detect_series(values, period)
    assert flags[at : at + 48].any() and not flags[period * 5 : at].any()
    one_scale = SeriesConfig(smoothing=0)
    assert series_score(values, period, one_scale)[at : at + 48].max() < one_scale.margin
