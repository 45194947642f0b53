"""Each campaign's growth from one month, or one calendar week, to the next ("qual campanha mais cresceu esse
mês?", "... essa semana?"): its leads (or spend) per day of each period's days with data, from one read of
the source."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.intents_periods import Period, resolve_period, resolve_periods
from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.source.read import read_daily_insights


def _weeks(ref: str, through: dt.date) -> tuple[Period, Period]:
    """(the calendar week before, the week asked): "essa semana" as `this_week` reads it (Monday up to the
    last complete day; on a Monday last week, its note said), "semana passada" the last whole week."""
    now = resolve_period(ref, through)
    assert now is not None  # both refs always name a week
    week = dt.timedelta(days=7)
    label = "semana passada" if now.label.startswith("esta semana") else "semana retrasada"
    return Period(now.first - week, now.first - dt.timedelta(days=1), label), now


def growth_figures(ctx: ToolContext, figure: str, asked: str) -> dict[str, Any]:
    """The month or week asked ("esse mes": this month so far; on its 1st the month just closed, as
    `resolve_periods` reads it; "essa semana": this calendar week so far, on a Monday the last one) against
    the one before it: each campaign's `figure` ("leads"/"spend") per day over each period's days with
    data in the account (a period not over, or begun before the data, is partial), and the change per day,
    largest gain first."""
    through = ctx.data_through()
    weekly = asked in {"essa semana", "semana passada"}
    if weekly:
        before, now = _weeks(asked, through)
    else:
        refs = ("mes passado", "esse mes") if asked == "esse mes" else ("mes retrasado", "mes passado")
        before, now = resolve_periods(refs, through)
    last = min(now.last, through)
    days = (last - before.first).days + 1
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, days, now=ctx.now).daily
    valid = daily.filter(pl.col("has_row") & pl.col("spend").is_not_null()).with_columns(
        now=pl.col("date") >= now.first
    )
    sides = {  # each period's days with data in the account: the per-day divisor of every campaign
        key: valid.filter(pl.col("now") == flag)["date"] for key, flag in (("now", True), ("before", False))
    }
    n = {k: d.n_unique() for k, d in sides.items()}
    found: dict[str, Any] = {
        "figure": figure,
        "unit": "semana" if weekly else "mês",
        "periods": (before, now),
        "note": now.note if weekly else "",  # "essa semana" on a Monday: last week, and why
        "spans": {k: (d.min(), d.max()) if d.len() else (None, None) for k, d in sides.items()},
        "days": n,
        "campaigns": [],
    }
    if not (n["now"] and n["before"]):
        return found
    by = (
        valid.group_by("campaign_id")
        .agg(
            now=pl.col(figure).filter(pl.col("now")).sum(),
            before=pl.col(figure).filter(~pl.col("now")).sum(),
        )
        .with_columns(now_day=pl.col("now") / n["now"], before_day=pl.col("before") / n["before"])
        .with_columns(gain=pl.col("now_day") - pl.col("before_day"))
        .filter((pl.col("now") > 0) | (pl.col("before") > 0))
        .sort(["gain", "campaign_id"], descending=[True, False])
    )
    found["campaigns"] = [
        {
            **r,
            "name": ctx.name_of(r["campaign_id"]),
            "pct": r["gain"] / r["before_day"] * 100.0 if r["before_day"] else None,
        }
        for r in by.iter_rows(named=True)
    ]
    return found
