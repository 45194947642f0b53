"""Every month of the account's data side by side ("qual foi meu pior mês?", "qual o melhor mês?"): each
month's spend, leads and CPL from the source, the months clipped to the data said partial."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.source.read import first_insight_day, read_daily_insights


def month_rank_figures(ctx: ToolContext) -> list[dict[str, Any]]:
    """One row per calendar month with data, oldest first: first and last day read, spend, leads, CPL
    (None without leads) and whether the month is whole in the data."""
    last = ctx.data_through()
    first = first_insight_day(ctx.engine, ctx.config_id)
    if first is None or last < first:
        return []
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, (last - first).days + 1, now=ctx.now).daily
    valid = daily.filter(pl.col("has_row") & pl.col("spend").is_not_null())
    by_month = (
        valid.with_columns(pl.col("date").dt.truncate("1mo").alias("month"))
        .group_by("month")
        .agg(
            pl.col("spend", "leads").sum(),
            pl.col("date").min().alias("first"),
            pl.col("date").max().alias("last"),
            pl.col("date").n_unique().alias("days"),  # days with data: a partial month is compared per day
        )
        .sort("month")
    )
    rows = []
    for r in by_month.iter_rows(named=True):
        month: dt.date = r["month"]
        month_end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        spend, leads = float(r["spend"] or 0.0), int(r["leads"] or 0)
        rows.append(
            {
                "month": month,
                "first": max(month, first),
                "last": min(month_end, last),
                "partial": month < first or month_end > last,
                "spend": spend,
                "leads": leads,
                "cpl": spend / leads if leads else None,
                "days": int(r["days"]),
            }
        )
    return rows
