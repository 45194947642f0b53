"""A campaign's life in the source: its first and last day with spend ("qual a campanha mais nova?",
"desde quando a 76 está ativa?") and the paused campaigns that spent again ("as pausadas voltaram?"). The
source holds no launch date the agent trusts (created_time is the import's), so the first day with spend
is the figure, and a first day on the data's first day is said as "at least since"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.agent.tools.campaigns import is_active
from famachat_ml_pipeline.source.read import first_insight_day, read_daily_insights

DAY = dt.timedelta(days=1)


def _history(ctx: ToolContext) -> tuple[pl.DataFrame, dt.date | None, dt.date]:
    """The account's whole cleaned source (every day from its first), its first day and last complete."""
    through, first = ctx.data_through(), first_insight_day(ctx.engine, ctx.config_id)
    if first is None or first > through:
        return pl.DataFrame(), first, through
    daily = read_daily_insights(ctx.engine, [ctx.config_id], through, (through - first).days + 1, now=ctx.now)
    return daily.daily.filter(pl.col("date") <= through), first, through


def campaign_age_figures(ctx: ToolContext) -> dict[str, Any]:
    """Each campaign with spend: its first and last day with spend, its status, newest first."""
    daily, first, through = _history(ctx)
    rows: list[dict[str, Any]] = []
    if not daily.is_empty():
        spent = (
            daily.filter(pl.col("spend") > 0)
            .group_by("campaign_id")
            .agg(first=pl.col("date").min(), last=pl.col("date").max())
        )
        for r in spent.sort(["first", "campaign_id"], descending=[True, False]).iter_rows(named=True):
            c = ctx.campaigns.get(r["campaign_id"], {})
            rows.append(
                {
                    "campaign_id": r["campaign_id"],
                    "name": ctx.name_of(r["campaign_id"]),
                    "first": r["first"],
                    "last": r["last"],
                    "status": c.get("status"),
                    "active": is_active(c) if c else False,
                }
            )
    return {"first_day": first, "through": through, "campaigns": rows}


def campaign_span(ctx: ToolContext, campaign_id: str) -> tuple[dt.date | None, dt.date | None]:
    """(first, last) day with spend of one campaign in the account's whole source; (None, None) if it
    never spent."""
    daily, _, _ = _history(ctx)
    if daily.is_empty():
        return None, None
    spent = daily.filter((pl.col("campaign_id") == campaign_id) & (pl.col("spend") > 0))["date"]
    return (spent.min(), spent.max()) if spent.len() else (None, None)


BACK_DAYS = 7  # "voltaram?": a paused campaign that spent in the last 7 complete days


def paused_back_figures(ctx: ToolContext) -> dict[str, Any]:
    """The account's paused (or inactive) campaigns, each with its spend over the last `BACK_DAYS` complete
    days and its last day with spend in the source; those that spent in the window first."""
    daily, first, through = _history(ctx)
    since = through - DAY * (BACK_DAYS - 1)
    paused = [cid for cid, c in ctx.campaigns.items() if not is_active(c)]
    rows = []
    for cid in sorted(paused):
        own = (
            daily.filter((pl.col("campaign_id") == cid) & (pl.col("spend") > 0))
            if not daily.is_empty()
            else daily
        )
        recent = own.filter(pl.col("date") >= since) if not own.is_empty() else own
        rows.append(
            {
                "campaign_id": cid,
                "name": ctx.name_of(cid),
                "status": ctx.campaigns[cid].get("status"),
                "spend": float(recent["spend"].sum() or 0.0) if not recent.is_empty() else 0.0,
                "leads": int(recent["leads"].sum() or 0) if not recent.is_empty() else 0,
                "last": own["date"].max() if not own.is_empty() else None,
            }
        )
    rows.sort(key=lambda r: (-r["spend"], r["campaign_id"]))
    return {
        "first_day": since,
        "through": through,
        "data_first": first,
        "campaigns": ctx.fmt(rows, {"spend": "money"}),
        "back": sum(1 for r in rows if r["spend"] > 0),
    }
