"""Prediction validation: errors against actuals, re-filled when actuals change, cleared when unknown."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from famachat_ml_pipeline.core.accuracy import score_predictions
from famachat_ml_pipeline.core.forecasting import forecast_fleet
from famachat_ml_pipeline.core.frames import DAILY_SCHEMA, KEY
from famachat_ml_pipeline.core.vocab import METRIC_OF, PREDICTION_TYPE_OF
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.source.read import read_daily_insights

D = dt.date(2026, 3, 10)


def daily(spend: list[float | None], leads: list[int | None]) -> pl.DataFrame:
    n = len(spend)
    return pl.DataFrame(
        {
            "config_id": [1] * n,
            "campaign_id": ["a"] * n,
            "date": [D - dt.timedelta(days=n - 1 - i) for i in range(n)],
            "spend": spend,
            "leads": leads,
        },
    ).with_columns(
        [
            pl.lit(None, dtype=t).alias(c)
            for c, t in DAILY_SCHEMA.items()
            if c not in {"config_id", "campaign_id", "date", "spend", "leads"}
        ]
    )


def predictions(stored: list[float | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [1, 2],
            "config_id": [1, 1],
            "entity_id": ["a", "a"],
            "prediction_type": ["SPEND_FORECAST", "CPL_FORECAST"],
            "forecast_date": [D, D],
            "predicted_value": [110.0, 20.0],
            "confidence_lower": [90.0, 10.0],
            "confidence_upper": [130.0, 30.0],
            "actual_value": stored,
        }
    )


def test_fill_refill_and_clear() -> None:
    history = [100.0] * 14
    changed, metrics = score_predictions(predictions([None, None]), daily(history, [5] * 14))
    rows = {r["id"]: r for r in changed.iter_rows(named=True)}
    assert rows[1]["actual_value"] == 100.0 and rows[1]["absolute_error"] == 10.0
    assert rows[1]["percentage_error"] == pytest.approx(10.0)
    assert rows[2]["actual_value"] == 20.0 and rows[2]["absolute_error"] == 0.0
    assert metrics["spend"]["coverage"] == 1.0
    # same actuals again: nothing to write
    assert score_predictions(predictions([100.0, 20.0]), daily(history, [5] * 14))[0].is_empty()
    # the day lost its leads (CPL undefined) and its spend was restated
    changed, _ = score_predictions(predictions([100.0, 20.0]), daily(history[:-1] + [150.0], [5] * 13 + [0]))
    rows = {r["id"]: r for r in changed.iter_rows(named=True)}
    assert rows[1]["actual_value"] == 150.0 and rows[2]["actual_value"] is None


def _score_predictions_before(predictions: pl.DataFrame, daily: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """score_predictions as it was before it read only the predicted campaigns' history in wide form
    (commit d723d53): actuals unpivoted long for the whole fleet, the MASE scale a window per metric."""
    wide = daily.select(
        *KEY,
        "date",
        "spend",
        pl.col("leads").cast(pl.Float64),
        cpl=pl.when(pl.col("leads") > 0).then(pl.col("spend") / pl.col("leads")),
    )
    actuals = wide.unpivot(index=[*KEY, "date"], variable_name="metric", value_name="actual")
    scales = (
        actuals.sort("date")
        .with_columns(_d=(pl.col("actual") - pl.col("actual").shift(7)).abs().over([*KEY, "metric"]))
        .group_by([*KEY, "metric"])
        .agg(scale=pl.col("_d").mean())
    )
    scored = (
        predictions.with_columns(metric=pl.col("prediction_type").replace_strict(METRIC_OF))
        .rename({"entity_id": "campaign_id"})
        .join(
            actuals.rename({"date": "forecast_date", "actual": "_actual"}),
            on=[*KEY, "forecast_date", "metric"],
        )
        .with_columns(
            absolute_error=(pl.col("predicted_value") - pl.col("_actual")).abs(),
            percentage_error=pl.when(pl.col("_actual") != 0).then(
                (pl.col("predicted_value") - pl.col("_actual")) / pl.col("_actual") * 100
            ),
        )
        .join(scales, on=[*KEY, "metric"], how="left")
    )
    changed = scored.filter(
        ((pl.col("actual_value") - pl.col("_actual")).abs().fill_null(0) > 1e-9)
        | (pl.col("actual_value").is_null() != pl.col("_actual").is_null())
    ).select(
        "id", actual_value="_actual", absolute_error="absolute_error", percentage_error="percentage_error"
    )
    metrics = (
        scored.filter(pl.col("_actual").is_not_null())
        .group_by("metric")
        .agg(
            n=pl.len(),
            mape=pl.col("percentage_error").abs().mean(),
            mase=(pl.col("absolute_error") / pl.col("scale")).filter(pl.col("scale") > 0).mean(),
            coverage=pl.col("_actual").is_between("confidence_lower", "confidence_upper").mean(),
        )
        .sort("metric")
    )
    return changed, {r["metric"]: {k: v for k, v in r.items() if k != "metric"} for r in metrics.to_dicts()}


@pytest.fixture(scope="module")
def demo_daily(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, dt.date]:
    """The demo fleet's clean daily frame (6 accounts, the generator's dirty rows included)."""
    data = generate_demo(n_accounts=6, days=90, seed=7)
    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('accuracy') / 'demo.db'}")
    write_demo(engine, data)
    return read_daily_insights(engine, list(range(1, 7)), data.end_date).daily, data.end_date


def _demo_predictions(daily: pl.DataFrame, end: dt.date) -> pl.DataFrame:
    """What read_predictions gives forecast_accuracy after a month of daily forecasts: several origins'
    predictions, some with no stored actual yet, some with the same one, some with a restated one."""
    origins = [end - dt.timedelta(days=d) for d in (1, 3, 7, 12, 20, 27)]
    frames = [
        forecast_fleet(daily.filter(pl.col("date") <= origin), origin).select(
            "config_id",
            "entity_id",
            pl.col("metric").replace_strict(PREDICTION_TYPE_OF).alias("prediction_type"),
            pl.col("target_date").alias("forecast_date"),
            "predicted_value",
            "confidence_lower",
            "confidence_upper",
        )
        for origin in origins
    ]
    predictions = pl.concat(frames).filter(pl.col("forecast_date") <= end).with_row_index("id", 1)
    actual = daily.select(
        pl.col("campaign_id").alias("entity_id"), pl.col("date").alias("forecast_date"), "spend"
    )
    return (
        predictions.join(actual, on=["entity_id", "forecast_date"], how="left")
        .with_columns(
            pl.col("id").cast(pl.Int64),
            actual_value=pl.when(pl.col("id") % 3 == 0)
            .then(pl.col("spend"))
            .when(pl.col("id") % 3 == 1)
            .then(pl.col("spend") + 1.0),
        )
        .drop("spend")
    )


def test_score_predictions_equals_the_fleet_wide_path_on_demo_data(demo_daily) -> None:  # noqa: ANN001
    daily, end = demo_daily
    predictions = _demo_predictions(daily, end)
    assert predictions.height > 5_000 and predictions["actual_value"].null_count() > 0
    for preds in (predictions, predictions.head(0), predictions.filter(pl.col("config_id") == 2)):
        changed, metrics = score_predictions(preds, daily)
        before, metrics_before = _score_predictions_before(preds, daily)
        assert changed.schema == before.schema
        assert changed.sort("id").equals(before.sort("id"))
        # the UI's means: equal up to the order polars sums them in (the old join's output order was
        # polars' choice of build side), so to the last bits
        assert metrics.keys() == metrics_before.keys()
        for m, values in metrics.items():
            assert values["n"] == metrics_before[m]["n"]
            assert values == pytest.approx(metrics_before[m], rel=1e-12, abs=0)
    assert metrics_before  # the last case scored something
