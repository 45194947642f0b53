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
