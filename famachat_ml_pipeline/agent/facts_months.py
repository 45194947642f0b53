"""A named month or period beyond its totals: the campaigns whose CPL moved most against the period before
("qual campanha piorou em novembro?"), the period's summary with its best and worst campaigns ("resumo de
outubro"), and a month still to come ("quanto vou gastar em dezembro?"), which no stored forecast covers:
the forecast's next days, and a run-rate said as an estimate. From the source and the stored forecast."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.facts_periods import clipped_periods
from famachat_ml_pipeline.agent.intents_periods import MONTHS, month_label
from famachat_ml_pipeline.agent.tools import ToolContext, run_tool
from famachat_ml_pipeline.agent.tools.analysis import PERIOD_FORMATS, period_figures
from famachat_ml_pipeline.source.read import first_insight_day, read_daily_insights

DAY = dt.timedelta(days=1)


def _per_campaign(ctx: ToolContext, daily: pl.DataFrame, first: dt.date, last: dt.date) -> dict[str, dict]:
    d = daily.filter(pl.col("date").is_between(first, last) & pl.col("spend").is_not_null())
    per = d.group_by("campaign_id").agg(pl.col("spend", "leads").sum())
    return {
        r["campaign_id"]: {"spend": float(r["spend"] or 0.0), "leads": int(r["leads"] or 0)}
        for r in per.iter_rows(named=True)
    }


def _cpl(x: dict[str, Any] | None) -> float | None:
    return x["spend"] / x["leads"] if x and x["leads"] else None


def _spans(ctx: ToolContext, ref: str | None) -> dict[str, Any] | None:
    """The period asked clipped to the source, the one before it clipped too, and one read covering both."""
    spans = clipped_periods(ctx, ref)
    if spans is None:
        return None
    asked, first, last, before, start = spans.asked, spans.first, spans.last, spans.before, spans.before_first
    read_from = min(start, first)
    daily = read_daily_insights(
        ctx.engine, [ctx.config_id], last, (last - read_from).days + 1, now=ctx.now
    ).daily
    return {
        "asked": asked,
        "first": first,
        "last": last,
        "partial": last < asked.last or first > asked.first,
        "before": before,
        "before_first": start,
        "before_covered": start <= before.last,
        "daily": daily,
    }


def period_campaigns_figures(ctx: ToolContext, ref: str | None) -> dict[str, Any] | None:
    """Each campaign's CPL in the period asked against the period before (both with leads), the largest
    rise first; the campaigns that spent in the period with no lead apart."""
    s = _spans(ctx, ref)
    if s is None:
        return None
    now = _per_campaign(ctx, s["daily"], s["first"], s["last"])
    old = _per_campaign(ctx, s["daily"], s["before_first"], s["before"].last) if s["before_covered"] else {}
    moved = []
    for cid, x in now.items():
        a, b = _cpl(x), _cpl(old.get(cid))
        if a is not None and b is not None:
            moved.append(
                {
                    "campaign_id": cid,
                    "name": ctx.name_of(cid),
                    "now": a,
                    "before": b,
                    "change": (a / b - 1) * 100,
                }
            )
    moved.sort(key=lambda r: (-r["change"], r["campaign_id"]))
    no_leads = [
        {"campaign_id": cid, "name": ctx.name_of(cid), "spend": x["spend"]}
        for cid, x in sorted(now.items(), key=lambda kv: -kv[1]["spend"])
        if x["spend"] > 0 and not x["leads"]
    ]
    money = {"now": "money", "before": "money"}
    return {
        **{
            k: s[k] for k in ("asked", "first", "last", "partial", "before", "before_first", "before_covered")
        },
        "campaigns": [{**r, **ctx.fmt1(r, money), "change_v": r["change"]} for r in moved],
        "no_leads": ctx.fmt(no_leads, {"spend": "money"}),
    }


def period_summary_figures(ctx: ToolContext, ref: str | None) -> dict[str, Any] | None:
    """The period's totals (spend, leads, CPL, CTR), the period before's CPL, and its campaigns with leads
    by CPL (best and worst), those with spend and no lead apart."""
    s = _spans(ctx, ref)
    if s is None:
        return None
    daily = s["daily"]
    now = period_figures(daily.filter(pl.col("spend").is_not_null()), s["first"], s["last"])
    before = (
        period_figures(daily.filter(pl.col("spend").is_not_null()), s["before_first"], s["before"].last)
        if s["before_covered"]
        else None
    )
    per = _per_campaign(ctx, daily, s["first"], s["last"])
    ranked = sorted(
        (
            {"campaign_id": c, "name": ctx.name_of(c), **x, "cpl": _cpl(x)}
            for c, x in per.items()
            if x["leads"]
        ),
        key=lambda r: (r["cpl"], r["campaign_id"]),
    )
    no_leads = sorted(
        (c for c, x in per.items() if x["spend"] > 0 and not x["leads"]), key=lambda c: -per[c]["spend"]
    )
    spec = {"spend": "money", "cpl": "money"}
    return {
        **{
            k: s[k] for k in ("asked", "first", "last", "partial", "before", "before_first", "before_covered")
        },
        "now": {**ctx.fmt1(now, PERIOD_FORMATS), "leads": now["leads"], "cpl_v": now["cpl"]},
        "before_cpl": ctx.fmt1({"cpl": before["cpl"]}, spec)["cpl"] if before else None,
        "before_cpl_v": before["cpl"] if before else None,
        "ranked": ctx.fmt(ranked, spec),
        "no_leads": [
            {"name": ctx.name_of(c), **ctx.fmt1({"spend": per[c]["spend"]}, spec)} for c in no_leads
        ],
    }


RUN_RATE_SPANS = (7, 28)  # the last days whose daily average projects a month ahead


def month_ahead_figures(ctx: ToolContext, month_name: str) -> dict[str, Any]:
    """A month named in the future ("dezembro" when the data ends in November): its days, the stored
    forecast's span and totals (it covers only its horizon), and the last 7 and 28 complete days' spend
    and leads per day times the month's days: a run-rate, not a forecast."""
    through = ctx.data_through()
    month = MONTHS.index(month_name) + 1
    year = through.year if month >= through.month else through.year + 1
    days = calendar.monthrange(year, month)[1]
    first, last = dt.date(year, month, 1), dt.date(year, month, days)
    data_first = first_insight_day(ctx.engine, ctx.config_id) or through
    read = max(RUN_RATE_SPANS)
    daily = read_daily_insights(ctx.engine, [ctx.config_id], through, read, now=ctx.now).daily
    rates = []
    for n in RUN_RATE_SPANS:
        start = max(through - DAY * (n - 1), data_first)
        f = period_figures(daily.filter(pl.col("spend").is_not_null()), start, through)
        span = (through - start).days + 1
        row = {
            "spend": f["spend"] / span * days,
            "leads": f["leads"] / span * days,
            "per_day": f["spend"] / span,
        }
        rates.append(
            {
                "days": span,
                "first_day": start,
                **ctx.fmt1(row, {"spend": "money", "per_day": "money"}),
                "leads": round(row["leads"]),
                "leads_per_day": f["leads"] / span,
            }
        )
    forecast = run_tool(ctx, "get_forecasts", {})
    rows = forecast.get("forecasts") or []
    return {
        "current": (year, month) == (through.year, through.month),
        "label": month_label(dt.date(year, month, 1)),
        "first": first,
        "last": last,
        "days": days,
        "through": through,
        "rates": rates,
        "forecast": forecast if forecast.get("total") else None,
        "forecast_first": min((str(x["first_day"]) for x in rows if x["first_day"]), default=None),
        "forecast_last": max((str(x["last_day"]) for x in rows if x["last_day"]), default=None),
    }
