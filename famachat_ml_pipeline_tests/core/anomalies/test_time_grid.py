import numpy as np

from famachat_ml_pipeline.core.anomalies import detect_series, infer_period
from famachat_ml_pipeline.core.anomalies.series import detect_timed_series
from famachat_ml_pipeline.core.anomalies.time_grid import time_grid, typical_step

STEP = np.timedelta64(300, "s")


def _night_gaps(days: int, seed: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """5-minute rows with the 8 night hours (00:00-08:00) missing every day, a daily pattern with noise."""
    start = np.datetime64("2015-09-01T00:00", "us")
    slot = np.arange(days * 288)
    keep = (slot % 288) >= 96
    ts = start + slot[keep] * STEP
    hour = (slot[keep] % 288) / 12.0
    rng = np.random.default_rng(seed)
    values = 50 + 20 * np.sin(2 * np.pi * hour / 24) + rng.normal(0, 1.0, keep.sum())
    return ts, values


def test_rows_land_in_their_slots_and_a_missing_night_leaves_empty_slots():
    ts, values = _night_gaps(3)
    grid = time_grid(ts)
    assert grid.step_seconds == 300.0
    assert grid.size == 3 * 288 - 96  # from the first row (08:00 on day 1) to the last (23:55 on day 3)
    assert np.array_equal(grid.slots[:2], [0, 1])
    assert grid.slots[192] == 288  # the first row of day 2 is one day of slots after the first of day 1
    placed = grid.place(values)
    assert np.isnan(placed[192:288]).all()  # the night
    assert np.array_equal(grid.rows(placed), values)


def test_a_file_with_missing_night_rows_gets_a_one_day_period():
    ts, _ = _night_gaps(3)
    assert infer_period(time_grid(ts).step_seconds) == 288  # a day of 5-minute slots
    rows_per_day = 192
    assert infer_period(typical_step(ts)) != rows_per_day  # the period is time, not the rows of a day


def test_repeated_and_jittered_timestamps_keep_a_slot_each_in_order():
    base = np.datetime64("2020-01-01T00:00", "us")
    seconds = np.array([0, 300, 300, 600, 840, 1200, 1500, 1500, 1500, 3000])
    grid = time_grid(base + seconds.astype("timedelta64[s]"))
    assert grid.step_seconds == 300.0
    assert np.array_equal(grid.slots, [0, 1, 2, 3, 4, 5, 6, 7, 8, 10])


def test_regular_series_maps_one_row_to_one_slot():
    ts = np.datetime64("2020-01-01T00:00", "us") + np.arange(1000) * STEP
    grid = time_grid(ts)
    assert grid.size == 1000 and np.array_equal(grid.slots, np.arange(1000))
    values = np.random.default_rng(1).normal(0, 1, 1000)
    values[700] += 12
    period = infer_period(grid.step_seconds)
    assert np.array_equal(detect_timed_series(ts, values), detect_series(values, period))


def test_time_based_period_finds_what_a_row_count_period_misses():
    # nights missing: 192 rows a day; the median spacing says 288 rows a day, which span 1.5 days of rows,
    # so a row-count period compares each row with the other half of the day and cannot use the pattern
    ts, values = _night_gaps(20)
    later = np.arange(len(values)) >= 192 * 6
    assert not detect_timed_series(ts, values)[later].any()
    at = 192 * 12 + 100
    values[at] += 8.0  # small against the daily swing (40), large against the seasonal residual (1)
    assert detect_timed_series(ts, values)[at]
    assert not detect_series(values, infer_period(typical_step(ts)))[at]
