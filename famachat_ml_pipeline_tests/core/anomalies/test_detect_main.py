"""The detector gives, bit for bit, what main (d723d53) gave before the lookback speed-ups, on a seeded
demo fleet (lookbacks 1 and 28): see `detect_main_fleet` (but for the zero-lead days' deliberate change:
`reference_fleet.assert_same_detections`)."""

from __future__ import annotations

import polars as pl

from famachat_ml_pipeline.core.anomalies import OUTPUT_KEY
from famachat_ml_pipeline_tests.core.anomalies.detect_main_fleet import RECORDED, detections, main_fleet
from famachat_ml_pipeline_tests.core.anomalies.reference_fleet import assert_same_detections


def test_detections_equal_mains_exactly() -> None:
    expected = pl.read_parquet(RECORDED)
    assert expected["anomaly_type"].n_unique() >= 10  # most types (the reference test has all 12)
    assert_same_detections(detections(main_fleet()), expected, ["lookback", *OUTPUT_KEY])
