"""campaign_forecasts: spend, leads and CPL for the next days, with 95 % intervals."""

import datetime as dt

import dagster as dg
import polars as pl
import sqlalchemy as sa
from pydantic import Field

from famachat_ml_pipeline.core.accuracy import score_predictions
from famachat_ml_pipeline.core.forecasting import (
    FORECAST_MODEL_VERSION,
    LEVEL,
    OUTPUT_SCHEMA,
    FleetCalibration,
    forecast_fleet_parts,
)
from famachat_ml_pipeline.db.forecast_calibration import (
    UnreadableCalibration,
    read_calibration,
    store_calibration,
)
from famachat_ml_pipeline.db.reader import MAX_HORIZON_DAYS, forecasts_as_read, read_predictions
from famachat_ml_pipeline.db.writer import ForecastStream, fill_prediction_actuals
from famachat_ml_pipeline.defs.shared.account_run import AccountRun
from famachat_ml_pipeline.defs.shared.io_managers import PASS_ALONG_IO_MANAGER
from famachat_ml_pipeline.defs.shared.partitions import account_asset
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource

MODEL_VERSION = FORECAST_MODEL_VERSION
RESTATEMENT_DAYS = 28  # Meta may restate any of the last 28 days


class ForecastRunConfig(dg.Config):
    horizon_days: int = Field(default=7, ge=1, le=MAX_HORIZON_DAYS)
    method: str = "auto"


@account_asset(
    group_name="forecasts",
    kinds={"polars", "sql"},
    # the predictions go on to the recommendations of the same run (no read back from ml_predictions)
    io_manager_key=PASS_ALONG_IO_MANAGER,
)
def campaign_forecasts(
    context: dg.AssetExecutionContext,
    config: ForecastRunConfig,
    database: DatabaseResource,
    ad_insights: pl.DataFrame,
) -> dg.Output[pl.DataFrame | None]:
    """Writes ml_forecasts (one row per campaign and metric) and ml_predictions (one per predicted day)."""
    run = AccountRun.from_context(context, database)
    if ad_insights.is_empty():
        return dg.Output(None, metadata=run.metadata(rows_read=0, forecasts=0))
    parts: list[pl.DataFrame] = []
    engine = database.engine()
    # a run of a few accounts borrows the day's fleet calibration (its own pool is a dozen campaigns)
    with run.timer("read"):
        try:
            stored = read_calibration(engine, run.as_of, config.horizon_days, LEVEL, MODEL_VERSION)
        except UnreadableCalibration as exc:  # the run's own pool; the next fleet run rewrites the row
            context.log.warning(f"campaign_forecasts: {exc}; calibrating on this run's campaigns")
            stored = None
    made: list[FleetCalibration] = []
    stream = ForecastStream(engine, run.config_ids, run.as_of, MODEL_VERSION, config.horizon_days)
    with stream:
        # each metric's rows are written (by the stream's thread) while the next metric is computed:
        # "compute" is that overlap, "write" the wait for the last rows and the commit
        with run.timer("compute"):
            for part in forecast_fleet_parts(
                ad_insights,
                run.as_of,
                horizon=config.horizon_days,
                method=config.method,
                lent=stored.calibration if stored is not None else None,
                made=made,
            ):
                stream.write(part)
                parts.append(part)
        with run.writing():
            written = stream.commit()
            # forecast_fleet_parts hands back the lent calibration itself when it used it
            borrowed = stored is not None and bool(made) and made[0] is stored.calibration
            if made and not borrowed:
                try:
                    store_calibration(engine, run.as_of, config.horizon_days, made[0], MODEL_VERSION)
                except sa.exc.SQLAlchemyError as exc:  # the forecasts are committed; a later run recalibrates
                    context.log.warning(f"campaign_forecasts: the calibration was not stored: {exc}")
    fc = pl.concat(parts) if parts else pl.DataFrame(schema=OUTPUT_SCHEMA)
    methods = dict(sorted(fc.filter(pl.col("horizon_day") == 1).group_by("method").len().iter_rows()))
    context.log.info(
        f"campaign_forecasts: {written['forecasts']:,} forecasts, {written['predictions']:,} predicted days "
        f"as of {run.as_of}"
    )
    return dg.Output(
        forecasts_as_read(fc),
        metadata=run.metadata(
            rows_read=ad_insights.height,
            campaigns=fc["entity_id"].n_unique() if fc.height else 0,
            methods=dg.MetadataValue.json(methods),
            insufficient_data_series=int(fc.filter(pl.col("horizon_day") == 1)["insufficient_data"].sum()),
            calibration=_calibration_note(made, stored.as_of if borrowed else None),
            **written,
        ),
    )


def _calibration_note(made: list[FleetCalibration], borrowed_from: dt.date | None) -> str:
    """Where the intervals' calibration came from, for the run's metadata."""
    if not made:
        return "none (no campaign)"
    n = made[0].n_series
    if borrowed_from is not None:
        return f"borrowed: the pool of {n:,} campaigns stored for {borrowed_from}"
    return f"own: a pool of {n:,} campaigns"


@account_asset(
    group_name="forecasts",
    kinds={"polars", "sql"},
    deps=[campaign_forecasts],  # scores what the forecasts predicted
)
def forecast_accuracy(
    context: dg.AssetExecutionContext, database: DatabaseResource, ad_insights: pl.DataFrame
) -> dg.MaterializeResult:
    """Fills actual_value and errors in ml_predictions from restated actuals (the last 28 days)."""
    run = AccountRun.from_context(context, database)
    if ad_insights.is_empty():
        return run.result(rows_read=0, predictions_scored=0)
    first = max(ad_insights["date"].min(), run.as_of - dt.timedelta(days=RESTATEMENT_DAYS - 1))
    with run.timer("read"):
        predictions = read_predictions(database.engine(), run.config_ids, first, run.as_of)
    with run.timer("compute"):
        updates, metrics = score_predictions(predictions, ad_insights)
    with run.writing():
        written = fill_prediction_actuals(database.engine(), updates)
    context.log.info(f"forecast_accuracy: {written:,} predictions filled or re-filled")
    return run.result(
        rows_read=predictions.height,
        predictions_filled=written,
        # an empty {} in the UI looked broken: say why there is nothing to score yet
        accuracy_by_metric=dg.MetadataValue.json(metrics)
        if metrics
        else dg.MetadataValue.text(f"nothing to score yet: no forecast is for a day up to {run.as_of}"),
        **{
            f"{m}_{k}": v
            for m, vals in metrics.items()
            for k, v in vals.items()
            if k != "n" and v is not None
        },
    )
