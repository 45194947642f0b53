"""How well the forecast did on this account lately, measured: "a previsão é confiável?".

The pipeline stores no accuracy figure, so it is measured on demand the way a backtest does: for each of
the last few weeks, the forecast is made again from the days before it only (the production method,
`forecast_fleet`), then set against what happened. Raw floats; the answers format them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.tools.context import ToolContext
from famachat_ml_pipeline.agent.tools.forecasts import ON_DEMAND_LOOKBACK
from famachat_ml_pipeline.core.forecasting import forecast_fleet
from famachat_ml_pipeline.source.read import read_daily_insights

RECORD_WEEKS = 4
HORIZON = 7


@dataclass(frozen=True)
class WeekRecord:
    """One week forecast from the days before `first` only, against what happened."""

    first: dt.date
    last: dt.date
    predicted: dict[str, float]  # spend, leads: the account's totals
    actual: dict[str, float]
    inside: int  # campaign-days (spend and leads) inside their 95 % interval
    days: int
    launched: dict[str, float]  # spend, leads of campaigns with no day before the week: not forecast


def forecast_record(ctx: ToolContext, weeks: int = RECORD_WEEKS) -> list[WeekRecord]:
    """The last `weeks` complete 7-day spans before the account's last day, newest first; a span whose
    forecast has nothing to say (no campaign with history yet) is left out."""
    through = ctx.data_through()
    daily = read_daily_insights(
        ctx.engine, [ctx.config_id], through, ON_DEMAND_LOOKBACK + HORIZON * weeks, now=ctx.now
    ).daily
    out = []
    for k in range(weeks):
        last = through - dt.timedelta(days=HORIZON * k)
        first = last - dt.timedelta(days=HORIZON - 1)
        fc = forecast_fleet(_status_then(daily, first), first - dt.timedelta(days=1), horizon=HORIZON)
        fc = fc.filter(pl.col("metric").is_in(["spend", "leads"]))
        if fc.height == 0:
            continue
        actual = daily.filter(pl.col("date").is_between(first, last)).select(
            pl.col("campaign_id").alias("entity_id"), pl.col("date").alias("target_date"), "spend", "leads"
        )
        actual = actual.unpivot(
            ["spend", "leads"], index=["entity_id", "target_date"], variable_name="metric"
        ).with_columns(seen=pl.lit(True))
        # a day whose row the cleaning set aside (null) is left out on both sides; no row at all: nothing
        joined = (
            fc.join(actual, on=["entity_id", "target_date", "metric"], how="left")
            .filter(~(pl.col("seen").fill_null(False) & pl.col("value").is_null()))
            .with_columns(pl.col("value").fill_null(0.0))
        )
        forecast_ids = fc["entity_id"].unique().implode()
        new = (
            actual.filter(~pl.col("entity_id").is_in(forecast_ids))
            .group_by("metric")
            .agg(pl.col("value").sum())
        )
        inside = joined.filter(pl.col("value").is_between("confidence_lower", "confidence_upper")).height
        sums = joined.group_by("metric").agg(pl.col("predicted_value").sum(), pl.col("value").sum())
        by = {r["metric"]: r for r in sums.iter_rows(named=True)}
        out.append(
            WeekRecord(
                first=first,
                last=last,
                predicted={m: float(by[m]["predicted_value"]) for m in by},
                actual={m: float(by[m]["value"]) for m in by},
                inside=inside,
                days=joined.height,
                launched={r["metric"]: float(r["value"] or 0.0) for r in new.iter_rows(named=True)},
            )
        )
    return out


def _status_then(daily: pl.DataFrame, first: dt.date) -> pl.DataFrame:
    """The source keeps today's status only. A campaign that delivered on or after `first` was running
    then (ACTIVE); one that did not keeps today's status (paused now and silent since: paused then too)."""
    ran = daily.filter((pl.col("date") >= first) & (pl.col("spend") > 0))["campaign_id"].unique()
    running = pl.col("campaign_id").is_in(ran.implode())
    return daily.with_columns(
        pl.when(running).then(pl.lit("ACTIVE")).otherwise(pl.col(c)).alias(c)
        for c in ("status", "effective_status")
    )


def forecast_record_figures(ctx: ToolContext) -> dict[str, Any]:
    """`forecast_record` for the answer: each week's totals formatted, the forecast's error in % of what
    happened (+: the forecast was above), the mean absolute error, and the campaign-days inside."""
    weeks = forecast_record(ctx)
    rows = []
    for w in weeks:
        err = {m: (w.predicted[m] / w.actual[m] - 1) * 100 if w.actual.get(m) else None for m in w.predicted}
        rows.append(
            {
                "first": w.first.isoformat(),
                "last": w.last.isoformat(),
                "leads_predicted": round(w.predicted.get("leads", 0.0)),
                "leads_actual": round(w.actual.get("leads", 0.0)),
                **ctx.fmt1(
                    {"spend_predicted": w.predicted.get("spend"), "spend_actual": w.actual.get("spend")},
                    {"spend_predicted": "money", "spend_actual": "money"},
                ),
                "leads_launched": round(w.launched.get("leads", 0.0)),
                "leads_error": err.get("leads"),
                "spend_error": err.get("spend"),
            }
        )

    def mean_abs(key: str) -> float | None:
        errors = [abs(r[key]) for r in rows if r[key] is not None]
        return sum(errors) / len(errors) if errors else None

    return {
        "weeks": rows,
        "leads_mae": mean_abs("leads_error"),
        "spend_mae": mean_abs("spend_error"),
        "inside": sum(w.inside for w in weeks),
        "days": sum(w.days for w in weeks),
    }
