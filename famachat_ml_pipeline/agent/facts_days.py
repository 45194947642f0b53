"""The account's figures day by day and per weekday, from the source ("qual foi o dia com mais leads?",
"qual o melhor dia da semana?")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.db import agent_queries as q
from famachat_ml_pipeline.source.read import read_daily_insights

WEEKDAY_WEEKS = 4  # "melhor dia da semana": the last 4 full weeks, each weekday 4 times


def weekday_figures(ctx: ToolContext, campaign_id: str | None = None) -> dict[str, Any]:
    """Spend, leads and CPL per weekday (Monday = 0) over the last 28 days up to the last complete day,
    from the source, of the account or of one campaign, formatted pt-BR with the raw numbers kept to rank
    them."""
    last = ctx.data_through()
    first = last - dt.timedelta(days=7 * WEEKDAY_WEEKS - 1)
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, 7 * WEEKDAY_WEEKS, now=ctx.now).daily
    if campaign_id is not None:
        daily = daily.filter(pl.col("campaign_id") == campaign_id)
    d = daily.filter(pl.col("date").is_between(first, last)).with_columns(
        weekday=pl.col("date").dt.weekday() - 1
    )
    grouped = d.group_by("weekday").agg(
        spend=pl.col("spend").sum(),
        leads=pl.col("leads").sum(),
        impressions=pl.col("impressions").sum(),  # "o cpm do fds é mais caro?": the CPM of the sums
        clicks=pl.col("clicks").sum(),
        aside=pl.col("spend").is_null().sum(),
        # the days of this weekday the source has rows for: 4 in 4 full weeks, fewer on a young account
        n_days=pl.col("date").filter(pl.col("has_row")).n_unique(),
    )
    grouped = grouped.filter(pl.col("n_days") > 0)
    covered = d.filter(pl.col("has_row"))["date"]
    raw = [
        {
            "weekday": int(r["weekday"]),
            "n_days": int(r["n_days"]),
            "spend": float(r["spend"] or 0.0),
            "spend_v": float(r["spend"] or 0.0),  # "sábado é bom dia?": the 4 weeks' CPL beside it
            "leads": int(r["leads"] or 0),
            "impressions": int(r["impressions"] or 0),
            "clicks": int(r["clicks"] or 0),
            "cpl": r["spend"] / r["leads"] if r["leads"] else None,
            "cpl_v": r["spend"] / r["leads"] if r["leads"] else None,
            # "qual dia da semana o cpm é mais barato?": spend per thousand impressions of that weekday
            "cpm": r["spend"] / r["impressions"] * 1000.0 if r["impressions"] else None,
            "cpm_v": r["spend"] / r["impressions"] * 1000.0 if r["impressions"] else None,
        }
        for r in grouped.sort("weekday").iter_rows(named=True)
    ]
    return {
        "first_day": first,
        "last_day": last,
        "days": 7 * WEEKDAY_WEEKS,
        "data_first_day": covered.min() if covered.len() else None,
        "days_with_data": covered.n_unique(),
        "set_aside": int(grouped["aside"].sum() or 0),
        "name": ctx.name_of(campaign_id) if campaign_id is not None else None,
        "weekdays": ctx.fmt(raw, {"spend": "money", "cpl": "money", "cpm": "money"}),
    }


BEST_DAY_SPAN = 30  # "qual foi o dia com mais leads?": the last 30 complete days unless a period is asked


def day_by_day(ctx: ToolContext, first: dt.date, last: dt.date) -> dict[str, Any]:
    """The account's spend, leads and CPL of each day first..last with data in the source, formatted pt-BR
    with the raw numbers kept to rank them (`spend_v`, `leads`, `cpl_v`)."""
    days = (last - first).days + 1
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, days, now=ctx.now).daily
    d = daily.filter(pl.col("date").is_between(first, last))
    aside = d.filter(pl.col("spend").is_null()).height
    grouped = (
        d.filter(pl.col("has_row") & pl.col("spend").is_not_null())
        .group_by("date")
        .agg(spend=pl.col("spend").sum(), leads=pl.col("leads").sum())
        .sort("date")
    )
    raw = [
        {
            "date": r["date"],
            "spend": float(r["spend"] or 0.0),
            "spend_v": float(r["spend"] or 0.0),
            "leads": int(r["leads"] or 0),
            "cpl": r["spend"] / r["leads"] if r["leads"] else None,
            "cpl_v": r["spend"] / r["leads"] if r["leads"] else None,
        }
        for r in grouped.iter_rows(named=True)
    ]
    return {
        "first_day": first,
        "last_day": last,
        "days": days,
        "set_aside": aside,
        "orphans": q.orphan_campaign_days(ctx.engine, ctx.config_id, first, last),
        "rows": ctx.fmt(raw, {"spend": "money", "cpl": "money"}),
    }


USUAL_WEEKENDS = 4  # "o fds foi bom?": last weekend against the 4 before it


def weekend_judged_figures(ctx: ToolContext, saturday: dt.date, sunday: dt.date) -> dict[str, Any]:
    """ "O fds foi bom?": last weekend's (saturday..sunday) spend, leads, CPL and leads per day with data,
    and the same of the USUAL_WEEKENDS weekends before it summed (the usual weekend), from the source."""
    span = 7 * (USUAL_WEEKENDS + 1)
    first = sunday - dt.timedelta(days=span - 1)
    daily = read_daily_insights(ctx.engine, [ctx.config_id], sunday, span, now=ctx.now).daily
    sides = (
        daily.filter(
            pl.col("date").is_between(first, sunday)
            & (pl.col("date").dt.weekday() >= 6)  # Saturday 6, Sunday 7
            & pl.col("has_row")
            & pl.col("spend").is_not_null()
        )
        .with_columns(last=pl.col("date") >= saturday)
        .group_by("last")
        .agg(
            spend=pl.col("spend").sum(),
            leads=pl.col("leads").sum(),
            days=pl.col("date").n_unique(),
            first_day=pl.col("date").min(),
            last_day=pl.col("date").max(),
        )
    )
    found: dict[str, Any] = {"saturday": saturday, "sunday": sunday, "weekends": USUAL_WEEKENDS}
    for r in sides.iter_rows(named=True):
        spend, leads, days = float(r["spend"] or 0.0), int(r["leads"] or 0), int(r["days"])
        found["last" if r["last"] else "usual"] = {
            "spend": spend,
            "leads": leads,
            "days": days,
            "cpl": spend / leads if leads else None,
            "leads_day": leads / days if days else None,
            "first_day": r["first_day"],
            "last_day": r["last_day"],
        }
    return found
