"""Offline mode: deterministic pt-BR answers with the real figures, no LLM.

It follows the seed graph's steps as plain functions: classify_intent -> gather_data (the same tools the
model would call) -> check_quality -> generate_response. Campaign names come from the tables and are
quoted as data; nothing in a question or a name changes which account is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.answers import NO_RESULTS, generate_response
from famachat_ml_pipeline.agent.facts_forecast import (
    cpl_next_figures,
    leads_target_figures,
    worst_case_figures,
)
from famachat_ml_pipeline.agent.facts_forecast_record import forecast_record_figures
from famachat_ml_pipeline.agent.facts_reroutes import reroute_facts
from famachat_ml_pipeline.agent.facts_talk import daily_budget_figures, decided_figures
from famachat_ml_pipeline.agent.facts_tiers import tier_figures
from famachat_ml_pipeline.agent.facts_verdicts import (
    budget_figures,
    cpl_history_figures,
    cut_figures,
    day_move_figures,
    learning_figures,
    saturation_figures,
)
from famachat_ml_pipeline.agent.followup import resolve_followup
from famachat_ml_pipeline.agent.intents import Intent, classify_intent, resolve_campaigns
from famachat_ml_pipeline.agent.intents_asks import month_end_asked
from famachat_ml_pipeline.agent.intents_periods import (
    invalid_day,
    periods_asked,
    previous_period,
    resolve_day,
    resolve_period,
    this_week_asked,
    weeks_asked,
    weeks_compared,
)
from famachat_ml_pipeline.agent.intents_talk import split_asks
from famachat_ml_pipeline.agent.intents_trends import day_move_metric
from famachat_ml_pipeline.agent.intents_verdicts import rate_judged
from famachat_ml_pipeline.agent.tools import ToolContext, run_tool
from famachat_ml_pipeline.agent.tools.analysis import PERIOD_FORMATS, driver_rows, period_figures
from famachat_ml_pipeline.agent.tools.campaigns import account_state
from famachat_ml_pipeline.agent.tools.context import MAX_ROWS
from famachat_ml_pipeline.agent.types import AgentEvent, AgentReply, ChatTurn, ToolCall
from famachat_ml_pipeline.core.anomalies.config import DEFAULT_CONFIG as DEFAULT_ANOMALY_CONFIG
from famachat_ml_pipeline.db import agent_queries as q
from famachat_ml_pipeline.source.read import first_insight_day, read_daily_insights


def _call(ctx: ToolContext, name: str, args: dict[str, Any]) -> ToolCall:
    return ToolCall(name=name, input=args, output=run_tool(ctx, name, args))


def _today(ctx: ToolContext) -> dt.date:
    return ctx.data_through() + dt.timedelta(days=1)  # the last complete day is yesterday


def _account_plan(ctx: ToolContext) -> list[tuple[str, dict[str, Any]]]:
    """Every part of a whole-account analysis: figures, tiers, anomalies, recommendations, forecast."""
    return [
        ("get_account_summary", {}),
        ("get_high_priority_recommendations", {"limit": 3}),
        ("analyze_trends", {}),
        ("get_underperformers", {"limit": 5, "include_low": False}),
        ("get_high_performers", {"limit": 5}),
        ("get_anomalies", {"days": 7, "limit": 5}),
        ("get_recommendations", {"limit": 5}),
        ("get_forecasts", {"metric": "leads"}),
    ]


def month_end(day: dt.date) -> dt.date:
    nxt = day.replace(day=28) + dt.timedelta(days=4)
    return nxt - dt.timedelta(days=nxt.day)


def _month_end_plan(ctx: ToolContext) -> list[tuple[str, dict[str, Any]]]:
    """ "Quanto vou gastar até o fim do mês?": the stored forecasts of the days after the last complete
    day up to the month's last day (none when the last complete day ends the month)."""
    through = ctx.data_through()
    last = month_end(through)
    if last <= through:
        return []
    first = through + dt.timedelta(days=1)
    return [("get_forecasts", {"first_day": first.isoformat(), "last_day": last.isoformat()})]


def _campaign_plan(cid: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("get_campaign_details", {"campaign_id": cid}),
        ("analyze_trends", {"campaign_id": cid}),
        ("predict_campaign_leads", {"campaign_id": cid}),
        ("predict_campaign_cpl", {"campaign_id": cid}),
    ]


def _stored_spend_plan(
    ctx: ToolContext, cid: str, day: dt.date | None, metric: str | None
) -> list[tuple[str, dict[str, Any]]]:
    """A campaign's spend forecast when the spend was asked: the pipeline's stored one (its next days, and
    the one day asked when it is still to come); nothing otherwise."""
    if metric != "spend":
        return []
    plan = [("get_forecasts", {"metric": "spend", "campaign_id": cid})]
    if day is not None and day > ctx.data_through():
        plan.append(("get_forecasts", {"metric": "spend", "campaign_id": cid, "day": day.isoformat()}))
    return plan


def gather_data(ctx: ToolContext, intent: Intent) -> list[ToolCall]:
    """Run the tools an intent needs, through the same registry the model uses."""
    cid = intent.campaign_id
    day = resolve_day(intent.day_ref, _today(ctx))
    # "teve anomalia essa semana?": the calendar week's days (last week's on a Monday), else the 7 days
    week = this_week_asked(intent.period_ref, ctx.data_through())
    days = (week.last - week.first).days + 1 if week else 7
    anomalies: list[tuple[str, dict[str, Any]]] = [("get_anomalies", {"days": days, "limit": 5})]
    if intent.ask == "critical":  # "teve algum problema crítico?": every CRITICAL one of those days
        anomalies.insert(0, ("get_critical_anomalies", {"days": days, "limit": MAX_ROWS}))
    if (intent.ask or "").startswith("anomaly_type:"):  # "por que o alerta de gasto zerado?": the 30 days'
        kind = (intent.ask or "").split(":", 1)[1]
        anomalies.insert(0, ("get_anomalies_by_type", {"anomaly_type": kind, "days": 30, "limit": 5}))
    if day is not None and ctx.data_through() - dt.timedelta(days=89) <= day <= ctx.data_through():
        anomalies.insert(0, ("get_anomalies", {"day": day.isoformat(), "limit": 20}))
    plan: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "help": [("get_account_summary", {})],
        "summary": [
            ("get_account_summary", {}),
            ("get_high_priority_recommendations", {"limit": 3}),
            ("analyze_trends", {}),
        ],
        "analyze": _campaign_plan(cid) if cid else _account_plan(ctx),
        # "qual a pior campanha?": the whole critical tier, to sort it by CPL (the tool sorts by spend)
        "underperformers": [("list_campaigns", {"limit": MAX_ROWS, "no_leads": True})]
        if intent.metric == "no_leads"
        else [
            (
                "get_underperformers",
                {"limit": MAX_ROWS if intent.metric == "worst" else 5, "include_low": False},
            )
        ],
        "top": [
            ("get_top_campaigns", {"metric": "leads", "limit": intent.limit or 5}),  # "top 3"
            # "qual a melhor campanha?": the whole top tier, to sort it by CPL (the tool sorts by leads)
            ("get_high_performers", {"limit": MAX_ROWS if intent.metric == "best" else 5}),
            # "as 3 melhores campanhas" with fewer in the top tier: the others by their CPL, over all the
            # account's campaigns with leads (the cheapest 20 hold the N - tier wanted, N <= 20)
            *(
                [("list_campaigns", {"limit": MAX_ROWS, "by_cpl": True})]
                if intent.metric == "best" and intent.limit
                else []
            ),
        ],
        "recommendations": [
            ("get_campaign_details", {"campaign_id": cid}),
            # "por que você recomenda reduzir a 11?": the account's advice, to say which campaigns have it
            *([("get_recommendations", {"limit": MAX_ROWS})] if intent.ask == "why_advice" else []),
        ]
        if cid
        else [
            ("get_recommendations", {"limit": MAX_ROWS}),
            ("get_underperformers", {"limit": 5, "include_low": False}),
        ]
        if intent.metric == "cut"
        else [("get_recommendations", {"limit": MAX_ROWS}), ("get_high_performers", {"limit": 5})]
        if intent.metric == "scale"
        else [("get_recommendations", {"limit": 5})],
        "anomalies": [*anomalies, ("analyze_trends", {})],
        "forecast": [
            ("predict_campaign_leads", {"campaign_id": cid}),
            ("predict_campaign_cpl", {"campaign_id": cid}),
            # "quanto vou gastar amanhã na campanha 4?": its spend is the stored forecast's (no fresh one)
            *_stored_spend_plan(ctx, cid, day, intent.metric),
        ]
        if cid
        else _month_end_plan(ctx)
        if month_end_asked(intent.metric)
        else [
            ("get_forecasts", {"metric": "leads"}),
            ("get_account_summary", {}),
            # "amanhã": the stored forecast's values of that one day (leads and spend)
            *(
                [("get_forecasts", {"day": day.isoformat()})]
                if day is not None and day > ctx.data_through()
                else []
            ),
        ],
        "campaign_details": [("get_campaign_details", {"campaign_id": cid or ""})]
        + (  # before the first run the card has no figures: the source's 7 days stand in; "por que o CPL
            # subiu?" reads its factors there too
            [("analyze_trends", {"campaign_id": cid})]
            if intent.name == "campaign_details"  # the query below only when it is this plan
            and cid
            and ctx.owns(cid)
            and (
                (intent.keyword == "anomalies" and (intent.metric or "").startswith("cpl"))
                or q.latest_results_day(ctx.engine, ctx.config_id) is None
            )
            else []
        ),
        "cpl_rank": [("list_campaigns", {"limit": 20})]
        if intent.threshold is None
        else [
            (
                "list_campaigns",
                {"limit": MAX_ROWS, intent.metric or "cpl_above": intent.threshold},
            )
        ],
        "paused": [("get_campaign_details", {"campaign_id": cid})]
        if cid
        else [("list_campaigns", {"status": "inactive", "limit": 20})],
        "campaign_not_found": [("list_campaigns", {"limit": 8})],
        "data_quality": [("get_data_quality", {"days": 30})],
        "roi": [
            (
                "calculate_roi",
                {"value_per_lead": intent.value_per_lead, **({"campaign_id": cid} if cid else {})},
            )
        ]
        if intent.value_per_lead
        else [],
        "compare": [("compare_campaigns", {"campaign_ids": list(intent.campaign_ids[:5])})]
        if len(intent.campaign_ids) >= 2
        else [("list_campaigns", {"limit": 8})],
        "list_campaigns": [
            ("list_campaigns", {"limit": 20, "status": "active" if intent.metric == "active" else "all"})
        ],
        "trends": [("analyze_trends", {"campaign_id": cid} if cid else {})],
        "performance": [("analyze_trends", {})],
        "daily_average": [],  # read from the source in the facts
        "weekday": [],
        "audience": [],
        "tracking": [],  # the zero-lead anomalies and the source's runs, in the facts
        "best_day": [],
        "frequency": [],  # ml_features and ml_anomalies, in the facts
        "budget": [],  # the source's spend against the campaigns' daily budget, in the facts
        "tier": [],  # ml_campaign_classifications' latest rows, in the facts
        "learning": [],  # no learning status in the source: the 7 days' leads per campaign, in the facts
        "out_of_scope": [],
        "explain": [],  # the glossary, in the answer
        "decisions": [("get_recommendations", {"limit": MAX_ROWS})],  # their ids; the decided, in the facts
        # intents_reroutes' asks: their figures in the facts (facts_reroutes); the advice of a pause asked
        "pause_savings": [("get_campaign_details", {"campaign_id": cid or ""})],
        "campaign_age": [],
        "month_ahead": [],
        "period_campaigns": [],
        "period_summary": [],
    }
    return [_call(ctx, name, args) for name, args in plan[intent.name]]


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
    daily = read_daily_insights(ctx.engine, [ctx.config_id], through, (through - first).days + 1, now=ctx.now)
    spent = float(period_figures(daily.daily, first, through)["spend"] or 0.0)
    last = month_end(through)
    days_left = (last - through).days
    left = target - spent
    per_day = max(left, 0.0) / days_left if days_left else None
    money = dict.fromkeys(("target", "spent", "gap", "per_day"), "money")
    row = ctx.fmt1({"target": target, "spent": spent, "gap": abs(left), "per_day": per_day}, money)
    first_left = through + dt.timedelta(days=1)
    return {**row, "over": left < 0, "days_left": days_left, "first_left": first_left, "last": last}


# the changes between the weeks: totals to the unit, rates to a tenth (as analyze_trends), so a CTR's small
# move does not read as 0%
WEEK_CHANGE_FORMATS = {
    "spend": "pct0",
    "leads": "pct0",
    "cpl": "pct0",
    "ctr": "pct1",
    "cpm": "pct1",
    "cpc": "pct1",
}


def _changes(ctx: ToolContext, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The % change of each figure of `WEEK_CHANGE_FORMATS` from `old` to `new` (`period_figures`),
    formatted; None where either side lacks it."""
    changes = {
        k: (new[k] - old[k]) / old[k] * 100.0 if new[k] is not None and old[k] else None
        for k in WEEK_CHANGE_FORMATS
    }
    return ctx.fmt1(changes, WEEK_CHANGE_FORMATS)


def weeks_figures(ctx: ToolContext, campaign_id: str | None = None) -> dict[str, Any]:
    """ "Essa semana vs semana passada": the days of the calendar weeks `weeks_compared` picks, each as
    `source_figures` reads it, the changes of spend, leads, CPL, CTR, CPM and CPC between them, and the
    CPL's factors over them ("por que o CPL subiu essa semana?", as analyze_trends' over the 7 days)."""
    w = weeks_compared(ctx.data_through())
    daily = read_daily_insights(
        ctx.engine, [ctx.config_id], w.now.last, (w.now.last - w.before.first).days + 1, now=ctx.now
    ).daily
    own = daily if campaign_id is None else daily.filter(pl.col("campaign_id") == campaign_id)
    now = period_figures(own, w.now.first, w.now.last)
    before = period_figures(own, w.before.first, w.before.last)
    return {  # one read of the source for both weeks
        "weeks": w,
        "now": frame_figures(ctx, daily, w.now.first, w.now.last, campaign_id),
        "before": frame_figures(ctx, daily, w.before.first, w.before.last, campaign_id),
        "changes": _changes(ctx, before, now),
        "cpl_drivers": [d.model_dump() for d in driver_rows(ctx, now, before)],
    }


def period_move_figures(
    ctx: ToolContext, ref: str | None, campaign_id: str | None = None
) -> dict[str, Any] | None:
    """ "O CPL subiu em outubro?": the period asked (clipped to the days the source covers) and the one
    before it (`previous_period`, clipped too), each as `source_figures` reads it, the changes between
    them (spend and leads per day when the two cover a different number of days) and the CPL's factors;
    None when the period has no day of data. `before` is None when the source has none of its days. The
    account's, or one campaign's rows only ("o CPL da campanha 22 subiu em outubro?")."""
    through, first_day = ctx.data_through(), first_insight_day(ctx.engine, ctx.config_id)
    asked = resolve_period(ref, through)
    if asked is None or first_day is None:
        return None
    first, last = max(asked.first, first_day), min(asked.last, through)
    if first > last:
        return None
    now, before = previous_period(asked, first, last)
    start = max(before.first, first_day)
    found: dict[str, Any] = {"now": now, "before": before, "before_first": start}
    if start > before.last:
        daily = read_daily_insights(
            ctx.engine, [ctx.config_id], last, (last - first).days + 1, now=ctx.now
        ).daily
        now_figures = frame_figures(ctx, daily, first, last, campaign_id)
        return {**found, "now_figures": now_figures, "before_figures": None}
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, (last - start).days + 1, now=ctx.now).daily
    own = daily if campaign_id is None else daily.filter(pl.col("campaign_id") == campaign_id)
    new, old = period_figures(own, first, last), period_figures(own, start, before.last)
    days_new, days_old = (last - first).days + 1, (before.last - start).days + 1
    per_day = days_new != days_old  # totals of unequal spans are compared per day; the rates as they are
    if per_day:
        new = {**new, "spend": new["spend"] / days_new, "leads": new["leads"] / days_new}
        old = {**old, "spend": old["spend"] / days_old, "leads": old["leads"] / days_old}
    return {
        **found,
        "now_figures": frame_figures(ctx, daily, first, last, campaign_id),
        "before_figures": frame_figures(ctx, daily, start, before.last, campaign_id),
        "per_day": per_day,
        "changes": _changes(ctx, old, new),
        "cpl_drivers": [d.model_dump() for d in driver_rows(ctx, new, old)],
    }


def periods_figures(ctx: ToolContext, refs: Sequence[str], campaign_id: str | None = None) -> dict[str, Any]:
    """ "Semana passada vs retrasada", "outubro vs novembro": each period (older first) clipped to the days
    the source covers and read as `source_figures` reads one (None when it has no day of data), and the
    changes of spend, leads, CPL, CTR, CPM and CPC from the older to the newer, from one read of the source;
    the account's, or one campaign's rows only."""
    through, first = ctx.data_through(), first_insight_day(ctx.engine, ctx.config_id)
    periods = sorted((p for r in refs if (p := resolve_period(r, through))), key=lambda p: p.first)
    spans = [(max(p.first, first), min(p.last, through)) if first else None for p in periods]
    spans = [s if s and s[0] <= s[1] else None for s in spans]
    covered = [s for s in spans if s]
    sides: list[dict[str, Any] | None] = [None] * len(periods)
    raw: list[dict[str, Any] | None] = [None] * len(periods)
    changes: dict[str, Any] = {}
    if covered:
        start, end = min(a for a, _ in covered), max(b for _, b in covered)
        daily = read_daily_insights(
            ctx.engine, [ctx.config_id], end, (end - start).days + 1, now=ctx.now
        ).daily
        sides = [frame_figures(ctx, daily, *s, campaign_id) if s else None for s in spans]
        own = daily if campaign_id is None else daily.filter(pl.col("campaign_id") == campaign_id)
        raw = [period_figures(own, *s) if s else None for s in spans]
        if len(raw) == 2 and raw[0] and raw[1]:
            changes = _changes(ctx, *raw)  # the rates too: "e o ctr?" right after reads the same two
    # the raw figures too: several campaigns' periods are weighed by their CPL (`_say_compare`)
    return {"periods": periods, "figures": sides, "changes": changes, "first_day": first, "raw": raw}


REACTIVATION_LOOKBACK = 180  # days of source read back for a paused campaign's last days with spend
REACTIVATION_DAYS = 30  # "vale reativar a 31?": its last 30 days with spend


def reactivation_figures(ctx: ToolContext, campaign_id: str) -> dict[str, Any]:
    """ "Vale reativar a 31?": the campaign's last `REACTIVATION_DAYS` days with spend (within the
    lookback), its spend, leads and CPL over them and the account's over the same days (as
    `period_figures` reads them), the last day it spent, and how far its CPL was from the account's."""
    through = ctx.data_through()
    daily = read_daily_insights(
        ctx.engine, [ctx.config_id], through, REACTIVATION_LOOKBACK, now=ctx.now
    ).daily
    own = daily.filter((pl.col("campaign_id") == campaign_id) & (pl.col("spend") > 0))
    ran = own["date"].unique().sort().tail(REACTIVATION_DAYS)
    if ran.is_empty():
        return {"ran": False, "lookback": REACTIVATION_LOOKBACK}
    same = daily.filter(pl.col("date").is_in(ran.implode()))
    first, last = ran[0], ran[-1]
    mine = period_figures(same.filter(pl.col("campaign_id") == campaign_id), first, last)
    account = period_figures(same, first, last)
    gap = (mine["cpl"] / account["cpl"] - 1) * 100.0 if mine["cpl"] and account["cpl"] else None
    return {
        "ran": True,
        "days": ran.len(),
        "first_day": first,
        "last_day": last,
        "campaign": ctx.fmt1(mine, PERIOD_FORMATS),
        "account": ctx.fmt1(account, PERIOD_FORMATS),
        "gap": gap,
        "gap_text": ctx.fmt1({"gap": abs(gap) if gap is not None else None}, {"gap": "pct0"})["gap"],
    }


# the intents that rank campaigns: a day or period asked ranks them by that day's or period's figures
RANKED = {"list_campaigns": "spend", "top": "leads", "cpl_rank": "cpl"}


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
        }
        for r in grouped.sort("campaign_id").iter_rows(named=True)
    ]
    return {
        "first_day": first,
        "last_day": last,
        "days": days,
        "set_aside": int(grouped["aside"].sum() or 0),
        "campaigns": ctx.fmt(raw, {"spend": "money", "cpl": "money", "ctr": "pct2"}),
    }


WEEKDAY_WEEKS = 4  # "melhor dia da semana": the last 4 full weeks, each weekday 4 times


def weekday_figures(ctx: ToolContext) -> dict[str, Any]:
    """Spend, leads and CPL per weekday (Monday = 0) over the last 28 days up to the last complete day,
    from the source, formatted pt-BR with the raw numbers kept to rank them."""
    last = ctx.data_through()
    first = last - dt.timedelta(days=7 * WEEKDAY_WEEKS - 1)
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, 7 * WEEKDAY_WEEKS, now=ctx.now).daily
    d = daily.filter(pl.col("date").is_between(first, last)).with_columns(
        weekday=pl.col("date").dt.weekday() - 1
    )
    grouped = d.group_by("weekday").agg(
        spend=pl.col("spend").sum(),
        leads=pl.col("leads").sum(),
        aside=pl.col("spend").is_null().sum(),
        # the days of this weekday the source has rows for: 4 in 4 full weeks, fewer on a young account
        n_days=pl.col("date").filter(pl.col("has_row")).n_unique(),
    )
    grouped = grouped.filter(pl.col("n_days") > 0)
    covered = d.filter(pl.col("has_row"))["date"]
    raw = [
        {
            "weekday": int(r["weekday"]),
            "n_days": int(r["n_days"]),
            "spend": float(r["spend"] or 0.0),
            "leads": int(r["leads"] or 0),
            "cpl": r["spend"] / r["leads"] if r["leads"] else None,
            "cpl_v": r["spend"] / r["leads"] if r["leads"] else None,
        }
        for r in grouped.sort("weekday").iter_rows(named=True)
    ]
    return {
        "first_day": first,
        "last_day": last,
        "days": 7 * WEEKDAY_WEEKS,
        "data_first_day": covered.min() if covered.len() else None,
        "days_with_data": covered.n_unique(),
        "set_aside": int(grouped["aside"].sum() or 0),
        "weekdays": ctx.fmt(raw, {"spend": "money", "cpl": "money"}),
    }


BEST_DAY_SPAN = 30  # "qual foi o dia com mais leads?": the last 30 complete days unless a period is asked


def day_by_day(ctx: ToolContext, first: dt.date, last: dt.date) -> dict[str, Any]:
    """The account's spend, leads and CPL of each day first..last with data in the source, formatted pt-BR
    with the raw numbers kept to rank them (`spend_v`, `leads`, `cpl_v`)."""
    days = (last - first).days + 1
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, days, now=ctx.now).daily
    d = daily.filter(pl.col("date").is_between(first, last))
    aside = d.filter(pl.col("spend").is_null()).height
    grouped = (
        d.filter(pl.col("has_row") & pl.col("spend").is_not_null())
        .group_by("date")
        .agg(spend=pl.col("spend").sum(), leads=pl.col("leads").sum())
        .sort("date")
    )
    raw = [
        {
            "date": r["date"],
            "spend": float(r["spend"] or 0.0),
            "spend_v": float(r["spend"] or 0.0),
            "leads": int(r["leads"] or 0),
            "cpl": r["spend"] / r["leads"] if r["leads"] else None,
            "cpl_v": r["spend"] / r["leads"] if r["leads"] else None,
        }
        for r in grouped.iter_rows(named=True)
    ]
    return {
        "first_day": first,
        "last_day": last,
        "days": days,
        "set_aside": aside,
        "orphans": q.orphan_campaign_days(ctx.engine, ctx.config_id, first, last),
        "rows": ctx.fmt(raw, {"spend": "money", "cpl": "money"}),
    }


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
        raw.append(
            {
                "campaign_id": cid,
                "name": ctx.name_of(cid),
                "run": run,
                "first_day": last - dt.timedelta(days=max(run, 1) - 1),
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


def day_status(day: dt.date, through: dt.date, first: dt.date | None) -> str:
    """Whether the source covers a named day: "ok", "today" (partial), "future", or "before" its first day."""
    if day > through + dt.timedelta(days=1):
        return "future"
    if day > through:
        return "today"
    if first is None or day < first:
        return "before"
    return "ok"


def check_quality(ctx: ToolContext, intent: Intent, calls: Sequence[ToolCall]) -> list[str]:
    """Caveats the answer must carry: another account asked for, missing or stale results, failed tools."""
    notes = []
    if any(n != ctx.config_id for n in intent.accounts_named):
        notes.append("Observação: só tenho acesso aos dados desta conta; a resposta acima é sobre ela.")
    for call in calls:
        if "error" in call.output:
            notes.append(f"Não consegui consultar {call.name}: {call.output['error']}")
    if intent.name in {"help", "data_quality", "campaign_not_found", "audience", "out_of_scope", "explain"}:
        return notes
    through, results = ctx.data_through(), q.latest_results_day(ctx.engine, ctx.config_id)
    if results is None:
        notes.append(NO_RESULTS)
    elif results < through:
        notes.append(
            f"Atenção: os resultados do pipeline são de {results:%d/%m/%Y}, "
            f"e os dados vão até {through:%d/%m/%Y}."
        )
    return notes


# --------------------------------------------------------------------------------------------- agent


@dataclass
class OfflineAgent:
    ctx: ToolContext

    @property
    def config_id(self) -> int:
        return self.ctx.config_id

    def stream(
        self, message: str, history: Sequence[ChatTurn] = (), intent: Intent | None = None
    ) -> Iterator[AgentEvent]:
        """Answer `message`; an explicit `intent` (the API's analyze) skips the keyword classifier; a
        follow-up ("e da campanha 5?") is read against the thread's last question in `history`."""
        names = {cid: c.get("name") or cid for cid, c in self.ctx.campaigns.items()}
        several = [] if intent else self._several_asks(message, names)
        intent = intent or resolve_followup(message, history) or classify_intent(message)
        intent = resolve_campaigns(intent, names)
        calls: list[ToolCall] = []
        texts = []
        # "quanto gastei ontem? e também quais devo pausar?": each ask answered in turn, in the order asked
        for asked in several or [intent]:
            found = gather_data(self.ctx, asked)
            for call in found:
                yield AgentEvent(kind="tool", tool=call)
            notes = check_quality(self.ctx, asked, found)
            texts.append(generate_response(asked, found, notes, self._facts(asked)))
            calls += found
        intent = several[0] if several else intent
        text = "\n".join(texts)
        for line in text.splitlines(keepends=True):
            yield AgentEvent(kind="text", text=line)
        reply = AgentReply(
            text=text,
            mode="offline",
            intent=intent.name,
            tool_calls=tuple(calls),
            data_through=self.ctx.data_through(),
        )
        yield AgentEvent(kind="done", reply=reply)

    def _several_asks(self, message: str, names: dict[str, str]) -> list[Intent]:
        """The intents of a message that makes two or three different asks (`split_asks`), each resolved
        on its own; [] when it makes one, or when any part is not understood (the whole is read as one)."""
        intents = [resolve_campaigns(classify_intent(a), names) for a in split_asks(message)]
        if any(i.name == "help" for i in intents):
            return []
        kinds = {(i.name, i.metric, i.campaign_id, i.day_ref, i.period_ref) for i in intents}
        return intents if len(kinds) > 1 else []

    def _facts(self, intent: Intent) -> dict[str, Any]:
        """The day or period asked, whether the source covers it, and its figures from the source."""
        through, today = self.ctx.data_through(), _today(self.ctx)
        day = resolve_day(intent.day_ref, today)
        facts: dict[str, Any] = {"_through": through, "_day": day}
        if (rerouted := reroute_facts(self.ctx, intent)) is not None:
            facts.update(rerouted)
            if intent.name == "budget":  # "dentro do orçamento?": the days over Meta's margin too
                facts["_budget"] = budget_figures(self.ctx)
            return facts
        if intent.name == "forecast" and intent.ask == "trust":  # measured now: the pipeline stores none
            facts["_forecast_record"] = forecast_record_figures(self.ctx)
        if invalid_day(intent.day_ref, today):
            facts["_invalid_day"] = intent.day_ref
        if intent.threshold is not None:  # "CPL acima de R$ 50", in the account's currency
            facts["_threshold"] = self.ctx.fmt1({"v": intent.threshold}, {"v": "money"})["v"]
        # "qual campanha gastou mais ontem?": the campaigns ranked by that day's figures
        ranked = (
            RANKED.get(intent.name) == "spend"
            and intent.metric == "spend"
            or (intent.name in {"top", "cpl_rank"} and intent.threshold is None)
            # "a pior campanha em outubro": the campaigns ranked by that period's CPL
            or (intent.name == "underperformers" and intent.metric == "worst")
            # "compara a 20 com a 25" then "e semana passada?": the campaigns' figures of that period
            or (intent.name == "compare" and bool(intent.day_ref or intent.period_ref))
        )
        figures = intent.name in {"performance", "summary"} or (
            intent.name == "campaign_details" and intent.campaign_id
        )
        figures = figures or ranked or intent.name == "daily_average" or month_end_asked(intent.metric)
        figures = figures or (intent.name == "performance" and intent.metric == "cvr")
        if intent.name == "trends" and intent.campaign_id and self.ctx.owns(intent.campaign_id):
            facts["_campaign_name"] = self.ctx.name_of(intent.campaign_id)
        if intent.name == "trends" and weeks_asked(intent.metric):  # "o CPL subiu essa semana?" too
            cid = intent.campaign_id
            if cid is None or self.ctx.owns(cid):  # another account's campaign: analyze_trends says so
                facts["_weeks"] = weeks_figures(self.ctx, cid)
            if (intent.metric or "").endswith("_which"):  # "qual campanha piorou mais essa semana?"
                w = facts["_weeks"]["weeks"]
                facts["_weeks_campaigns"] = [
                    campaign_figures(self.ctx, p.first, p.last) for p in (w.before, w.now)
                ]
            return facts
        if intent.name == "trends" and (intent.metric or "").startswith("period_"):
            cid = intent.campaign_id
            if cid is not None and not self.ctx.owns(
                cid
            ):  # another account's campaign: analyze_trends says so
                return facts
            return {**facts, "_period_move": period_move_figures(self.ctx, intent.period_ref, cid)}
        if intent.name == "anomalies" and (week := this_week_asked(intent.period_ref, through)):
            if weeks_asked(intent.metric):  # "por que o CPL subiu essa semana?": the factors over the weeks
                facts["_weeks"] = weeks_figures(self.ctx, None)
            return {**facts, "_period": week}  # the anomalies' window, named with its days
        if intent.name == "best_day":
            return {**facts, **self._best_day_facts(intent)}
        facts.update(self._verdict_facts(intent, day))
        facts.update(self._forecast_facts(intent))
        if intent.day_refs:  # "ontem e anteontem": each day's figures, in the order asked
            facts["_days_asked"] = self._days_asked(intent)
        if intent.name == "tracking":
            return {**facts, "_tracking": tracking_figures(self.ctx)}
        if intent.name == "weekday":
            return {**facts, "_weekdays": weekday_figures(self.ctx)}
        if intent.name == "frequency":
            return {**facts, "_frequency": frequency_figures(self.ctx)}
        if intent.name == "budget" and intent.ask == "budget_total":
            return {**facts, "_daily_budget": daily_budget_figures(self.ctx)}
        if intent.name == "budget":
            return {**facts, "_budget": budget_figures(self.ctx)}
        if intent.name == "decisions":
            cid = intent.campaign_id if intent.campaign_id and self.ctx.owns(intent.campaign_id) else None
            facts.update(_decided=decided_figures(self.ctx), _campaign_name=cid and self.ctx.name_of(cid))
            return facts
        if intent.ask == "left_to_spend":  # no monthly budget stored: the daily budgets say the pace
            facts["_daily_budget"] = daily_budget_figures(self.ctx)
        if intent.name == "learning":
            return {**facts, "_learning": learning_figures(self.ctx)}
        if intent.name == "tier":
            return {**facts, "_tiers": tier_figures(self.ctx, intent.campaign_id)}
        owned = intent.campaign_id is not None and self.ctx.owns(intent.campaign_id)
        if intent.name == "campaign_details" and intent.keyword == "frequency" and owned:
            facts["_saturation"] = saturation_figures(self.ctx, intent.campaign_id)  # "a 4 tá saturando?"
        cid = intent.campaign_id
        if intent.metric == "reactivate" and cid is not None and self.ctx.owns(cid):
            return {**facts, "_reactivation": reactivation_figures(self.ctx, cid)}
        if not figures:
            return facts
        if intent.name == "compare" and periods_asked(intent.metric) and len(intent.period_refs) == 2:
            # "campanha 3 e 5 semana passada vs retrasada": each campaign's two periods (its rows only)
            by_campaign = {
                c: periods_figures(self.ctx, intent.period_refs, c)
                for c in intent.campaign_ids[:5]
                if self.ctx.owns(c)
            }
            return {**facts, "_periods_by_campaign": by_campaign}
        cid = intent.campaign_id if intent.name == "campaign_details" else None
        if cid is not None and not self.ctx.owns(cid):
            return {**facts, "_day": None}
        if periods_asked(intent.metric) and len(intent.period_refs) == 2:
            return {**facts, "_periods": periods_figures(self.ctx, intent.period_refs, cid)}
        if cid is not None and intent.keyword == "anomalies" and weeks_asked(intent.metric):
            # "por que o CPL da campanha 12 subiu essa semana?": that campaign's factors over the weeks
            facts.update(_weeks=weeks_figures(self.ctx, cid), _campaign_name=self.ctx.name_of(cid))
        period = resolve_period(intent.period_ref, through)
        if month_end_asked(intent.metric):  # what the month already holds, besides the forecast
            period, day = resolve_period("esse mes", through), None
        if (intent.name == "daily_average" or intent.metric == "cvr") and day is None and period is None:
            period = resolve_period("ultimos 7 dias", through)  # the tools' week, from the source
        if day is None and period is None:
            return facts
        first = first_insight_day(self.ctx.engine, self.ctx.config_id)
        facts["_first_day"] = first
        if day is not None:
            status = day_status(day, through, first)
            facts["_day_status"] = status
            if status in {"ok", "today"}:
                facts["_day_figures"] = source_figures(self.ctx, day, day, cid)
                if ranked:
                    facts["_ranking"] = campaign_figures(self.ctx, day, day)
        if period is not None:
            facts["_period"] = period
            # only the days the source covers: a month not over yet, or begun before the data, is partial
            start, end = max(period.first, first or period.first), min(period.last, through)
            if first is not None and start <= end:
                facts["_period_figures"] = source_figures(self.ctx, start, end, cid)
                if intent.metric == "month_end_target" and intent.threshold is not None and end == through:
                    facts["_target"] = target_figures(self.ctx, intent.threshold, start, end)
                if ranked and day is None:
                    facts["_ranking"] = campaign_figures(self.ctx, start, end)
        return facts

    def _verdict_facts(self, intent: Intent, day: dt.date | None) -> dict[str, Any]:
        """ "Por que o CPL subiu ontem?": that complete day against the day before and a week earlier;
        "meu CPL tá bom?" (the account's): the 7 days' CPL, or the day's asked, against the account's own
        history; "quais campanhas devo pausar?": the figures behind each pause or cut advice."""
        through, ctx = self.ctx.data_through(), self.ctx
        found: dict[str, Any] = {}
        first = first_insight_day(ctx.engine, ctx.config_id) if day is not None else None
        complete = day is not None and day_status(day, through, first) == "ok"
        if day_move_metric(intent.metric) and intent.campaign_id is None and complete:
            found["_day_move"] = day_move_figures(ctx, day)
        account = intent.campaign_id is None and not intent.names
        if intent.name == "performance" and (intent.metric or "").startswith("cpl_judge") and account:
            if day is None or complete:
                found["_cpl_history"] = cpl_history_figures(ctx, day)
            if complete:
                found["_day_move"] = day_move_figures(ctx, day)
        if intent.name == "performance" and (judged := rate_judged(intent.metric)) and account:
            found["_cpl_history"] = cpl_history_figures(ctx, None, judged[0])  # "o cpm tá caro?"
        if intent.name == "recommendations" and intent.metric == "cut" and intent.campaign_id is None:
            found["_cuts"] = cut_figures(ctx)
        return found

    def _forecast_facts(self, intent: Intent) -> dict[str, Any]:
        """A leads target, the worst case or the CPL ahead asked: their figures from the stored forecast
        (the campaign's when one of this account's is named)."""
        cid = intent.campaign_id
        if intent.name != "forecast" or (cid is not None and not self.ctx.owns(cid)):
            return {}
        if intent.ask == "target" and intent.threshold is not None:
            return {"_leads_target": leads_target_figures(self.ctx, intent.threshold, intent.period_ref, cid)}
        if intent.ask == "worst_case":
            return {"_worst_case": worst_case_figures(self.ctx, cid)}
        if intent.ask == "cpl_next":
            return {"_cpl_next": cpl_next_figures(self.ctx, cid)}
        return {}

    def _days_asked(self, intent: Intent) -> list[dict[str, Any]]:
        """Each day named ("ontem e anteontem"): the day, whether the source covers it, and its figures
        from the source (the campaign's when one is named)."""
        through, today = self.ctx.data_through(), _today(self.ctx)
        first = first_insight_day(self.ctx.engine, self.ctx.config_id)
        cid = intent.campaign_id if intent.campaign_id and self.ctx.owns(intent.campaign_id) else None
        found = []
        for ref in intent.day_refs:
            day = resolve_day(ref, today)
            if day is None:
                continue
            status = day_status(day, through, first)
            figures = source_figures(self.ctx, day, day, cid) if status in {"ok", "today"} else None
            found.append({"day": day, "status": status, "figures": figures})
        return found

    def _best_day_facts(self, intent: Intent) -> dict[str, Any]:
        """The period whose days are ranked (the last 30 complete days unless one is asked), clipped to
        the days the source covers, and each day's figures."""
        through = self.ctx.data_through()
        period = resolve_period(intent.period_ref, through) or resolve_period(
            f"ultimos {BEST_DAY_SPAN} dias", through
        )
        first = first_insight_day(self.ctx.engine, self.ctx.config_id)
        facts: dict[str, Any] = {"_period": period, "_first_day": first}
        start, end = max(period.first, first or period.first), min(period.last, through)
        if first is not None and start <= end:
            facts["_days"] = day_by_day(self.ctx, start, end)
        return facts

    def ask(self, message: str, history: Sequence[ChatTurn] = (), intent: Intent | None = None) -> AgentReply:
        return drain(self.stream(message, history, intent))


def drain(events: Iterator[AgentEvent]) -> AgentReply:
    reply = None
    for event in events:
        if event.kind == "done":
            reply = event.reply
    if reply is None:  # a stream always ends with "done"; this guards a broken implementation
        raise RuntimeError("agent stream ended without a reply")
    return reply
