"""`read_daily_insights` on the demo's dirty rows returns exactly what it returned before the cleaner was
optimised (frozen in `data/`, see `reference_read.py`)."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline_tests.source.reference_read import DAILY, counts, read_reference, reference_counts


@pytest.mark.postgres
def test_read_daily_insights_equals_the_recorded_reference(pg_url: str) -> None:
    read = read_reference(get_engine(pg_url))
    assert_frame_equal(read.daily, pl.read_parquet(DAILY), check_exact=True)
    assert counts(read) == reference_counts()
