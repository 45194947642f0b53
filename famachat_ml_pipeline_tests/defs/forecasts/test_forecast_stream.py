"""campaign_forecasts writes each metric while it computes the next (ForecastStream): the ml_forecasts and
ml_predictions rows are those of the plain path (forecast_fleet, then replace_forecasts), and a failure
while computing or writing leaves the previous rows, on SQLite and on Postgres."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import polars as pl
import psycopg
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from famachat_ml_pipeline.core.forecasting import forecast_fleet, forecast_fleet_parts
from famachat_ml_pipeline.db import schema, writer
from famachat_ml_pipeline.db.reader import forecasts_as_read
from famachat_ml_pipeline.defs.forecasts.assets import MODEL_VERSION, ForecastRunConfig, campaign_forecasts
from famachat_ml_pipeline_tests.defs.conftest import ACCOUNTS, DemoAccounts, demo_accounts_on

IDS = [int(a) for a in ACCOUNTS]
IGNORED = {"id", "created_at"}  # row ids and the wall clock of the write


@pytest.fixture
def demo(db_url: str) -> Iterator[DemoAccounts]:
    yield from demo_accounts_on(db_url)  # on SQLite and Postgres


def forecast_rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    """ml_forecasts and ml_predictions, ids and write stamps left out, sorted (exact values)."""
    out = {}
    with engine.connect() as conn:
        for table in (schema.ml_forecasts, schema.ml_predictions):
            cols = [c for c in table.columns if c.name not in IGNORED]
            out[table.name] = sorted((tuple(map(repr, r)) for r in conn.execute(sa.select(*cols))), key=str)
    return out


def plain(d: DemoAccounts, day: dt.date, frame: pl.DataFrame | None = None) -> dict[str, int]:
    """The plain path: the whole frame computed, then written in one call."""
    fc = forecast_fleet(d.ad_insights, day) if frame is None else frame
    return writer.replace_forecasts(d.engine, fc, IDS, day, MODEL_VERSION)


def test_the_streamed_asset_writes_the_plain_paths_rows(demo: DemoAccounts) -> None:
    d = demo
    plain(d, d.as_of - dt.timedelta(days=1))  # history: another origin, which must stay
    expected_counts = plain(d, d.as_of)
    expected = forecast_rows(d.engine)
    assert expected["ml_forecasts"] and expected["ml_predictions"]
    # the day holds other rows before the asset runs (a shorter horizon, other values): all replaced
    stale = forecast_fleet(d.ad_insights, d.as_of, horizon=3).with_columns(pl.col("predicted_value") + 1.0)
    plain(d, d.as_of, stale)
    assert forecast_rows(d.engine) != expected

    result = campaign_forecasts(
        d.context(), config=ForecastRunConfig(), database=d.database, ad_insights=d.ad_insights
    )
    assert forecast_rows(d.engine) == expected
    assert {k: result.metadata[k].value for k in expected_counts} == expected_counts
    # and it passes along what the plain path's frame would have been
    assert_frame_equal(
        result.value, forecasts_as_read(forecast_fleet(d.ad_insights, d.as_of)), check_exact=True
    )


def test_forecast_fleet_is_its_parts_concatenated(demo: DemoAccounts) -> None:
    d = demo
    parts = list(forecast_fleet_parts(d.ad_insights, d.as_of))
    assert [p["metric"].unique().to_list() for p in parts] == [["spend"], ["leads"], ["cpl"]]
    assert_frame_equal(pl.concat(parts), forecast_fleet(d.ad_insights, d.as_of), check_exact=True)


def _written_once(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Set once the stream's writer has inserted a frame into its (uncommitted) transaction."""
    done = threading.Event()
    insert = writer._insert_forecasts

    def recorded(*args: object, **kwargs: object) -> dict[str, int]:
        out = insert(*args, **kwargs)  # type: ignore[arg-type]
        done.set()
        return out

    monkeypatch.setattr(writer, "_insert_forecasts", recorded)
    return done


def test_an_error_while_computing_leaves_the_previous_rows(
    demo: DemoAccounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = demo
    plain(d, d.as_of)
    before = forecast_rows(d.engine)
    written = _written_once(monkeypatch)

    def failing() -> Iterator[pl.DataFrame]:
        parts = forecast_fleet_parts(d.ad_insights, d.as_of)
        yield next(parts)  # spend
        if d.engine.dialect.name == "postgresql":  # the thread has deleted and written spend by now
            assert written.wait(30)
        raise RuntimeError("the leads' forecast failed")

    with (
        pytest.raises(RuntimeError, match="leads"),
        writer.ForecastStream(d.engine, IDS, d.as_of, MODEL_VERSION, 7) as stream,
    ):
        for part in failing():
            stream.write(part)
        stream.commit()
    assert forecast_rows(d.engine) == before


def test_an_error_while_writing_is_raised_and_leaves_the_previous_rows(demo: DemoAccounts) -> None:
    d = demo
    plain(d, d.as_of)
    before = forecast_rows(d.engine)
    spend, leads, cpl = forecast_fleet_parts(d.ad_insights, d.as_of)
    broken = leads.with_columns(pl.lit(None, pl.String).alias("entity_id"))  # NOT NULL in both tables
    with (
        pytest.raises((sa.exc.IntegrityError, psycopg.errors.NotNullViolation), match=r"(?i)not.null"),
        writer.ForecastStream(d.engine, IDS, d.as_of, MODEL_VERSION, 7) as stream,
    ):
        for part in (spend, broken, cpl):
            stream.write(part)
        stream.commit()
    assert forecast_rows(d.engine) == before
