"""Whether campaigns still spend ("a 5 parou de gastar?", "tem campanha ativa sem gastar?"): each one's
spend on the last complete days, from one read of the source."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.agent.tools.campaigns import is_active
from famachat_ml_pipeline.source.read import first_insight_day, read_daily_insights

STOPPED_SPAN = 14  # the days read back for a campaign's last spend
WHY_STOPPED_SPAN = 90  # "por que a 11 parou?": further back, a pause may be weeks old


def _read(ctx: ToolContext, span: int = STOPPED_SPAN) -> tuple[pl.DataFrame, dt.date, dt.date]:
    through = ctx.data_through()
    first = through - dt.timedelta(days=span - 1)
    daily = read_daily_insights(ctx.engine, [ctx.config_id], through, span, now=ctx.now).daily
    return daily.filter(pl.col("date").is_between(first, through)), first, through


def _of(ctx: ToolContext, daily: pl.DataFrame, campaign_id: str, first: dt.date, through: dt.date) -> dict:
    """One campaign's last day with spend in first..through (a day with no row is no spend; a row set
    aside as invalid, null spend, is unknown), the days of the last 7 with none, and those set aside."""
    rows = daily.filter(pl.col("campaign_id") == campaign_id)
    own = rows.group_by("date").agg(pl.col("spend").sum())
    spent = {r["date"]: float(r["spend"] or 0.0) for r in own.iter_rows(named=True)}
    aside = set(rows.filter(pl.col("has_row") & pl.col("spend").is_null())["date"].to_list())
    days = [first + dt.timedelta(days=i) for i in range((through - first).days + 1)]
    with_spend = [d for d in days if spent.get(d, 0.0) > 0]
    last = with_spend[-1] if with_spend else None
    week = days[-7:]
    return {
        "campaign_id": campaign_id,
        "name": ctx.name_of(campaign_id),
        "through": through,
        "first": first,
        "last_day": last,
        "last_spend": ctx.fmt1({"v": spent[last]}, {"v": "money"})["v"] if last else None,
        "aside": sorted(d for d in aside if last is None or d > last),
        "idle_7d": [d for d in week if spent.get(d, 0.0) <= 0 and d not in aside],
        "aside_7d": [d for d in week if d in aside],
        "spend_7d": ctx.fmt1({"v": sum(spent.get(d, 0.0) for d in week)}, {"v": "money"})["v"],
    }


def leads_stopped_figures(ctx: ToolContext, campaign_id: str) -> dict[str, Any]:
    """ "A 12 parou de gerar lead?": its last day with leads over the last `STOPPED_SPAN` days, the leads
    of that day, and what it spent after it (a campaign that spends with no lead is the worry)."""
    daily, first, through = _read(ctx)
    rows = daily.filter((pl.col("campaign_id") == campaign_id) & pl.col("spend").is_not_null())
    own = rows.group_by("date").agg(pl.col("spend").sum(), pl.col("leads").fill_null(0).sum())
    with_leads = own.filter(pl.col("leads") > 0).sort("date")
    last = with_leads["date"][-1] if with_leads.height else None
    after = float(own.filter(pl.col("date") > last)["spend"].sum() if last else own["spend"].sum())
    return {
        "name": ctx.name_of(campaign_id),
        "first": first,
        "through": through,
        "last_day": last,
        "last_leads": int(with_leads["leads"][-1]) if last else 0,
        "spend_after": ctx.fmt1({"v": after}, {"v": "money"})["v"] if after > 0 else None,
    }


def stopped_figures(ctx: ToolContext, campaign_id: str, span: int = STOPPED_SPAN) -> dict[str, Any]:
    """ "A 5 parou de gastar?": that campaign's last spend over the last `span` days (`_of`), and whether
    its status is an active one (a pause explains a stop; an active status does not)."""
    daily, first, through = _read(ctx, span)
    if span > STOPPED_SPAN and (start := first_insight_day(ctx.engine, ctx.config_id)) is not None:
        first = max(first, start)  # read far back: before the account's first day there is no data
    c = ctx.campaigns.get(campaign_id) or {}
    return {**_of(ctx, daily, campaign_id, first, through), "active": is_active(c)}


def stopped_active_figures(ctx: ToolContext) -> dict[str, Any]:
    """ "Tem campanha ativa sem gastar?": each active campaign's last spend, those that did not spend on the
    last complete day first (the longest stopped first)."""
    daily, first, through = _read(ctx)
    active = sorted(cid for cid, c in ctx.campaigns.items() if is_active(c))
    rows = [_of(ctx, daily, cid, first, through) for cid in active]
    stopped = [r for r in rows if r["last_day"] is None or r["last_day"] < through]
    stopped.sort(key=lambda r: (r["last_day"] or dt.date.min, r["campaign_id"]))
    return {"through": through, "first": first, "active": len(active), "stopped": stopped}


def delivery_figures(ctx: ToolContext) -> dict[str, Any]:
    """ "Tá entregando?": the last complete day's spend and impressions, the account's and each campaign's
    that delivered (spend or impressions), with the active ones that did not (`stopped_active_figures`)."""
    daily, first, through = _read(ctx)
    day = (
        daily.filter((pl.col("date") == through) & pl.col("has_row") & pl.col("spend").is_not_null())
        .group_by("campaign_id")
        .agg(pl.col("spend").sum(), pl.col("impressions").sum())
        .filter((pl.col("spend") > 0) | (pl.col("impressions") > 0))
        .sort(["spend", "campaign_id"], descending=[True, False])
    )
    rows = [
        {
            "campaign_id": r["campaign_id"],
            "name": ctx.name_of(r["campaign_id"]),
            "spend": float(r["spend"] or 0.0),
            "impressions": int(r["impressions"] or 0),
        }
        for r in day.iter_rows(named=True)
    ]
    total = {"spend": sum(r["spend"] for r in rows), "impressions": sum(r["impressions"] for r in rows)}
    return {
        **stopped_active_figures(ctx),
        "delivered": ctx.fmt(rows, {"spend": "money"}),
        "total": ctx.fmt1(total, {"spend": "money"}),
    }
