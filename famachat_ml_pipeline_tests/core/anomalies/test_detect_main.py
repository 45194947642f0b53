"""The detector gives, bit for bit, what main (d723d53) gave before the lookback speed-ups, on a seeded
demo fleet (lookbacks 1 and 28): see `detect_main_fleet`."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from famachat_ml_pipeline.core.anomalies import OUTPUT_KEY
from famachat_ml_pipeline_tests.core.anomalies.detect_main_fleet import RECORDED, detections, main_fleet


def test_detections_equal_mains_exactly() -> None:
    expected = pl.read_parquet(RECORDED).sort("lookback", *OUTPUT_KEY)
    assert expected["anomaly_type"].n_unique() >= 10  # most types (the reference test has all 12)
    found = detections(main_fleet()).sort("lookback", *OUTPUT_KEY)
    assert_frame_equal(found, expected, check_exact=True)
