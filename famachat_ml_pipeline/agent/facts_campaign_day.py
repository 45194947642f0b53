"""One campaign's day against its own 7 days before it, from the source ("o que aconteceu com a campanha
9 ontem?"): the raw figures its verdict is read from."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.source.read import read_daily_insights

BEFORE_DAYS = 7  # the campaign's usual: the 7 days before the day asked


def campaign_day_judged(ctx: ToolContext, campaign_id: str, day: dt.date) -> dict[str, Any]:
    """Spend and leads of `day` and of the 7 days before it (a day with no row spent nothing), the last of
    those days it spent on, and the account's currency to say them in."""
    first = day - dt.timedelta(days=BEFORE_DAYS)
    daily = read_daily_insights(ctx.engine, [ctx.config_id], day, BEFORE_DAYS + 1, now=ctx.now).daily
    rows = daily.filter((pl.col("campaign_id") == campaign_id) & pl.col("date").is_between(first, day))
    on_day = pl.col("date") == day
    sums = rows.select(
        spend=pl.col("spend").filter(on_day).sum(),
        leads=pl.col("leads").filter(on_day).sum(),
        before_spend=pl.col("spend").filter(~on_day).sum(),
        before_leads=pl.col("leads").filter(~on_day).sum(),
    ).row(0, named=True)
    spent = rows.filter(pl.col("spend") > 0)["date"]
    return {
        "day": day,
        "before_first": first,
        "before_last": day - dt.timedelta(days=1),
        "spend": float(sums["spend"] or 0.0),
        "leads": int(sums["leads"] or 0),
        "before_spend": float(sums["before_spend"] or 0.0),
        "before_leads": int(sums["before_leads"] or 0),
        "last_spent": spent.max() if spent.len() else None,  # stopped since the day after, when before
        "currency": ctx.currency,
    }
