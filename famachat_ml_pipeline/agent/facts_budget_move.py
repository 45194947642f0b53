"""Money moved from one campaign to another ("posso tirar verba da 11 e colocar na 4?"): both campaigns'
and the account's last 7 complete days from the source, what R$ 100 bought in each at its own CPL, and the
budget step the pipeline allows at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.agent.tools.analysis import period_figures
from famachat_ml_pipeline.source.read import read_daily_insights

PER = 100.0  # "cada R$ 100": the money the arithmetic moves
DAYS = 7


def _side(ctx: ToolContext, week: pl.DataFrame, cid: str, first: dt.date, last: dt.date) -> dict[str, Any]:
    f = period_figures(week.filter(pl.col("campaign_id") == cid), first, last)
    per = PER / f["cpl"] if f["cpl"] else None
    return {
        "campaign_id": cid,
        "name": ctx.name_of(cid),
        "cpl_v": f["cpl"],
        "spend_v": f["spend"],
        **f,
        "per": per,
        "per_v": per,
    }


def budget_move_figures(ctx: ToolContext, source: str, target: str) -> dict[str, Any] | None:
    """Each side's spend, leads and CPL over the last 7 complete days, the account's CPL, and the leads R$ 100
    bought on each side at its CPL; None when either campaign is not this account's."""
    if not (ctx.owns(source) and ctx.owns(target)):
        return None
    last = ctx.data_through()
    first = last - dt.timedelta(days=DAYS - 1)
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, DAYS, now=ctx.now).daily
    week = daily.filter(pl.col("date").is_between(first, last) & pl.col("spend").is_not_null())
    sides = [_side(ctx, week, cid, first, last) for cid in (source, target)]
    account = period_figures(week, first, last)
    money = {"spend": "money", "cpl": "money", "per": "num1"}
    return {
        "first": first,
        "last": last,
        "from": ctx.fmt1(sides[0], money),
        "to": ctx.fmt1(sides[1], money),
        "account_cpl": ctx.fmt1({"cpl": account["cpl"]}, {"cpl": "money"})["cpl"],
        "account_cpl_v": account["cpl"],
        "per_money": ctx.fmt1({"v": PER}, {"v": "money"})["v"],
    }
