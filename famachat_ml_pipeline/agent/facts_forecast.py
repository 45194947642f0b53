"""The figures behind the forecast's verdicts: "qual a chance de passar de 100 leads essa semana?", "a
campanha 4 vai bater 150 leads?", "quantos leads no pior caso?", "o CPL vai subir?". Read from the stored
forecasts (per campaign and day: the point and the 95 % bounds) and the source; raw floats, the answers
format them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.intents_periods import this_week_asked
from famachat_ml_pipeline.agent.intents_weekend import WEEKEND
from famachat_ml_pipeline.agent.tools import run_tool
from famachat_ml_pipeline.agent.tools.analysis import period_figures
from famachat_ml_pipeline.agent.tools.context import ToolContext
from famachat_ml_pipeline.agent.tools.forecasts import latest_forecasts, points_between
from famachat_ml_pipeline.source.read import read_daily_insights

# the forecast's CPL within this % of the last 7 days' reads as stable, not as a rise or a fall
CPL_STABLE_PCT = 5.0


@dataclass(frozen=True)
class Sums:
    """A metric's stored forecast summed over campaigns and days: the point, and the sums of the daily
    95 % bounds (each campaign-day inside its own bounds with 95 %: their sum is no interval of the total)."""

    point: float
    low: float
    high: float
    first: dt.date | None
    last: dt.date | None
    campaigns: int


def forecast_sums(
    rows: list[dict[str, Any]],
    metric: str,
    first: dt.date | None = None,
    last: dt.date | None = None,
    campaign_id: str | None = None,
) -> Sums:
    """`Sums` of the stored forecast rows (`latest_forecasts`) of one metric, the days first..last (all
    the stored days when None), one campaign's or every campaign's."""
    point = low = high = 0.0
    days: list[dt.date] = []
    campaigns = 0
    for r in rows:
        if r["target_metric"] != metric or (campaign_id is not None and r["entity_id"] != campaign_id):
            continue
        pts = points_between(r["predictions"] or [], first, last)
        campaigns += bool(pts)
        for x in pts:
            point += float(x.get("predicted") or 0.0)
            low += float(x.get("lower") or 0.0)
            high += float(x.get("upper") or 0.0)
            days.append(dt.date.fromisoformat(str(x["date"])[:10]))
    return Sums(point, low, high, min(days, default=None), max(days, default=None), campaigns)


def target_verdict(target: float, point: float, low: float, high: float) -> str:
    """The verdict on a target from the forecast's point and its summed bounds: "improvável" only when the
    target is above even the sum of the upper bounds, "quase certo" when below the sum of the lower ones;
    between them the point decides, said as a "provavelmente"."""
    if target > high:
        return "improvável"
    if target < low:
        return "quase certo"
    return "provavelmente sim" if point >= target else "provavelmente não"


def cpl_move(now: float | None, ahead: float | None) -> str | None:
    """ "sobe", "cai" or "fica estável" (within `CPL_STABLE_PCT`) from the 7 days' CPL to the forecast's."""
    if not now or ahead is None:
        return None
    change = (ahead - now) / now * 100.0
    if abs(change) <= CPL_STABLE_PCT:
        return "fica estável"
    return "sobe" if change > 0 else "cai"


def _week_window(ref: str | None, through: dt.date) -> tuple[dt.date, dt.date] | None:
    """ "essa semana" asked of the future: today's calendar week, Monday to Sunday (None otherwise)."""
    if this_week_asked(ref, through) is None:
        return None
    today = through + dt.timedelta(days=1)
    monday = today - dt.timedelta(days=today.weekday())
    return monday, monday + dt.timedelta(days=6)


def leads_target_figures(
    ctx: ToolContext, target: float, period_ref: str | None, campaign_id: str | None
) -> dict[str, Any]:
    """A leads target against the stored forecast: over "essa semana" the week's complete days (source)
    plus the forecast of its days left; else the forecast's whole horizon. The verdict by `target_verdict`."""
    through = ctx.data_through()
    rows = latest_forecasts(ctx, with_methods=False)
    week = _week_window(period_ref, through)
    done, done_first = 0, None
    if week is not None and week[0] <= through:  # the week's days already complete
        span = (through - week[0]).days + 1
        own = read_daily_insights(ctx.engine, [ctx.config_id], through, span, now=ctx.now).daily
        if campaign_id is not None:
            own = own.filter(pl.col("campaign_id") == campaign_id)
        done, done_first = int(period_figures(own, week[0], through)["leads"]), week[0]
    first = through + dt.timedelta(days=1)
    s = forecast_sums(rows, "leads", first, week[1] if week else None, campaign_id)
    point, low, high = done + s.point, done + s.low, done + s.high
    shown = ctx.fmt1({"point": point, "low": low, "high": high}, _lead_kinds(campaign_id))
    return {
        "name": ctx.name_of(campaign_id) if campaign_id else None,
        "shown": shown,
        "target": target,
        "verdict": target_verdict(target, point, low, high) if s.campaigns else None,
        "point": point,
        "low": low,
        "high": high,
        "done": done,
        "done_first": done_first,
        "first": s.first,
        "last": s.last,
        "week": week,
        "campaigns": s.campaigns,
        "made_on": rows[0]["forecast_date"] if rows else None,
    }


def _lead_kinds(campaign_id: str | None) -> dict[str, str]:
    """An account's expected leads in whole leads (hundreds: a decimal reads as false precision), a
    campaign's with one decimal (a few leads a day)."""
    return dict.fromkeys(("point", "low", "high"), "num1" if campaign_id else "num0")


def worst_case_figures(ctx: ToolContext, campaign_id: str | None) -> dict[str, Any]:
    """The leads of the forecast's horizon: the point and the sum of the daily lower bounds."""
    rows = latest_forecasts(ctx, with_methods=False)
    s = forecast_sums(rows, "leads", campaign_id=campaign_id)
    shown = ctx.fmt1({"point": s.point, "low": s.low, "high": s.high}, _lead_kinds(campaign_id))
    return {
        "name": ctx.name_of(campaign_id) if campaign_id else None,
        "sums": s,
        "shown": shown,
        "made_on": rows[0]["forecast_date"] if rows else None,
    }


def cpl_next_figures(ctx: ToolContext, campaign_id: str | None) -> dict[str, Any]:
    """ "O CPL vai subir?": the last 7 days' CPL (source) against the forecast's over its horizon, the
    stored spend over the stored leads (the account's or the campaign's: a mean of daily CPLs would not
    compare with a 7-day CPL); and each campaign's stored CPL forecast (the mean of its days)."""
    through = ctx.data_through()
    rows = latest_forecasts(ctx, with_methods=False)
    daily = read_daily_insights(ctx.engine, [ctx.config_id], through, 7, now=ctx.now).daily
    if campaign_id is not None:
        daily = daily.filter(pl.col("campaign_id") == campaign_id)
    week = period_figures(daily, through - dt.timedelta(days=6), through)
    spend = forecast_sums(rows, "spend", campaign_id=campaign_id)
    leads = forecast_sums(rows, "leads", campaign_id=campaign_id)
    ahead = spend.point / leads.point if leads.point > 0 and spend.campaigns else None
    cpl = forecast_sums(rows, "cpl", campaign_id=campaign_id)
    days = (cpl.last - cpl.first).days + 1 if cpl.first and cpl.last else 0
    cpl_mean = cpl.point / days if campaign_id is not None and days and cpl.campaigns else None
    raw = {"now": week["cpl"], "ahead": ahead, "spend": spend.point, "cpl_mean": cpl_mean}
    shown = ctx.fmt1({**raw, "leads": leads.point}, {**dict.fromkeys(raw, "money"), "leads": "num1"})
    return {
        "name": ctx.name_of(campaign_id) if campaign_id else None,
        "shown": shown,
        "change": (ahead - week["cpl"]) / week["cpl"] * 100.0 if ahead is not None and week["cpl"] else None,
        "through": through,
        "now": week,
        "ahead": ahead,
        "spend": spend,
        "leads": leads,
        "move": cpl_move(week["cpl"], ahead),
        "band": CPL_STABLE_PCT,
        # one campaign's stored CPL forecast, the mean of its daily points (None for the account)
        "cpl_mean": cpl_mean,
        "made_on": rows[0]["forecast_date"] if rows else None,
    }


def cpl_day_figures(ctx: ToolContext, day: dt.date) -> dict[str, Any] | None:
    """ "Qual o CPL previsto pra amanhã?": that day's stored spend over its stored leads, the account's
    (a ratio of two forecasts); None when the stored forecast does not cover the day or has no lead."""
    rows = latest_forecasts(ctx, with_methods=False)
    spend, leads = forecast_sums(rows, "spend", day, day), forecast_sums(rows, "leads", day, day)
    if not (spend.campaigns and leads.point > 0):
        return None
    raw = {"cpl": spend.point / leads.point, "spend": spend.point, "leads": leads.point}
    return {"day": day, **ctx.fmt1(raw, {"cpl": "money", "spend": "money", "leads": "num1"})}


def weekend_period(period_ref: str | None) -> bool:
    """Whether the period asked is the weekend ("fim de semana", "fds")."""
    return bool(re.fullmatch(WEEKEND, period_ref or ""))


def next_weekend(through: dt.date) -> tuple[dt.date, dt.date]:
    """The weekend days after the last complete day: the next Saturday and Sunday, or Sunday alone when
    the last complete day is a Saturday."""
    first = next(through + dt.timedelta(days=n) for n in range(1, 8) if (through.weekday() + n) % 7 >= 5)
    return first, first + dt.timedelta(days=1 if first.weekday() == 5 else 0)


def weekend_forecast_figures(ctx: ToolContext) -> dict[str, Any]:
    """ "Quanto vou gastar no fim de semana?": the stored forecast of the next weekend's days, summed over
    the account's campaigns by the forecasts tool (`get_forecasts`, its first..last days)."""
    first, last = next_weekend(ctx.data_through())
    span = {"first_day": first.isoformat(), "last_day": last.isoformat()}
    return {**run_tool(ctx, "get_forecasts", span), "first": first, "last": last}
