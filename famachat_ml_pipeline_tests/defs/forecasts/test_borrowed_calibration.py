"""A run of one account after the fleet's run of the same day borrows the fleet's calibration: its
campaigns keep the bounds the fleet run gave them (not those of a dozen-campaign pool)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.db.forecast_calibration import forecast_calibration
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline_tests.conftest import ON_POSTGRES


def _bounds(engine: sa.Engine, config_id: int, as_of: dt.date) -> pl.DataFrame:
    p = schema.ml_predictions
    made_on = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    query = sa.select(
        p.c.entity_id, p.c.prediction_type, p.c.horizon_days, p.c.confidence_lower, p.c.confidence_upper
    ).where(p.c.config_id == config_id, p.c.forecast_date >= made_on)
    with engine.connect() as conn:
        rows = conn.execute(query).fetchall()
    return pl.DataFrame(
        [tuple(r) for r in rows], orient="row", schema=list(query.selected_columns.keys())
    ).sort("entity_id", "prediction_type", "horizon_days")


def _calibrations(engine: sa.Engine) -> dict[dt.date, tuple[int, object]]:
    t = forecast_calibration
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.as_of, t.c.n_series, t.c.calibration)).fetchall()
    return {r.as_of: (r.n_series, r.calibration) for r in rows}


def _forecast_metadata(settings: Settings, run_id: str) -> dict:
    """campaign_forecasts' figures in the run (on the event of the run's last partition)."""
    records = get_instance(settings).get_records_for_run(run_id).records
    for record in records:
        mat = record.event_log_entry.asset_materialization
        if (
            mat is not None
            and mat.asset_key.path[-1] == "campaign_forecasts"
            and "calibration" in mat.metadata
        ):
            return {k: v.value for k, v in mat.metadata.items()}
    raise AssertionError("no campaign_forecasts materialization with the run's figures")


def test_one_account_run_borrows_the_fleets_calibration(settings: Settings) -> None:
    data = generate_demo(n_accounts=6, days=75, seed=3)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    end, quiet = data.end_date, {"echo": lambda _: None}
    account = int(data.incidents["config_id"].min())
    yesterday = end - dt.timedelta(days=1)

    # Before the fleet's run of the day, one account borrows the day before's row and stores none of its
    # own: a borrowed row never outlives MAX_AGE_DAYS by being stored again under a later day.
    (fleet_before,) = run_pipeline(settings, as_of=yesterday, **quiet)
    assert fleet_before.success
    (early,) = run_pipeline(settings, config_ids=[account], as_of=end, **quiet)
    assert early.success
    n_before = _calibrations(engine)[yesterday][0]
    note = f"borrowed: the pool of {n_before:,} campaigns stored for {yesterday}"
    assert _forecast_metadata(settings, early.run_id)["calibration"] == note
    assert list(_calibrations(engine)) == [yesterday]

    (fleet,) = run_pipeline(settings, as_of=end, **quiet)
    assert fleet.success
    assert _forecast_metadata(settings, fleet.run_id)["calibration"].startswith("own: a pool of ")
    stored = _calibrations(engine)
    before = _bounds(engine, account, end)
    n_account = before["entity_id"].n_unique()
    assert list(stored) == [yesterday, end] and stored[end][0] > 2 * n_account > 0

    (one,) = run_pipeline(settings, config_ids=[account], as_of=end, **quiet)
    assert one.success
    note = _forecast_metadata(settings, one.run_id)["calibration"]
    assert note == f"borrowed: the pool of {stored[end][0]:,} campaigns stored for {end}"
    assert _bounds(engine, account, end).equals(before)
    assert _calibrations(engine) == stored  # the smaller pool did not replace the fleet's

    # A backfill of an earlier day stores that day's calibration and leaves the present's alone.
    past = end - dt.timedelta(days=10)
    (back,) = run_pipeline(settings, as_of=past, **quiet)
    assert back.success
    after = _calibrations(engine)
    assert after.keys() == {past, yesterday, end} and after[end] == stored[end] and after[past][0] > 0
    assert _bounds(engine, account, end).equals(before)


@ON_POSTGRES
def test_an_unreadable_stored_row_is_a_warning_not_a_failed_run(settings: Settings) -> None:
    data = generate_demo(n_accounts=2, days=60, seed=4)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    (first,) = run_pipeline(settings, as_of=data.end_date, echo=lambda _: None)  # migrates, stores a row
    t = forecast_calibration
    with engine.begin() as conn:  # a hand-edited row, of a pool larger than any run's
        conn.execute(t.update().values(calibration={"n_series": 5}, n_series=10**6))
    account = int(data.incidents["config_id"].min())
    (one,) = run_pipeline(settings, config_ids=[account], as_of=data.end_date, echo=lambda _: None)
    assert first.success and one.success
    assert _forecast_metadata(settings, one.run_id)["calibration"].startswith("own: a pool of ")
