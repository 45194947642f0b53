"""Facts for `answers_talk`: the users' decisions on the account's advice (ml_recommendations' users'
columns) and the active campaigns' daily budgets (the source's campaigns)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from famachat_ml_pipeline.agent.tools.campaigns import is_active
from famachat_ml_pipeline.agent.tools.context import ToolContext
from famachat_ml_pipeline.db import agent_queries as q


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def decided_figures(ctx: ToolContext) -> list[dict[str, Any]]:
    """Each recommendation a user dismissed or applied: id, title, campaign, when and why."""
    return [
        {
            "id": int(r["id"]),
            "title": r["title"],
            "campaign_id": r["entity_id"],
            "name": ctx.name_of(r["entity_id"]),
            "dismissed": bool(r["dismissed"]),
            "on": _iso(r["dismissed_at"]),
            "reason": r["dismissed_reason"],
            "applied": bool(r["was_applied"]),
            "applied_on": _iso(r["applied_at"]),
        }
        for r in q.read_decided_recommendations(ctx.engine, ctx.config_id)
    ]


def _budgeted(ctx: ToolContext) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The active campaigns, and those of them with a daily budget on the campaign (major unit)."""
    active = {cid: c for cid, c in ctx.campaigns.items() if is_active(c)}
    budgeted = [
        {"campaign_id": cid, "name": ctx.name_of(cid), "budget": float(c["daily_budget"])}
        for cid, c in active.items()
        if c.get("daily_budget") is not None and float(c["daily_budget"]) > 0
    ]
    return active, budgeted


def budget_now(ctx: ToolContext, cid: str | None) -> dict[str, Any]:
    """The daily budget a what-if changes (major unit): the campaign's, or the active campaigns' summed with
    how many active ones have none on the campaign (their spend is in the forecast, their budget unknown)."""
    if cid is not None:
        budget = ctx.campaigns[cid].get("daily_budget")
        return {"budget": float(budget) if budget else None, "without": 0}
    active, budgeted = _budgeted(ctx)
    return {"budget": sum(c["budget"] for c in budgeted) or None, "without": len(active) - len(budgeted)}


def daily_budget_figures(ctx: ToolContext) -> dict[str, Any]:
    """The active campaigns' daily budgets (major unit) summed, the largest first, and the active ones
    without a daily budget on the campaign (set per ad set, or a lifetime budget: unknown here)."""
    active, budgeted = _budgeted(ctx)
    budgeted.sort(key=lambda c: (-c["budget"], c["campaign_id"]))
    seen = {c["campaign_id"] for c in budgeted}
    total = sum(c["budget"] for c in budgeted)
    # the days of today's month from today on (all of it on its 1st), at those budgets
    first = ctx.data_through() + dt.timedelta(days=1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    days_left = (last - first).days + 1
    money = {"total": "money", "rest_of_month": "money"}
    return {
        "active": len(active),
        "with_budget": len(budgeted),
        **ctx.fmt1({"total": total, "rest_of_month": total * days_left}, money),
        "first_left": first,
        "last_left": last,
        "days_left": days_left,
        "top": ctx.fmt(budgeted, {"budget": "money"}),
        "without": [ctx.name_of(cid) for cid in sorted(active) if cid not in seen],
    }
