"""The detectors run in threads: the parts they hand to `finish` are those of one thread, frame by frame and
in the same order (`finish` keeps the first of equally severe rows, so the order is part of the result)."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
from polars.testing import assert_frame_equal

from famachat_ml_pipeline.core.anomalies.campaign import detector_parts
from famachat_ml_pipeline.core.anomalies.campaign_frames import n_days_needed, to_matrices
from famachat_ml_pipeline.core.anomalies.config import DEFAULT_CONFIG
from famachat_ml_pipeline_tests.core.anomalies.reference_fleet import AS_OF, LOOKBACK, reference_fleet


def _parts(threads: int, config=DEFAULT_CONFIG, lookback: int = LOOKBACK) -> list:  # noqa: ANN001
    mats = to_matrices(reference_fleet(), AS_OF, n_days_needed(config, lookback), lookback)
    quiet = np.broadcast_to(mats.keys["inactive"].to_numpy()[:, None], (mats.keys.height, lookback))
    return detector_parts(mats, config, quiet, threads=threads)


def test_threaded_detectors_hand_back_the_one_thread_parts_in_order() -> None:
    serial, threaded = _parts(1), _parts(3)
    assert len(threaded) == len(serial) and sum(p.height for p in serial) > 0
    for a, b in zip(threaded, serial, strict=True):
        assert_frame_equal(a, b, check_exact=True)


def test_threads_on_the_warning_path_leave_the_warning_filters_as_they_were() -> None:
    # a history longer than 64 days takes the path that silences numpy's warnings through `warnings`
    long = dataclasses.replace(DEFAULT_CONFIG, history_days=70)
    before = list(warnings.filters)
    serial, threaded = _parts(1, long, 3), _parts(4, long, 3)
    assert warnings.filters == before
    for a, b in zip(threaded, serial, strict=True):
        assert_frame_equal(a, b, check_exact=True)
