"""Writers: anomalies are upserted without duplicates and never lose users' acknowledgements;
forecasts are replaced per origin."""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa

from famachat_ml_pipeline.core.anomalies import ANOMALY_SCHEMA
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.db.writer import replace_forecasts, upsert_anomalies

DAY = dt.date(2026, 3, 10)


def anomalies(severity: str = "HIGH", observed: float = 300.0) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (1, "campaign", "111", "SPEND_SPIKE", "spend", observed, 100.0, 4.5, severity, DAY),
            (1, "campaign", "222", "CTR_DROP", "ctr", 0.2, 1.0, -4.0, "HIGH", DAY),
        ],
        schema=ANOMALY_SCHEMA,
        orient="row",
    )


def test_anomalies_upsert_keeps_acknowledgements(migrated_url: str) -> None:
    engine = get_engine(migrated_url)
    t = schema.ml_anomalies
    first = upsert_anomalies(engine, anomalies(), [1], [DAY])
    assert first == {"inserted": 2, "updated": 0, "unchanged": 0, "withdrawn": 0}
    with engine.begin() as conn:
        conn.execute(
            t.update()
            .where(t.c.entity_id == "111")
            .values(
                is_acknowledged=True,
                acknowledged_by=42,
                acknowledged_at=dt.datetime(2026, 3, 11, 9),
                resolution_notes="orçamento dobrado de propósito",
            )
        )
    # same day again (the hourly job), then with a worse severity
    again = upsert_anomalies(engine, anomalies(), [1], [DAY])
    assert again == {"inserted": 0, "updated": 0, "unchanged": 2, "withdrawn": 0}
    assert upsert_anomalies(engine, anomalies("CRITICAL", 900.0), [1], [DAY])["updated"] == 1
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t).order_by(t.c.entity_id)).mappings().all()
    assert len(rows) == 2
    acked = rows[0]
    assert (acked["severity"], acked["observed_value"]) == ("CRITICAL", 900.0)
    assert acked["is_acknowledged"] is True and acked["acknowledged_by"] == 42
    assert acked["resolution_notes"] == "orçamento dobrado de propósito"

    # Restated data no longer shows either anomaly: the unacknowledged one is withdrawn, the acknowledged
    # one stays (it is the user's record now).
    gone = upsert_anomalies(engine, anomalies().head(0), [1], [DAY])
    assert gone["withdrawn"] == 1
    with engine.connect() as conn:
        assert conn.execute(sa.select(t.c.entity_id)).scalars().all() == ["111"]


def test_a_value_summed_in_another_order_is_not_an_update(migrated_url: str) -> None:
    # a one-account run and a fleet run add the same floats in another order: the last digit may differ
    engine = get_engine(migrated_url)
    upsert_anomalies(engine, anomalies(observed=12.18756475937134), [1], [DAY])
    noise = anomalies(observed=12.187564759371341)
    assert noise["observed_value"][0] != 12.18756475937134  # a different float, the same value
    assert upsert_anomalies(engine, noise, [1], [DAY])["updated"] == 0
    moved = anomalies(observed=12.1876)  # a real change, however small
    assert upsert_anomalies(engine, moved, [1], [DAY])["updated"] == 1
    assert upsert_anomalies(engine, anomalies(), [1], [DAY])["updated"] == 1


def forecast_frame(value: float, origin: dt.date = DAY, horizon: int = 3) -> pl.DataFrame:
    rows = [
        (1, "111", metric, origin + dt.timedelta(days=h), h, value, value * 0.5, value * 1.5, "hw", False)
        for metric in ("spend", "leads", "cpl")
        for h in range(1, horizon + 1)
    ]
    return pl.DataFrame(
        rows,
        orient="row",
        schema={
            "config_id": pl.Int64,
            "entity_id": pl.String,
            "metric": pl.String,
            "target_date": pl.Date,
            "horizon_day": pl.Int32,
            "predicted_value": pl.Float64,
            "confidence_lower": pl.Float64,
            "confidence_upper": pl.Float64,
            "method": pl.String,
            "insufficient_data": pl.Boolean,
        },
    )


def test_forecasts_replace_their_origin_only(migrated_url: str) -> None:
    engine = get_engine(migrated_url)
    assert replace_forecasts(engine, forecast_frame(10.0), [1], DAY, "v") == {
        "forecasts": 3,
        "predictions": 9,
    }
    # the next day's origin overlaps two target days but is a different set of predictions
    next_day = DAY + dt.timedelta(days=1)
    replace_forecasts(engine, forecast_frame(11.0, next_day), [1], next_day, "v")
    replace_forecasts(engine, forecast_frame(12.0), [1], DAY, "v")  # re-run of the first origin
    f, p = schema.ml_forecasts, schema.ml_predictions
    with engine.connect() as conn:
        forecasts = conn.execute(
            sa.select(f.c.forecast_date, f.c.predictions, f.c.prediction_type)
        ).fetchall()
        preds = conn.execute(sa.select(p.c.forecast_date, p.c.horizon_days, p.c.predicted_value)).fetchall()
    assert len(forecasts) == 6 and len(preds) == 18
    first = [r for r in forecasts if r[0] == dt.datetime(2026, 3, 10)]
    assert {r[2] for r in first} == {"SPEND_FORECAST", "LEADS_FORECAST", "CPL_FORECAST"}
    assert [x["predicted"] for x in first[0][1]] == [12.0, 12.0, 12.0]
    assert sorted({v for *_, v in preds}) == [11.0, 12.0]

    # a re-run with a shorter horizon leaves none of the longer run's days behind
    replace_forecasts(engine, forecast_frame(13.0, horizon=2), [1], DAY, "v")
    with engine.connect() as conn:
        first_origin = (
            conn.execute(sa.select(p.c.horizon_days).where(p.c.predicted_value == 13.0)).scalars().all()
        )
        assert (
            conn.execute(
                sa.select(sa.func.count()).select_from(p).where(p.c.predicted_value == 12.0)
            ).scalar()
            == 0
        )
    assert sorted(set(first_origin)) == [1, 2]


def test_expired_or_stale_recommendations_a_user_decided_on_are_retired_and_counted(
    migrated_url: str,
) -> None:
    from famachat_ml_pipeline.core.recommendations import RecommendationConfig
    from famachat_ml_pipeline.db.writer import apply_recommendations
    from famachat_ml_pipeline_tests.db.test_writer_races import _candidates

    engine = get_engine(migrated_url)
    config, empty = RecommendationConfig(), pl.DataFrame()
    assert apply_recommendations(engine, _candidates("a"), empty, [1], DAY, config)["inserted"] == 2
    r = schema.ml_recommendations
    past = dt.datetime(2020, 1, 1)
    with engine.begin() as conn:  # FamaChat's users decided on both; 111's has expired since
        conn.execute(r.update().where(r.c.entity_id == "111").values(dismissed=True, expires_at=past))
        conn.execute(r.update().where(r.c.entity_id == "222").values(was_applied=True))
    # 111 expired, 222 no longer triggered: both retired, and the count is of rows retired
    written = apply_recommendations(engine, _candidates("b").head(0), empty, [1], DAY, config)
    assert written["deactivated"] == 2
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.c.entity_id, r.c.is_active, r.c.dismissed, r.c.was_applied).order_by(r.c.entity_id)
        ).fetchall()
    assert [tuple(x) for x in rows] == [("111", False, True, False), ("222", False, False, True)]
