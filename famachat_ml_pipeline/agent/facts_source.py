"""Figures read from the source for a day or period asked: the account's or one campaign's, each
campaign's, a month's spend target, and whether the source covers a named day."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.agent.tools.analysis import PERIOD_FORMATS, period_figures
from famachat_ml_pipeline.agent.tools.campaigns import account_state
from famachat_ml_pipeline.db import agent_queries as q
from famachat_ml_pipeline.source.read import read_daily_insights


def current_day(ctx: ToolContext) -> dt.date:
    return ctx.data_through() + dt.timedelta(days=1)  # the last complete day is yesterday


def source_figures(
    ctx: ToolContext, first: dt.date, last: dt.date, campaign_id: str | None = None
) -> dict[str, Any]:
    """Spend, leads, CPL and CTR of the days first..last (today's partial too), for the account or one
    campaign, from the source (as analyze_trends reads it), formatted pt-BR."""
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, (last - first).days + 1, now=ctx.now).daily
    return frame_figures(ctx, daily, first, last, campaign_id)


def frame_figures(
    ctx: ToolContext, daily: pl.DataFrame, first: dt.date, last: dt.date, campaign_id: str | None = None
) -> dict[str, Any]:
    """`source_figures` of a daily frame already read that covers first..last."""
    days = (last - first).days + 1
    if campaign_id is not None:
        daily = daily.filter(pl.col("campaign_id") == campaign_id)
    # campaign-days whose source row was set aside stay in the frame with null metrics: not in the sums
    window = daily.filter(pl.col("date").is_between(first, last))
    aside = window.filter(pl.col("spend").is_null()).height
    # days on which the source delivered a row for some campaign (a day of no rows at all is no data)
    with_data = window.filter(pl.col("has_row") & pl.col("spend").is_not_null())["date"].n_unique()
    figures = period_figures(daily, first, last)
    per_day = {
        "spend_per_day": figures["spend"] / with_data if with_data else None,
        "leads_per_day": figures["leads"] / with_data if with_data else None,
    }
    formats = {**PERIOD_FORMATS, "spend_per_day": "money", "leads_per_day": "num1"}
    # "quantos cliques tive hoje?": the counts too (reach summed over campaigns and days: no unique reach)
    counts = {k: int(window[k].sum() or 0) for k in ("clicks", "impressions", "reach") if k in window.columns}
    # rows of a campaign missing from the campaigns table never reach the frame: counted apart
    orphans = 0 if campaign_id is not None else q.orphan_campaign_days(ctx.engine, ctx.config_id, first, last)
    return {
        **ctx.fmt1({**figures, **per_day}, formats),
        **counts,
        "days": days,
        "days_with_data": with_data,
        "set_aside": aside,
        "orphans": orphans,
    }


def target_figures(ctx: ToolContext, target: float, first: dt.date, through: dt.date) -> dict[str, Any]:
    """A month's spend target against what first..through spent (the source, as `source_figures`): what is
    left, and per day over the days after `through` to the month's end (today's partial day among them)."""
    spent = 0.0  # on the month's 1st (first after through) nothing is spent yet
    if first <= through:
        daily = read_daily_insights(
            ctx.engine, [ctx.config_id], through, (through - first).days + 1, now=ctx.now
        )
        spent = float(period_figures(daily.daily, first, through)["spend"] or 0.0)
    last = month_end(first)
    days_left = (last - through).days
    left = target - spent
    per_day = max(left, 0.0) / days_left if days_left else None
    money = dict.fromkeys(("target", "spent", "gap", "per_day"), "money")
    row = ctx.fmt1({"target": target, "spent": spent, "gap": abs(left), "per_day": per_day}, money)
    first_left = through + dt.timedelta(days=1)
    return {**row, "over": left < 0, "days_left": days_left, "first_left": first_left, "last": last}


def month_end(day: dt.date) -> dt.date:
    nxt = day.replace(day=28) + dt.timedelta(days=4)
    return nxt - dt.timedelta(days=nxt.day)


def _cpm(spend: float | None, impressions: int | None) -> float | None:
    """Spend per thousand impressions; None without impressions (or without a valid spend)."""
    return spend / impressions * 1000.0 if impressions and spend is not None else None


def campaign_figures(ctx: ToolContext, first: dt.date, last: dt.date) -> dict[str, Any]:
    """Each campaign's spend, leads and CPL over first..last from the source (as `source_figures` reads
    the account's), formatted pt-BR, with the raw numbers kept to rank them (`spend_v`, `leads`, `cpl_v`)."""
    days = (last - first).days + 1
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, days, now=ctx.now).daily
    d = daily.filter(pl.col("date").is_between(first, last))
    grouped = d.group_by("campaign_id").agg(
        spend=pl.col("spend").sum(),
        leads=pl.col("leads").sum(),
        impressions=pl.col("impressions").sum(),
        clicks=pl.col("clicks").sum(),
        aside=pl.col("spend").is_null().sum(),
    )
    raw = [
        {
            "campaign_id": r["campaign_id"],
            "name": ctx.name_of(r["campaign_id"]),
            "spend": float(r["spend"] or 0.0),
            "spend_v": float(r["spend"] or 0.0),
            "leads": int(r["leads"] or 0),
            "cpl": r["spend"] / r["leads"] if r["leads"] else None,
            "cpl_v": r["spend"] / r["leads"] if r["leads"] else None,
            # "o pior CTR em outubro": clicks over impressions of the period (a campaign with none has none)
            "ctr": 100.0 * r["clicks"] / r["impressions"] if r["impressions"] else None,
            "ctr_v": 100.0 * r["clicks"] / r["impressions"] if r["impressions"] else None,
            # "qual campanha tem o cpm mais caro?": spend per thousand impressions of the period
            "cpm": r["spend"] / r["impressions"] * 1000.0
            if r["impressions"] and r["spend"] is not None
            else None,
            "cpm_v": r["spend"] / r["impressions"] * 1000.0
            if r["impressions"] and r["spend"] is not None
            else None,
            # "qual campanha tem o cpc mais caro?": spend per click of the period
            "cpc": r["spend"] / r["clicks"] if r["clicks"] and r["spend"] is not None else None,
            "cpc_v": r["spend"] / r["clicks"] if r["clicks"] and r["spend"] is not None else None,
            # "qual campanha teve mais impressão ontem?": the counts ranked
            "impressions": int(r["impressions"] or 0),
            "clicks": int(r["clicks"] or 0),
        }
        for r in grouped.sort("campaign_id").iter_rows(named=True)
    ]
    return {
        "first_day": first,
        "last_day": last,
        "days": days,
        "set_aside": int(grouped["aside"].sum() or 0),
        "campaigns": ctx.fmt(
            raw, {"spend": "money", "cpl": "money", "ctr": "pct2", "cpm": "money", "cpc": "money"}
        ),
        "currency": ctx.currency,  # a move of spend is said in it
    }


def day_status(day: dt.date, through: dt.date, first: dt.date | None) -> str:
    """Whether the source covers a named day: "ok", "today" (partial), "future", or "before" its first day."""
    if day > through + dt.timedelta(days=1):
        return "future"
    if day > through:
        return "today"
    if first is None or day < first:
        return "before"
    return "ok"


def vs_account_figures(
    ctx: ToolContext, campaign_id: str, first: dt.date, last: dt.date, label: str | None
) -> dict[str, Any]:
    """ "Quanto custa um lead na 4 comparado com a média?": the campaign's spend, leads and CPL over
    first..last against the account's (its spend over its leads: the "média" a buyer means), from one
    read of the source, and the campaign's CPL off the account's in % (None without leads on a side)."""
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, (last - first).days + 1, now=ctx.now).daily
    own = period_figures(daily.filter(pl.col("campaign_id") == campaign_id), first, last)
    acct = period_figures(daily, first, last)
    gap = own["cpl"] / acct["cpl"] * 100.0 - 100.0 if own["cpl"] and acct["cpl"] else None
    money = {"spend": "money", "cpl": "money"}
    spend, leads = acct["spend"] - own["spend"], acct["leads"] - own["leads"]
    rest = {"spend": spend, "leads": leads, "cpl": spend / leads if leads else None}
    return {
        "first": first,
        "last": last,
        "label": label,
        "name": ctx.name_of(campaign_id),
        "own": {**ctx.fmt1(own, money), "leads": own["leads"], "cpl_v": own["cpl"], "spend_v": own["spend"]},
        "account": {
            **ctx.fmt1(acct, money),
            "leads": acct["leads"],
            "cpl_v": acct["cpl"],
            "spend_v": acct["spend"],
        },
        "gap": gap,
        # "qual o CPL se eu tirar a 26?": the account's figures less the campaign's
        "without": {**ctx.fmt1(rest, money), "leads": rest["leads"], "cpl_v": rest["cpl"]},
    }


def with_account_cpl(ctx: ToolContext, intent: Intent) -> Intent:
    """ "Quais campanhas tão acima da média de CPL?" (ask "vs_account" of the CPL ranking): the account's
    7-day CPL as the threshold, the one the tiers weigh each campaign's against (the features'
    account_cpl_7d); `intent` unchanged otherwise, or when no run has stored it yet."""
    ask = intent.ask or ""
    if intent.name != "cpl_rank" or not ask.startswith("vs_account") or intent.threshold is not None:
        return intent
    factor = float(ask.partition(":")[2] or 1.0)  # "acima do dobro da média": "vs_account:2"
    cpl = account_cpl_7d(ctx)
    return intent if cpl is None else replace(intent, threshold=cpl * factor)


def account_cpl_7d(ctx: ToolContext) -> float | None:
    """The account's 7-day CPL the latest run stored (the features' account_cpl_7d, the tiers' yardstick)."""
    feats, _, _ = account_state(ctx)
    return next((float(f["account_cpl_7d"]) for f in feats.values() if f.get("account_cpl_7d")), None)
