"""Spend against money decided: the active campaigns' spend against their daily budgets ("o gasto está
dentro do orçamento?"), what pausing one campaign saves a week ("se eu pausar a 13, quanto economizo?") and
what a leads goal costs ("quanto preciso investir para 1000 leads?"), from the source and the pipeline's
stored forecast."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.intents_periods import Period, this_month
from famachat_ml_pipeline.agent.tools import ToolContext, run_tool
from famachat_ml_pipeline.agent.tools.analysis import period_figures
from famachat_ml_pipeline.agent.tools.campaigns import is_active
from famachat_ml_pipeline.source.read import read_daily_insights

DAY = dt.timedelta(days=1)
WEEK = 7
MAX_SPAN = 180  # the longest period read for one campaign's figures


def _week(ctx: ToolContext) -> tuple[pl.DataFrame, dt.date, dt.date]:
    through = ctx.data_through()
    first = through - DAY * (WEEK - 1)
    daily = read_daily_insights(ctx.engine, [ctx.config_id], through, WEEK, now=ctx.now).daily
    return daily.filter(pl.col("date").is_between(first, through)), first, through


def pacing_figures(ctx: ToolContext) -> dict[str, Any]:
    """The active campaigns with a daily budget on the campaign: the last complete day's spend against the
    budgets' sum, and the 7 days' against the budgets x 7 (today's budgets: a budget changed in the week
    is not in the source); the active ones budgeted per ad set, with their spend, apart."""
    week, first, through = _week(ctx)
    per = week.group_by("campaign_id").agg(
        week=pl.col("spend").sum(), day=pl.col("spend").filter(pl.col("date") == through).sum()
    )
    spent = {
        r["campaign_id"]: (float(r["week"] or 0.0), float(r["day"] or 0.0)) for r in per.iter_rows(named=True)
    }
    active = {cid: c for cid, c in ctx.campaigns.items() if is_active(c)}
    budgeted = {
        cid: float(c["daily_budget"]) for cid, c in active.items() if (c.get("daily_budget") or 0) > 0
    }
    unbudgeted = sorted(cid for cid in active if cid not in budgeted)
    budget = sum(budgeted.values())
    day = sum(spent.get(cid, (0.0, 0.0))[1] for cid in budgeted)
    week_spend = sum(spent.get(cid, (0.0, 0.0))[0] for cid in budgeted)
    other = sum(spent.get(cid, (0.0, 0.0))[0] for cid in unbudgeted)
    money = dict.fromkeys(("budget", "day", "week", "week_budget", "other"), "money")
    row = {"budget": budget, "day": day, "week": week_spend, "week_budget": budget * WEEK, "other": other}
    return {
        "first_day": first,
        "through": through,
        **ctx.fmt1(row, money),
        "day_pct": day / budget * 100.0 if budget else None,
        "week_pct": week_spend / (budget * WEEK) * 100.0 if budget else None,
        "with_budget": len(budgeted),
        "active": len(active),
        "unbudgeted": [ctx.name_of(cid) for cid in unbudgeted],
    }


def spend_weeks_figures(ctx: ToolContext) -> dict[str, Any]:
    """ "Tô gastando muito?": the account's spend, leads and CPL over the last 7 complete days and the 7
    before, from the source, and the spend's change."""
    through = ctx.data_through()
    daily = read_daily_insights(ctx.engine, [ctx.config_id], through, 2 * WEEK, now=ctx.now).daily
    valid = daily.filter(pl.col("spend").is_not_null())
    now_first, before_first = through - DAY * (WEEK - 1), through - DAY * (2 * WEEK - 1)
    now = period_figures(valid, now_first, through)
    before = period_figures(valid, before_first, now_first - DAY)
    change = (now["spend"] / before["spend"] - 1) * 100.0 if before["spend"] else None
    spec = {"spend": "money", "cpl": "money"}
    return {
        "now": {**ctx.fmt1(now, spec), "first": now_first, "last": through},
        "before": {**ctx.fmt1(before, spec), "first": before_first, "last": now_first - DAY},
        "change": change,
        "change_text": ctx.fmt1({"c": change}, {"c": "pct0"})["c"],
    }


def _forecast_value(ctx: ToolContext, metric: str, cid: str) -> dict[str, Any] | None:
    rows = run_tool(ctx, "get_forecasts", {"metric": metric, "campaign_id": cid}).get("forecasts") or []
    return rows[0] if rows else None


def _span(ctx: ToolContext, period: Period) -> tuple[pl.DataFrame, dt.date, dt.date]:
    """The source's days of a period asked, up to the last complete day (at most 180 days back)."""
    through = min(period.last, ctx.data_through())
    first = max(period.first, through - DAY * (MAX_SPAN - 1))
    daily = read_daily_insights(ctx.engine, [ctx.config_id], through, (through - first).days + 1, now=ctx.now)
    return daily.daily.filter(pl.col("date").is_between(first, through)), first, through


def pause_savings_figures(ctx: ToolContext, cid: str, period: Period | None = None) -> dict[str, Any]:
    """The campaign's last 7 complete days' spend and leads (what a week paused would not spend nor bring,
    at its recent pace) and the stored forecast of its next days' spend and leads, when one is stored;
    `period` ("quanto perdi com a 14 semana passada?"): its days instead of the 7."""
    week, first, through = _week(ctx) if period is None else _span(ctx, period)
    own = week.filter(pl.col("campaign_id") == cid)
    spend, leads = float(own["spend"].sum() or 0.0), int(own["leads"].sum() or 0)
    # "quanto perdi com a 20?": her leads at the account's CPL of the same days, the rest paid over it
    account_cpl = float(week["spend"].sum() or 0.0) / n if (n := int(week["leads"].sum() or 0)) else None
    over = spend - leads * account_cpl if account_cpl is not None else None
    figures = ctx.fmt1(
        {"spend": spend, "cpl": spend / leads if leads else None, "account_cpl": account_cpl, "over": over}
        | {"at_account": spend - over if over is not None else None},
        {"spend": "money", "cpl": "money", "account_cpl": "money", "over": "money", "at_account": "money"},
    )
    return {
        "name": ctx.name_of(cid),
        "campaign_id": cid,
        "label": period.label if period else None,
        "first_day": first,
        "through": through,
        **figures,
        "spend_v": spend,
        "leads": leads,
        "over_v": over,
        "forecast_spend": _forecast_value(ctx, "spend", cid),
        "forecast_leads": _forecast_value(ctx, "leads", cid),
        "active": is_active(ctx.campaigns.get(cid, {})),
        "budget": ctx.fmt1({"b": ctx.campaigns.get(cid, {}).get("daily_budget")}, {"b": "money"})["b"],
    }


def leads_cost_figures(ctx: ToolContext, target: float, month: bool = False) -> dict[str, Any]:
    """What `target` leads cost at the account's CPL of the last 7 and 28 complete days, and how many days
    that is at each span's daily spend: an estimate at a constant CPL, which scaling rarely keeps. With
    `month` ("400 leads esse mês"), the goal is the month's: the leads it already has count, and what is
    left is costed and spread over the days left (today's among them)."""
    through = ctx.data_through()
    month_first = this_month(through).first
    # one read: the 28 days, and the month so far when it is longer (its 29th to 31st day)
    days_read = max(28, (through - month_first).days + 1) if month else 28
    daily = read_daily_insights(ctx.engine, [ctx.config_id], through, days_read, now=ctx.now).daily
    left = _month_left(daily, target, through) if month else None
    spans = []
    for days in (WEEK, 28):
        first = through - DAY * (days - 1)
        w = daily.filter(pl.col("date").is_between(first, through))
        spend, leads = float(w["spend"].sum() or 0.0), int(w["leads"].sum() or 0)
        cpl = spend / leads if leads else None
        goal = max(left["leads_left"], 0.0) if left else target
        cost = cpl * goal if cpl is not None else None
        per_day = spend / days
        month_per_day = cost / left["days_left"] if cost is not None and left and left["days_left"] else None
        row = ctx.fmt1(
            {"cpl": cpl, "cost": cost, "per_day": per_day, "month_per_day": month_per_day},
            dict.fromkeys(("cpl", "cost", "per_day", "month_per_day"), "money"),
        )
        spans.append(
            {
                "days": days,
                "first": first,
                "leads": leads,
                "days_needed": cost / per_day if cost is not None and per_day > 0 else None,
                **row,
            }
        )
    return {"target": target, "through": through, "spans": spans, "month": left}


def _month_left(daily: pl.DataFrame, target: float, through: dt.date) -> dict[str, Any]:
    """Today's month (on its 1st, the one just begun: no day complete yet): its leads so far in `daily`, the
    leads left to `target` and the days left to its end."""
    period = this_month(through)
    done = period_figures(daily, period.first, through) if period.first <= through else None
    leads = int(done["leads"] or 0) if done else 0
    return {
        "label": period.label,
        "done_first": period.first if done else None,
        "leads_done": leads,
        "leads_left": target - leads,
        "days_left": (period.last - through).days,
        "first_left": through + DAY,
        "last": period.last,
    }
