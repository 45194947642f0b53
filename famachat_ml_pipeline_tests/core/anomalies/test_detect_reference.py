"""The optimised detector gives, bit for bit, what the detector gave before its speed-up (but for the
zero-lead days' deliberate change: `reference_fleet.assert_same_detections`)."""

from __future__ import annotations

import polars as pl

from famachat_ml_pipeline.core.anomalies import ANOMALY_TYPES, OUTPUT_KEY, detect_anomalies
from famachat_ml_pipeline_tests.core.anomalies.reference_fleet import (
    AS_OF,
    LOOKBACK,
    REFERENCE,
    assert_same_detections,
    reference_fleet,
)


def test_detections_equal_the_recorded_reference_exactly() -> None:
    expected = pl.read_parquet(REFERENCE)
    assert set(expected["anomaly_type"]) == set(ANOMALY_TYPES)  # every type is exercised
    found = detect_anomalies(reference_fleet(), AS_OF, lookback_days=LOOKBACK)
    assert_same_detections(found, expected, OUTPUT_KEY)
