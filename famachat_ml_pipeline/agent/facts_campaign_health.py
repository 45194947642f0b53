"""Campaigns' health beyond their CPL: runs of days with spend and no lead (tracking), frequency and
saturation, and a paused campaign's last days against the account's ("vale reativar?")."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.agent.tools.analysis import PERIOD_FORMATS, period_figures
from famachat_ml_pipeline.agent.tools.campaigns import account_state, is_active
from famachat_ml_pipeline.core.anomalies.config import DEFAULT_CONFIG as DEFAULT_ANOMALY_CONFIG
from famachat_ml_pipeline.db import agent_queries as q
from famachat_ml_pipeline.source.read import read_daily_insights

REACTIVATION_LOOKBACK = 180  # days of source read back for a paused campaign's last days with spend
REACTIVATION_DAYS = 30  # "vale reativar a 31?": its last 30 days with spend
# the REACTIVATE advice's reference ("28% abaixo da média"): the account's CPL over its last 30 days, not
# over the days the campaign ran; both are said, each with its window
ADVICE_ACCOUNT_DAYS = 30


def _lookback(ctx: ToolContext) -> pl.DataFrame:
    return read_daily_insights(
        ctx.engine, [ctx.config_id], ctx.data_through(), REACTIVATION_LOOKBACK, now=ctx.now
    ).daily


def reactivation_figures(
    ctx: ToolContext, campaign_id: str, daily: pl.DataFrame | None = None
) -> dict[str, Any]:
    """ "Vale reativar a 31?": the campaign's last `REACTIVATION_DAYS` days with spend (within the
    lookback), its spend, leads and CPL over them and the account's over the same days (as
    `period_figures` reads them), the last day it spent, and how far its CPL was from the account's.
    `daily`: the lookback's source already read (several campaigns judged from one read)."""
    daily = _lookback(ctx) if daily is None else daily
    own = daily.filter((pl.col("campaign_id") == campaign_id) & (pl.col("spend") > 0))
    ran = own["date"].unique().sort().tail(REACTIVATION_DAYS)
    if ran.is_empty():
        return {"ran": False, "lookback": REACTIVATION_LOOKBACK}
    same = daily.filter(pl.col("date").is_in(ran.implode()))
    first, last = ran[0], ran[-1]
    mine = period_figures(same.filter(pl.col("campaign_id") == campaign_id), first, last)
    account = period_figures(same, first, last)
    gap = (mine["cpl"] / account["cpl"] - 1) * 100.0 if mine["cpl"] and account["cpl"] else None
    through = ctx.data_through()
    now = period_figures(daily, through - dt.timedelta(days=ADVICE_ACCOUNT_DAYS - 1), through)
    gap_now = (mine["cpl"] / now["cpl"] - 1) * 100.0 if mine["cpl"] and now["cpl"] else None
    return {
        "ran": True,
        "days": ran.len(),
        "first_day": first,
        "last_day": last,
        "campaign": ctx.fmt1(mine, PERIOD_FORMATS),
        "account": ctx.fmt1(account, PERIOD_FORMATS),
        "gap": gap,
        "gap_text": ctx.fmt1({"gap": abs(gap) if gap is not None else None}, {"gap": "pct0"})["gap"],
        "account_now": ctx.fmt1(now, PERIOD_FORMATS),
        "gap_now": gap_now,
        "gap_now_text": ctx.fmt1({"gap": abs(gap_now) if gap_now is not None else None}, {"gap": "pct0"})[
            "gap"
        ],
    }


def reactivations_figures(ctx: ToolContext) -> list[dict[str, Any]]:
    """ "Tem alguma pausada que vale religar?": each paused (or inactive) campaign with
    `reactivation_figures`, from one read of the source."""
    paused = sorted(cid for cid, c in ctx.campaigns.items() if not is_active(c))
    daily = _lookback(ctx) if paused else None
    return [
        {
            "campaign_id": cid,
            "name": ctx.name_of(cid),
            "status": ctx.campaigns[cid].get("status") or ctx.campaigns[cid].get("effective_status"),
            **reactivation_figures(ctx, cid, daily),
        }
        for cid in paused
    ]


ZERO_LEAD_LOOKBACK = 60  # days of source read back to count a campaign's run of days without a lead
SEVERITY_ORDER = ("CRITICAL", "HIGH", "MEDIUM", "LOW")


def tracking_figures(ctx: ToolContext) -> dict[str, Any]:
    """ "Tem campanha com problema de rastreamento?": the campaigns with open zero-lead PERFORMANCE_DROP
    anomalies (a day of spend with not one lead, improbable by the campaign's history) in the last 7 days,
    each with its run of days in a row with spend and no lead up to its latest flagged day, read from the
    source as the detector counts it, the spend of those days, and whether leads came back after."""
    through = ctx.data_through()
    since = through - dt.timedelta(days=6)
    flagged: dict[str, list[dict[str, Any]]] = {}
    for r in q.read_recent_anomalies(ctx.engine, ctx.config_id, since):
        zero = r["observed_value"] is not None and float(r["observed_value"]) == 0.0
        if r["anomaly_type"] == "PERFORMANCE_DROP" and zero and ctx.owns(r["entity_id"]):
            flagged.setdefault(r["entity_id"], []).append(r)
    raw = []
    if flagged:
        daily = read_daily_insights(
            ctx.engine, [ctx.config_id], through, ZERO_LEAD_LOOKBACK, now=ctx.now
        ).daily
        daily = daily.filter(pl.col("campaign_id").is_in(list(flagged)))
    for cid, rows in flagged.items():
        last = max(r["anomaly_date"] for r in rows)
        days = {
            x["date"]: x
            for x in daily.filter(pl.col("campaign_id") == cid).iter_rows(named=True)
            if x["spend"] is not None
        }
        run, spent = 0, 0.0
        while (x := days.get(last - dt.timedelta(days=run))) and x["spend"] > 0 and not x["leads"]:
            run, spent = run + 1, spent + float(x["spend"])
        back = min((d for d, x in days.items() if last < d <= through and x["leads"]), default=None)
        first_day = last - dt.timedelta(days=max(run, 1) - 1)
        raw.append(
            {
                **_clicks_then(days, first_day, last),
                "campaign_id": cid,
                "name": ctx.name_of(cid),
                "run": run,
                "first_day": first_day,
                "last_day": last,
                "spend": spent,
                "spend_v": spent,
                "flagged_days": len({r["anomaly_date"] for r in rows}),
                "severity": min((r["severity"] for r in rows), key=SEVERITY_ORDER.index),
                "leads_back": back,
            }
        )
    raw.sort(key=lambda x: (-x["run"], -x["spend_v"], x["campaign_id"]))
    return {"since": since, "through": through, "campaigns": ctx.fmt(raw, {"spend": "money"})}


CLICKS_BEFORE_DAYS = 28  # the days before a run without leads its clicks are weighed against
CHANCE = 0.05  # a run's zero leads this likely from its own clicks is no sign of a broken pixel


def _clicks_then(days: dict[dt.date, dict[str, Any]], first: dt.date, last: dt.date) -> dict[str, Any]:
    """A run without leads (first..last) against its clicks: clicks a day in it and in the 28 days before,
    the leads its clicks would have brought at the leads per click of before, and whether 0 leads is then
    likely (P(0) >= CHANCE under Poisson): no tracking break, the clicks fell (the ad, the CTR)."""

    def total(a: dt.date, b: dt.date, col: str) -> tuple[float, int]:
        rows = [x for d, x in days.items() if a <= d <= b and x[col] is not None]
        return float(sum(x[col] for x in rows)), len(rows)

    clicks, n = total(first, last, "clicks")
    start = first - dt.timedelta(days=CLICKS_BEFORE_DAYS)
    before, m = total(start, first - dt.timedelta(days=1), "clicks")
    leads_before, _ = total(start, first - dt.timedelta(days=1), "leads")
    expected = clicks * leads_before / before if before > 0 and leads_before > 0 else None
    return {
        "clicks_day": clicks / n if n else None,
        "clicks_day_before": before / m if m else None,
        "leads_by_clicks": expected,
        # only where the clicks fell: few leads expected from clicks as many as ever is a low rate of its own
        "clicks_explain": expected is not None
        and math.exp(-expected) >= CHANCE
        and clicks / max(n, 1) < before / max(m, 1),
    }


FREQUENCY_TYPES = ("FREQUENCY_ALERT", "REACH_SATURATION")


def frequency_figures(ctx: ToolContext) -> dict[str, Any]:
    """ "Qual a frequência média? tá saturando?": each campaign's 7-day frequency from the latest
    ml_features (highest first), the FREQUENCY_ALERT threshold, and the open frequency and saturation
    anomalies of the last 7 days."""
    feats, _, as_of = account_state(ctx)
    raw = sorted(
        (
            {"campaign_id": cid, "name": ctx.name_of(cid), "frequency": float(f["frequency_7d"])}
            for cid, f in feats.items()
            if f.get("frequency_7d") is not None and float(f["frequency_7d"]) > 0
        ),
        key=lambda x: (-x["frequency"], x["campaign_id"]),
    )
    since = ctx.data_through() - dt.timedelta(days=6)
    open_ = [
        r
        for r in q.read_recent_anomalies(ctx.engine, ctx.config_id, since)
        if r["anomaly_type"] in FREQUENCY_TYPES and ctx.owns(r["entity_id"])
    ]
    return {
        "as_of": as_of,
        "since": since,
        "threshold": DEFAULT_ANOMALY_CONFIG.frequency_threshold,
        "campaigns": raw,
        "anomalies": [
            {"type": r["anomaly_type"], "campaign_id": r["entity_id"], "name": ctx.name_of(r["entity_id"])}
            for r in open_
        ],
    }
