"""The tool calls each intent needs (`gather_data`): the same tools, through the same registry, the model
would call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from famachat_ml_pipeline.agent.facts_source import current_day, month_end
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_asks import WHY_ADVICE_ASKS, month_end_asked
from famachat_ml_pipeline.agent.intents_periods import resolve_day, resolve_period, this_week_asked
from famachat_ml_pipeline.agent.tools import ToolContext, run_tool
from famachat_ml_pipeline.agent.tools.anomalies import ACKNOWLEDGED_DAYS, WORRY_DAYS
from famachat_ml_pipeline.agent.tools.context import MAX_ROWS
from famachat_ml_pipeline.agent.types import ToolCall
from famachat_ml_pipeline.db import agent_queries as q


def _call(ctx: ToolContext, name: str, args: dict[str, Any]) -> ToolCall:
    return ToolCall(name=name, input=args, output=run_tool(ctx, name, args))


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


def _month_end_plan(ctx: ToolContext) -> list[tuple[str, dict[str, Any]]]:
    """ "Quanto vou gastar até o fim do mês?": the stored forecasts of the days after the last complete
    day up to the month's last day (none when the last complete day ends the month)."""
    through = ctx.data_through()
    last = month_end(current_day(ctx))  # today's month: on its 1st, all of it is ahead
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


def _decision_alerts(ask: str | None) -> list[tuple[str, dict[str, Any]]]:
    """An alert to acknowledge: the week's open ones, with their ids; the alerts acknowledged: the last 30
    days' of them."""
    if ask == "acknowledge":
        return [("get_anomalies", {"days": 7, "limit": MAX_ROWS})]
    if ask == "acknowledged":
        return [("get_anomalies", {"days": ACKNOWLEDGED_DAYS, "limit": MAX_ROWS, "only_acknowledged": True})]
    return []


def gather_data(ctx: ToolContext, intent: Intent) -> list[ToolCall]:
    """Run the tools an intent needs, through the same registry the model uses."""
    cid = intent.campaign_id
    day = resolve_day(intent.day_ref, current_day(ctx))
    # "teve anomalia essa semana?": the calendar week's days (last week's on a Monday), else the 7 days
    week = this_week_asked(intent.period_ref, ctx.data_through())
    days = (week.last - week.first).days + 1 if week else 7
    # "qual meu roi em novembro?": the ROI of that period's complete days (was the last 30 days)
    period = resolve_period(intent.period_ref, ctx.data_through()) if intent.name == "roi" else None
    asked = {"first_day": period.first, "last_day": period.last} if period else {}
    # "quais alertas tenho?": one line a campaign and kind, its days said (was one LOW alert four times)
    anomalies: list[tuple[str, dict[str, Any]]] = [
        ("get_anomalies", {"days": days, "limit": 5, "group_repeats": True})
    ]
    if intent.ask == "problems":  # "teve algum problema essa semana?": every one of the 7 days, to count
        anomalies = [("get_anomalies", {"days": 7, "limit": MAX_ROWS})]
    if intent.ask in {
        "critical",
        "gravest",
    }:  # "teve algum problema crítico?": every CRITICAL one of those days
        grouped = {"days": days, "limit": MAX_ROWS, "group_repeats": True}
        anomalies.insert(0, ("get_critical_anomalies", grouped))
    if (intent.ask or "").startswith("anomaly_type:"):  # "por que o alerta de gasto zerado?": the 30 days'
        kind = (intent.ask or "").split(":", 1)[1]
        by_type = {"anomaly_type": kind, "days": 30, "limit": 5, "group_repeats": True}
        anomalies.insert(0, ("get_anomalies_by_type", by_type))
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
            # "quanto eu economizo?" after its advice: the savings its cuts state
            *(
                [("get_recommendations", {"limit": MAX_ROWS})]
                if intent.ask in {*WHY_ADVICE_ASKS, "savings"}
                else []
            ),
        ]
        if cid
        else [
            ("get_recommendations", {"limit": MAX_ROWS}),
            ("get_underperformers", {"limit": 5, "include_low": False}),
        ]
        if intent.metric == "cut"
        else [("get_recommendations", {"limit": MAX_ROWS}), ("get_high_performers", {"limit": 5})]
        if intent.metric == "scale"
        else [
            ("get_recommendations", {"limit": MAX_ROWS if intent.ask == "savings" else 5}),
            # "o que mais preocupa?": the last days' CRITICAL alerts come before any advice
            *(
                [("get_critical_anomalies", {"days": WORRY_DAYS, "limit": MAX_ROWS, "group_repeats": True})]
                if intent.ask == "urgent" and intent.metric == "worry"
                else []
            ),
        ],
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
            # "quanto devo investir amanhã?": what the active cuts save, with the forecast
            *([("get_recommendations", {"limit": MAX_ROWS})] if intent.ask == "invest" else []),
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
        # a CTR ranked: the account's 7-day CTR too, the reference each campaign's reads against
        # ("ctr abaixo de 1%": the same list, the limit applied to its CTRs by the answer)
        "cpl_rank": [("list_campaigns", {"limit": 20})]
        + ([("analyze_trends", {})] if intent.metric in {"ctr_low", "ctr_high"} else [])
        if intent.threshold is None or intent.metric in {"ctr_low", "ctr_high"}
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
                {"value_per_lead": intent.value_per_lead, **({"campaign_id": cid} if cid else {}), **asked},
            )
        ]
        if intent.value_per_lead
        # "a 12 tá dando lucro?" with no value of a lead: its CPL (the account's), the break-even to weigh
        else [("get_campaign_details", {"campaign_id": cid})]
        if cid
        else [("get_account_summary", {})],
        "compare": [("compare_campaigns", {"campaign_ids": list(intent.campaign_ids[:5])})]
        if len(intent.campaign_ids) >= 2
        else [("list_campaigns", {"limit": 8})],
        "list_campaigns": [
            ("list_campaigns", {"limit": 20, "status": "active" if intent.metric == "active" else "all"})
        ],
        # "o ctr da 17 despencou, o que houve?": her open alerts after her move (her card holds them)
        "trends": [("analyze_trends", {"campaign_id": cid} if cid else {})]
        + ([("get_campaign_details", {"campaign_id": cid})] if cid and intent.ask == "what_happened" else []),
        # "qual o cpl ideal?": the campaigns too, the CPL range of the cheapest said beside the account's
        "performance": [("analyze_trends", {})]
        + ([("list_campaigns", {"limit": 20})] if intent.ask == "ideal" else []),
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
        # their ids (the open alerts' for an alert acknowledged); the decided, in the facts
        "decisions": [
            ("get_recommendations", {"limit": MAX_ROWS}),
            *_decision_alerts(intent.ask),
        ],
        # intents_reroutes' asks: their figures in the facts (facts_reroutes); the advice of a pause asked
        "pause_savings": [("get_campaign_details", {"campaign_id": cid or ""})],
        "campaign_age": [],
        "month_rank": [],  # the source's months, in the facts
        "cpl_stability": [],  # the source's 14 days, in the facts
        "month_ahead": [],
        "leads_cost": [],
        "period_campaigns": [],
        "period_summary": [],
    }
    return [_call(ctx, name, args) for name, args in plan[intent.name]]
