"""The campaigns that spent without one lead over the day or period asked ("estou gastando sem lead desde
sexta?", "quais campanhas gastaram sem lead ontem?"), from the source: the stored features hold only the
last 7 days, so any other span is summed here."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.intents_periods import Period, resolve_day, resolve_period
from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.source.read import first_insight_day, read_daily_insights


def idle_figures(ctx: ToolContext, day: dt.date | None, period_ref: str | None) -> dict[str, Any] | None:
    """The span asked (one day, or the period clipped to the days the source covers), the campaigns that
    spent in it with no lead (most spent first) and the account's spend and leads over it; None when no
    day or period is asked; "missing" when the source covers none of it (a day after the last complete
    one, before the first, or an account with no data), so that the answer says so."""
    through, first_day = ctx.data_through(), first_insight_day(ctx.engine, ctx.config_id)
    asked = Period(day, day, "") if day is not None else resolve_period(period_ref, through)
    if asked is None and (period_ref or "").startswith("desde "):  # "desde 10/12" after the data, "31/02"
        since = resolve_day(period_ref, through + dt.timedelta(days=1))
        if since is None:
            return {"invalid": period_ref.removeprefix("desde ")}
        asked = Period(since, max(since, through), "since")
    if asked is None:
        return None
    first, last = max(asked.first, first_day or asked.first), min(asked.last, through)
    if first_day is None or first > last:  # none of the days asked is in the data: said so, not 7 days
        return {"missing": True, "asked": asked, "first_day": first_day, "through": through}
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, (last - first).days + 1, now=ctx.now).daily
    d = daily.filter(pl.col("date").is_between(first, last) & pl.col("spend").is_not_null())
    per = d.group_by("campaign_id").agg(pl.col("spend").sum(), pl.col("leads").sum())
    idle = sorted(
        (
            {
                "campaign_id": r["campaign_id"],
                "name": ctx.name_of(r["campaign_id"]),
                "spend": float(r["spend"] or 0.0),
                "status": (ctx.campaigns.get(r["campaign_id"]) or {}).get("effective_status")
                or (ctx.campaigns.get(r["campaign_id"]) or {}).get("status"),
            }
            for r in per.iter_rows(named=True)
            if float(r["spend"] or 0.0) > 0 and not int(r["leads"] or 0)
        ),
        key=lambda x: (-x["spend"], x["campaign_id"]),
    )
    total = {"spend": float(d["spend"].sum() or 0.0), "idle_spend": sum(x["spend"] for x in idle)}
    return {
        "first": first,
        "last": last,
        "data_first": first_day if first > asked.first else None,  # the days asked begin before the data
        "label": asked.label,
        "campaigns": ctx.fmt(idle, {"spend": "money"}),
        "leads": int(d["leads"].sum() or 0),
        **ctx.fmt1(total, {"spend": "money", "idle_spend": "money"}),
    }


# a run of days without a lead counts once it cost this many of the campaign's own 7-day leads
ZERO_RUN_LEADS = 2.0


def zero_lead_runs(ctx: ToolContext) -> list[dict[str, Any]]:
    """ "Tem campanha gastando sem trazer lead?" beyond the 7 days without one: the campaigns whose last days
    up to the last complete one all spent with no lead, at least 2 days costing at least `ZERO_RUN_LEADS`
    of its 7-day CPL (a campaign of a lead every few days has such days by chance), most spent first."""
    through = ctx.data_through()
    d = read_daily_insights(ctx.engine, [ctx.config_id], through, 7, now=ctx.now).daily
    d = d.filter(pl.col("spend").is_not_null()).sort("campaign_id", "date")
    # the run: the trailing days since the last day with a lead (or with no spend)
    broke = (pl.col("leads") > 0) | (pl.col("spend") <= 0)
    in_run = pl.col("after").is_null() | (pl.col("date") > pl.col("after"))
    runs = (
        d.with_columns(after=pl.col("date").filter(broke).max().over("campaign_id"))
        .group_by("campaign_id")
        .agg(
            pl.col("spend").sum().alias("spend_7d"),
            pl.col("leads").sum().alias("leads_7d"),
            pl.col("spend").filter(in_run).sum().alias("spend"),
            pl.col("date").filter(in_run).min().alias("since"),
            pl.col("date").max().alias("last"),
        )
        .filter((pl.col("leads_7d") > 0) & (pl.col("last") == through) & pl.col("since").is_not_null())
        .with_columns(days=(pl.col("last") - pl.col("since")).dt.total_days() + 1)
        .filter(
            (pl.col("days") >= 2)
            & (pl.col("spend") >= ZERO_RUN_LEADS * pl.col("spend_7d") / pl.col("leads_7d"))
        )
        .sort("spend", descending=True)
    )
    return [
        {
            "campaign_id": r["campaign_id"],
            "name": ctx.name_of(r["campaign_id"]),
            "since": r["since"],
            "days": r["days"],
            "spend": ctx.money(r["spend"]),
            "cpl_7d": ctx.money(r["spend_7d"] / r["leads_7d"]),
        }
        for r in runs.iter_rows(named=True)
    ]
