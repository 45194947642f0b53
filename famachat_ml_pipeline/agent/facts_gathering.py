"""The facts an answer needs besides the tools' outputs (`gather_facts`): the day or period asked,
whether the source covers it, and the figures of the topic asked, each from its facts module."""

from __future__ import annotations

import datetime as dt
from typing import Any

from famachat_ml_pipeline.agent.facts_campaign_day import campaign_day_judged
from famachat_ml_pipeline.agent.facts_campaign_health import (
    frequency_figures,
    reactivation_figures,
    tracking_figures,
)
from famachat_ml_pipeline.agent.facts_days import (
    BEST_DAY_SPAN,
    day_by_day,
    weekday_figures,
    weekend_judged_figures,
)
from famachat_ml_pipeline.agent.facts_forecast import (
    cpl_day_figures,
    cpl_next_figures,
    leads_target_figures,
    weekend_forecast_figures,
    weekend_period,
    worst_case_figures,
)
from famachat_ml_pipeline.agent.facts_forecast_record import forecast_record_figures
from famachat_ml_pipeline.agent.facts_growth import growth_figures
from famachat_ml_pipeline.agent.facts_history import campaign_span
from famachat_ml_pipeline.agent.facts_idle import idle_figures, zero_lead_runs
from famachat_ml_pipeline.agent.facts_periods import (
    days_change,
    period_move_figures,
    periods_figures,
    weeks_figures,
)
from famachat_ml_pipeline.agent.facts_reroutes import reroute_facts
from famachat_ml_pipeline.agent.facts_source import (
    account_cpl_7d,
    campaign_figures,
    current_day,
    day_status,
    source_figures,
    target_figures,
    vs_account_figures,
)
from famachat_ml_pipeline.agent.facts_stopped import (
    STOPPED_SPAN,
    WHY_STOPPED_SPAN,
    delivery_figures,
    leads_stopped_figures,
    stopped_active_figures,
    stopped_figures,
)
from famachat_ml_pipeline.agent.facts_talk import budget_now, daily_budget_figures, decided_figures
from famachat_ml_pipeline.agent.facts_tiers import tier_figures
from famachat_ml_pipeline.agent.facts_today import today_cpl_figures
from famachat_ml_pipeline.agent.facts_verdicts import (
    budget_figures,
    cpl_history_figures,
    cut_figures,
    day_move_figures,
    first_cut_figures,
    learning_figures,
    saturation_figures,
)
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_asks import WHY_ADVICE_ASKS, month_end_asked
from famachat_ml_pipeline.agent.intents_periods import (
    MONTHS,
    Period,
    invalid_day,
    periods_asked,
    resolve_day,
    resolve_period,
    this_month,
    this_week_asked,
    weeks_asked,
)
from famachat_ml_pipeline.agent.intents_reroutes import DAYS_COMPARED
from famachat_ml_pipeline.agent.intents_trends import day_move_metric
from famachat_ml_pipeline.agent.intents_verdicts import rate_judged
from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.agent.tools.classification import blockers_of
from famachat_ml_pipeline.source.read import first_insight_day

# the intents that rank campaigns: a day or period asked ranks them by that day's or period's figures
RANKED = {"list_campaigns": "spend", "top": "leads", "cpl_rank": "cpl"}


def gather_facts(ctx: ToolContext, intent: Intent) -> dict[str, Any]:
    """The day or period asked, whether the source covers it, and its figures from the source."""
    through, today = ctx.data_through(), current_day(ctx)
    day = resolve_day(intent.day_ref, today)
    # the account's currency: a sum or a gap of two things compared is said in it (`answers_gap`)
    facts: dict[str, Any] = {"_through": through, "_day": day, "_currency": ctx.currency}
    if (rerouted := reroute_facts(ctx, intent)) is not None:
        facts.update(rerouted)
        if intent.name == "budget":  # "dentro do orçamento?": the days over Meta's margin too
            facts["_budget"] = budget_figures(ctx)
        return facts
    if intent.name == "forecast" and intent.ask == "trust":  # measured now: the pipeline stores none
        facts["_forecast_record"] = forecast_record_figures(ctx)
    if invalid_day(intent.day_ref, today):
        facts["_invalid_day"] = intent.day_ref
    if intent.threshold is not None:  # "CPL acima de R$ 50", in the account's currency
        facts["_threshold"] = ctx.fmt1({"v": intent.threshold}, {"v": "money"})["v"]
    if intent.name == "cpl_rank" and (
        intent.ask == "account_too" or (intent.ask or "").startswith("vs_account:")
    ):
        cpl = account_cpl_7d(ctx)
        facts["_account_cpl"] = (cpl, ctx.fmt1({"v": cpl}, {"v": "money"})["v"]) if cpl is not None else None
    # "qual campanha gastou mais ontem?": the campaigns ranked by that day's figures
    ranked = (
        RANKED.get(intent.name) == "spend"
        and intent.metric in {"spend", "spend_low"}
        or (intent.name in {"top", "cpl_rank"} and intent.threshold is None)
        # "a pior campanha em outubro": the campaigns ranked by that period's CPL
        or (intent.name == "underperformers" and intent.metric == "worst")
        # "compara a 20 com a 25" then "e semana passada?": the campaigns' figures of that period
        or (intent.name == "compare" and bool(intent.day_ref or intent.period_ref))
        # "quanto gastei com as pausadas esse mês?": the paused ones' figures of that period
        or (intent.name == "paused" and not intent.campaign_id and bool(intent.day_ref or intent.period_ref))
    )
    figures = intent.name in {"performance", "summary"} or (
        intent.name == "campaign_details" and intent.campaign_id
    )
    figures = figures or ranked or intent.name == "daily_average" or month_end_asked(intent.metric)
    figures = figures or (intent.name == "performance" and intent.metric == "cvr")
    if intent.name == "trends" and intent.campaign_id and ctx.owns(intent.campaign_id):
        facts["_campaign_name"] = ctx.name_of(intent.campaign_id)
    if intent.name == "trends" and weeks_asked(intent.metric):  # "o CPL subiu essa semana?" too
        cid = intent.campaign_id
        if cid is None or ctx.owns(cid):  # another account's campaign: analyze_trends says so
            facts["_weeks"] = weeks_figures(ctx, cid)
        if (intent.metric or "").endswith("_which"):  # "qual campanha piorou mais essa semana?"
            w = facts["_weeks"]["weeks"]
            facts["_weeks_campaigns"] = [campaign_figures(ctx, p.first, p.last) for p in (w.before, w.now)]
        return facts
    if intent.name == "trends" and (intent.metric or "").startswith("growth_"):
        # "qual campanha mais cresceu esse mês / essa semana?": each campaign's figure per day, the period
        # asked and the one before
        figure = (intent.metric or "").removeprefix("growth_")
        return {**facts, "_growth": growth_figures(ctx, figure, intent.period_ref or "esse mes")}
    if intent.name == "trends" and (intent.metric or "").startswith("period_"):
        cid = intent.campaign_id
        if cid is not None and not ctx.owns(cid):  # another account's campaign: analyze_trends says so
            return facts
        return {**facts, "_period_move": period_move_figures(ctx, intent.period_ref, cid)}
    if intent.name == "anomalies" and (week := this_week_asked(intent.period_ref, through)):
        if weeks_asked(intent.metric):  # "por que o CPL subiu essa semana?": the factors over the weeks
            facts["_weeks"] = weeks_figures(ctx, None)
            if (intent.metric or "").startswith(("week_spend_", "week_leads_")):
                # "por que o gasto caiu?": the campaigns that moved it most, over the same weeks
                w = facts["_weeks"]["weeks"]
                facts["_weeks_campaigns"] = [
                    campaign_figures(ctx, p.first, p.last) for p in (w.before, w.now)
                ]
        return {**facts, "_period": week}  # the anomalies' window, named with its days
    if intent.name == "best_day":
        return {**facts, **_best_day_facts(ctx, intent)}
    if intent.name == "anomalies" and (intent.metric or "").startswith("today_cpl_") and day == today:
        # "por que o cpl subiu hoje?": today so far against the days before it (anomalies need a whole day)
        facts["_today_cpl"] = today_cpl_figures(ctx, today)
    facts.update(_verdict_facts(ctx, intent, day))
    if intent.metric == "no_leads" and not (day or intent.period_ref):  # the last days without a lead too
        facts["_zero_runs"] = zero_lead_runs(ctx)
    if intent.name == "underperformers" and intent.metric == "no_leads" and (day or intent.period_ref):
        facts["_idle"] = idle_figures(ctx, day, intent.period_ref)  # "sem lead desde sexta?": those days
    facts.update(_forecast_facts(ctx, intent))
    if intent.day_refs:  # "ontem e anteontem": each day's figures, in the order asked
        facts["_days_asked"] = _days_asked(ctx, intent)
        if intent.ask in {
            *DAYS_COMPARED,
            "difference",
            "sum",
        }:  # a gap or a sum asked of them after  # "ontem vs o mesmo dia da semana passada": the change too
            facts["_days_change"] = days_change(ctx, facts["_days_asked"], intent.campaign_id)
    if intent.name == "tracking":
        return {**facts, "_tracking": tracking_figures(ctx)}
    if intent.name == "weekday":  # "qual o melhor dia da semana dela?": that campaign's rows alone
        if intent.campaign_id and not ctx.owns(intent.campaign_id):
            return {**facts, "_weekdays": None}  # another account's id: not found, never the account's
        return {**facts, "_weekdays": weekday_figures(ctx, intent.campaign_id)}
    if intent.name == "frequency":
        return {**facts, "_frequency": frequency_figures(ctx)}
    if intent.name == "budget" and intent.ask == "budget_total":
        return {**facts, "_daily_budget": daily_budget_figures(ctx)}
    if intent.name == "budget":
        return {**facts, "_budget": budget_figures(ctx)}
    if intent.name == "decisions":
        cid = intent.campaign_id if intent.campaign_id and ctx.owns(intent.campaign_id) else None
        facts.update(_decided=decided_figures(ctx), _campaign_name=cid and ctx.name_of(cid))
        return facts
    if intent.name == "recommendations" and intent.ask == "how_much" and intent.campaign_id is None:
        # "quanto devo aumentar?": each campaign's daily budget, for the step of each one advised to scale
        budgets = {cid: c.get("daily_budget") for cid, c in ctx.campaigns.items()}
        facts["_budgets"] = {cid: ctx.money(b) if b else None for cid, b in budgets.items()}
    if intent.ask in {"left_to_spend", "invest"}:  # no budget target stored: the daily budgets' pace
        facts["_daily_budget"] = daily_budget_figures(ctx)
    if intent.name == "learning":
        return {**facts, "_learning": learning_figures(ctx)}
    if intent.name == "tier":
        return {**facts, "_tiers": tier_figures(ctx, intent.campaign_id)}
    owned = intent.campaign_id is not None and ctx.owns(intent.campaign_id)
    if intent.name == "campaign_details" and intent.keyword == "frequency" and owned:
        facts["_saturation"] = saturation_figures(ctx, intent.campaign_id)  # "a 4 tá saturando?"
    cid = intent.campaign_id
    if intent.metric == "reactivate" and cid is not None and ctx.owns(cid):
        return {**facts, "_reactivation": reactivation_figures(ctx, cid)}
    if intent.name == "list_campaigns" and intent.ask == "stopped_which":
        return {**facts, "_stopped_which": stopped_active_figures(ctx)}
    if intent.name == "list_campaigns" and intent.ask == "delivering":
        return {**facts, "_delivering": delivery_figures(ctx)}
    if intent.name == "campaign_details" and intent.ask == "stopped_leads" and owned:
        return {**facts, "_leads_stopped": leads_stopped_figures(ctx, intent.campaign_id)}
    if (
        intent.name == "campaign_details"
        and intent.ask in {"stopped", "running", "stopped_why", "stopped_since"}
        and owned
    ):
        # "por que a 11 parou?": its last spend read further back (a pause may be weeks old)
        span = WHY_STOPPED_SPAN if intent.ask == "stopped_why" else STOPPED_SPAN
        return {**facts, "_stopped": stopped_figures(ctx, intent.campaign_id, span)}
    against_account = (intent.ask or "").startswith("vs_account") or intent.ask in {"share", "without"}
    if intent.name == "campaign_details" and against_account and owned:
        return {**facts, "_vs_account": _vs_account_facts(ctx, intent)}
    if not figures:
        return facts
    if intent.name == "compare" and periods_asked(intent.metric) and len(intent.period_refs) == 2:
        # "campanha 3 e 5 semana passada vs retrasada": each campaign's two periods (its rows only)
        by_campaign = {
            c: periods_figures(ctx, intent.period_refs, c) for c in intent.campaign_ids[:5] if ctx.owns(c)
        }
        return {**facts, "_periods_by_campaign": by_campaign}
    cid = intent.campaign_id if intent.name == "campaign_details" else None
    if cid is not None and not ctx.owns(cid):
        return {**facts, "_day": None}
    if periods_asked(intent.metric) and len(intent.period_refs) == 2:
        return {**facts, "_periods": periods_figures(ctx, intent.period_refs, cid)}
    if cid is not None and intent.keyword == "anomalies" and weeks_asked(intent.metric):
        # "por que o CPL da campanha 12 subiu essa semana?": that campaign's factors over the weeks
        facts.update(_weeks=weeks_figures(ctx, cid), _campaign_name=ctx.name_of(cid))
    period = resolve_period(intent.period_ref, through)
    if month_end_asked(intent.metric):  # what the month already holds (nothing on its 1st), and the forecast
        named, (period, day) = period, (this_month(through), None)
        if intent.period_ref in MONTHS and MONTHS.index(intent.period_ref) + 1 != period.first.month:
            facts["_goal_month"] = _goal_month(ctx, named, intent.ask == "goal_past", through)
    # "qual o cpm da campanha 4?": its rate of the tools' week, from the source (ml_features hold no CPM)
    rate_of_one = intent.name == "campaign_details" and intent.metric in {"cpm", "cpc", "cvr"}
    if (
        (intent.name == "daily_average" or intent.metric == "cvr" or rate_of_one)
        and day is None
        and period is None
    ):
        period = resolve_period("ultimos 7 dias", through)  # the tools' week, from the source
    if day is None and period is None:
        return facts
    first = first_insight_day(ctx.engine, ctx.config_id)
    facts["_first_day"] = first
    if day is not None:
        status = day_status(day, through, first)
        facts["_day_status"] = status
        if status in {"ok", "today"}:
            facts["_day_figures"] = source_figures(ctx, day, day, cid)
            if cid is not None and status == "ok" and intent.ask == "day_what":
                # "o que aconteceu com a campanha 9 ontem?": the day against its own 7 days before
                facts["_day_judged"] = campaign_day_judged(ctx, cid, day)
            if ranked:
                facts["_ranking"] = campaign_figures(ctx, day, day)
    if period is not None:
        facts["_period"] = period
        if (intent.ask or "").startswith("weekend_judged") and cid is None:
            # "o fds foi bom?": last weekend against the weekends before it, for a verdict
            facts["_weekend_judged"] = weekend_judged_figures(ctx, period.first, period.last)
        # only the days the source covers: a month not over yet, or begun before the data, is partial
        start, end = max(period.first, first or period.first), min(period.last, through)
        target = intent.metric == "month_end_target" and intent.threshold is not None
        if target and first is not None and start == through + dt.timedelta(days=1):  # the month's 1st
            facts["_target"] = target_figures(ctx, intent.threshold, start, through)
        if first is not None and start <= end:
            facts["_period_figures"] = source_figures(ctx, start, end, cid)
            if cid is not None and not facts["_period_figures"].get("days_with_data"):
                # "cpl da 12 mês passado" before it first spent: its first and last day with spend, to say
                # why the period has nothing (were its zeros, as if it had run without spending)
                facts["_campaign_span"] = campaign_span(ctx, cid)
            if target and end == through:
                facts["_target"] = target_figures(ctx, intent.threshold, start, end)
            if ranked and day is None:
                facts["_ranking"] = campaign_figures(ctx, start, end)
    return facts


def _vs_account_facts(ctx: ToolContext, intent: Intent) -> dict[str, Any] | None:
    """The campaign's CPL against the account's over the period asked (clipped to the days the source
    covers), else the last 7 complete days; None when the source has none of those days."""
    through = ctx.data_through()
    period = resolve_period(intent.period_ref, through)
    first = first_insight_day(ctx.engine, ctx.config_id)
    if period is None:
        start, end, label = through - dt.timedelta(days=6), through, None
    else:
        start, end, label = period.first, min(period.last, through), period.label
    start = max(start, first or start)
    if first is None or start > end or intent.campaign_id is None:
        return None
    return vs_account_figures(ctx, intent.campaign_id, start, end, label)


def _verdict_facts(ctx: ToolContext, intent: Intent, day: dt.date | None) -> dict[str, Any]:
    """ "Por que o CPL subiu ontem?": that complete day against the day before and a week earlier;
    "meu CPL tá bom?" (the account's): the 7 days' CPL, or the day's asked, against the account's own
    history; "quais campanhas devo pausar?": the figures behind each pause or cut advice."""
    through = ctx.data_through()
    found: dict[str, Any] = {}
    first = first_insight_day(ctx.engine, ctx.config_id) if day is not None else None
    status = day_status(day, through, first) if day is not None else None
    complete = status == "ok"
    if day_move_metric(intent.metric) and intent.campaign_id is None and complete:
        found["_day_move"] = day_move_figures(ctx, day)
    account = intent.campaign_id is None and not intent.names
    if intent.name == "performance" and (intent.metric or "").startswith("cpl_judge") and account:
        # "o cpl de hoje tá alto?": today's CPL so far against the days before it (said partial)
        if day is None or complete or status == "today":
            found["_cpl_history"] = {**cpl_history_figures(ctx, day), "partial": status == "today"}
        if complete:
            found["_day_move"] = day_move_figures(ctx, day)
    if intent.name == "performance" and (judged := rate_judged(intent.metric)) and account:
        found["_cpl_history"] = cpl_history_figures(ctx, None, judged[0])  # "o cpm tá caro?"
    if intent.name == "recommendations" and intent.metric == "cut" and intent.campaign_id is None:
        found["_cuts"] = cut_figures(ctx)
        if intent.ask == "first":
            found["_first_cut"] = first_cut_figures(ctx)
    cid = intent.campaign_id
    cut_asked = intent.metric == "cut" or intent.ask in WHY_ADVICE_ASKS
    if intent.name == "recommendations" and cid is not None and ctx.owns(cid) and cut_asked:
        # "por que não pausar a 20?": what keeps its pause or cut, as the pause list says it
        found["_cut_blockers"] = blockers_of(ctx, [cid])[cid]
    return found


def _forecast_facts(ctx: ToolContext, intent: Intent) -> dict[str, Any]:
    """A leads target, the worst case or the CPL ahead asked: their figures from the stored forecast
    (the campaign's when one of this account's is named)."""
    cid = intent.campaign_id
    if intent.name != "forecast" or (cid is not None and not ctx.owns(cid)):
        return {}
    if intent.metric == "budget_scaled":  # a what-if of the budget: the daily budget it changes, now
        return {"_budget_now": budget_now(ctx, cid)}
    if intent.ask == "target" and intent.threshold is not None:
        return {"_leads_target": leads_target_figures(ctx, intent.threshold, intent.period_ref, cid)}
    if intent.ask == "worst_case":
        return {"_worst_case": worst_case_figures(ctx, cid)}
    if intent.ask == "cpl_target":  # "consigo um cpl de 18 semana que vem?": the forecast's CPL against it
        return {"_cpl_ahead": cpl_next_figures(ctx, cid)}
    if intent.ask in {"cpl_next", "cpl_normal"}:
        return {"_cpl_next": cpl_next_figures(ctx, cid)}
    if intent.metric == "cpl" and cid is None and intent.ask is None and intent.day_ref is None:
        # "qual o cpl previsto?": the forecast's spend over its leads (no CPL of the account is forecast)
        return {"_cpl_ahead": cpl_next_figures(ctx, None)}
    day = resolve_day(intent.day_ref, current_day(ctx))
    if intent.metric == "cpl" and cid is None and intent.ask is None and day and day > ctx.data_through():
        return {"_cpl_day": cpl_day_figures(ctx, day)}  # "cpl previsto pra amanhã?": that day's ratio
    if cid is None and weekend_period(intent.period_ref):
        # "quanto vou gastar no fim de semana?": the next weekend's forecast (was the next 7 days' alone)
        return {"_weekend_forecast": weekend_forecast_figures(ctx)}
    return {}


def _days_asked(ctx: ToolContext, intent: Intent) -> list[dict[str, Any]]:
    """Each day named ("ontem e anteontem"): the day, whether the source covers it, and its figures
    from the source (the campaign's when one is named)."""
    through, today = ctx.data_through(), current_day(ctx)
    first = first_insight_day(ctx.engine, ctx.config_id)
    cid = intent.campaign_id if intent.campaign_id and ctx.owns(intent.campaign_id) else None
    found = []
    for ref in intent.day_refs:
        day = resolve_day(ref, today)
        if day is None:
            continue
        status = day_status(day, through, first)
        figures = source_figures(ctx, day, day, cid) if status in {"ok", "today"} else None
        found.append({"day": day, "status": status, "figures": figures})
    return found


def _goal_month(ctx: ToolContext, named: Period | None, past: bool, through: dt.date) -> dict[str, Any]:
    """A leads goal of a month other than today's: asked of the past ("bati 400 em novembro?"), that
    month's figures when it is over; otherwise one the stored forecast does not reach."""
    if named is None:
        return {"label": "esse mês", "over": False}
    over = past and named.last <= through
    figures = source_figures(ctx, named.first, named.last) if over else None
    return {"label": named.label, "over": over, "figures": figures}


def _best_day_facts(ctx: ToolContext, intent: Intent) -> dict[str, Any]:
    """The period whose days are ranked (the last 30 complete days unless one is asked), clipped to
    the days the source covers, and each day's figures."""
    through = ctx.data_through()
    period = resolve_period(intent.period_ref, through) or resolve_period(
        f"ultimos {BEST_DAY_SPAN} dias", through
    )
    first = first_insight_day(ctx.engine, ctx.config_id)
    facts: dict[str, Any] = {"_period": period, "_first_day": first}
    start, end = max(period.first, first or period.first), min(period.last, through)
    if first is not None and start <= end:
        facts["_days"] = day_by_day(ctx, start, end)
    return facts
