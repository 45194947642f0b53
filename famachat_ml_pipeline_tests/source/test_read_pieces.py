"""The reader parses the COPY's CSV in pieces while the rest streams in: cut into many pieces, the read is
exactly the recorded reference's (the one-piece read of the code before), dirty rows and all."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.source import read
from famachat_ml_pipeline_tests.source.reference_read import DAILY, counts, read_reference, reference_counts


@pytest.mark.postgres
def test_a_read_in_many_pieces_equals_the_recorded_reference(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ~1 MB of CSV in pieces of a few rows: every cut between blocks is exercised, the header's piece too
    monkeypatch.setattr(read, "PIECE_BYTES", 300)
    got = read_reference(get_engine(pg_url))
    assert_frame_equal(got.daily, pl.read_parquet(DAILY), check_exact=True)
    assert counts(got) == reference_counts()


@pytest.mark.postgres
def test_pieces_cut_between_rows_that_hold_newlines_quotes_and_commas(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = get_engine(pg_url)
    read_reference(engine)
    with engine.begin() as conn:  # a campaign id CSV must quote, on rows of its own among the others
        conn.exec_driver_sql(
            "UPDATE sistema_facebook_ads_insights SET campaign_id = E'x,\\n\"y\"\\r\\n' || campaign_id "
            "WHERE id %% 7 = 0"
        )
    start = dt.date(2025, 4, 1)
    ids = list(range(1, 9))
    monkeypatch.setattr(read, "PIECE_BYTES", 1 << 30)
    whole = read.read_source(engine, ids, start)
    monkeypatch.setattr(read, "PIECE_BYTES", 200)
    pieces = read.read_source(engine, ids, start)
    assert whole[1]["campaign_id"].str.contains("\n").sum() > 100
    for a, b in zip(pieces, whole, strict=True):
        assert_frame_equal(a, b, check_exact=True)
