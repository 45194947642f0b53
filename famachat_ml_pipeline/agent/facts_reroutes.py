"""The facts of the asks intents_reroutes routes (`reroute_facts`): each from its topic's facts module;
None when the intent is none of them."""

from __future__ import annotations

from typing import Any

from famachat_ml_pipeline.agent.facts_budget import (
    leads_cost_figures,
    pacing_figures,
    pause_savings_figures,
    spend_weeks_figures,
)
from famachat_ml_pipeline.agent.facts_budget_move import budget_move_figures
from famachat_ml_pipeline.agent.facts_campaign_health import reactivations_figures
from famachat_ml_pipeline.agent.facts_history import campaign_age_figures, paused_back_figures
from famachat_ml_pipeline.agent.facts_month_rank import month_rank_figures
from famachat_ml_pipeline.agent.facts_months import (
    month_ahead_figures,
    period_campaigns_figures,
    period_summary_figures,
)
from famachat_ml_pipeline.agent.facts_stability import stability_figures
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_periods import resolve_period
from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.agent.tools.classification import blockers_of


def reroute_facts(ctx: ToolContext, intent: Intent) -> dict[str, Any] | None:
    cid = intent.campaign_id
    owned = cid is not None and ctx.owns(cid)
    if intent.name == "cpl_stability":
        return {"_cpl_stability": stability_figures(ctx)}
    if intent.name == "month_rank":
        return {"_month_rank": month_rank_figures(ctx)}
    if intent.name == "campaign_age":
        return {"_campaign_age": campaign_age_figures(ctx)}
    if intent.name == "compare" and intent.metric == "budget_move":  # "tirar verba da 11 e pôr na 4?"
        ids = intent.campaign_ids
        return {"_budget_move": budget_move_figures(ctx, *ids) if len(ids) == 2 else None}
    if intent.name == "paused" and intent.metric == "reactivate_which":
        return {"_reactivations": reactivations_figures(ctx)}
    if intent.name == "paused" and intent.metric == "back":
        return {"_paused_back": paused_back_figures(ctx)}
    period = resolve_period(intent.period_ref, ctx.data_through())
    if intent.name == "pause_savings" and owned and cid:
        # its advice said last as "devo pausar a 20?" says it: what holds its pause (was "vale considerar
        # pausar" where that said "Ainda não", the pause held behind an open tracking alert)
        return {
            # "quanto perdi com a 14 semana passada?": that period's loss (the saving is a week's)
            "_pause_savings": pause_savings_figures(ctx, cid, period if intent.ask == "lost" else None),
            "_cut_blockers": blockers_of(ctx, [cid])[cid],
        }
    if intent.name == "pause_savings":
        return {"_pause_savings": None}
    if intent.name == "budget" and intent.ask in {"pacing", "no_budget"}:
        return {"_pacing": pacing_figures(ctx)}
    if intent.name == "budget" and intent.ask in {"spending_much", "spending_little"}:
        return {"_pacing": pacing_figures(ctx), "_spend_weeks": spend_weeks_figures(ctx)}
    if intent.name == "leads_cost":
        return {"_leads_cost": leads_cost_figures(ctx, intent.threshold or 0.0, month=intent.ask == "month")}
    if intent.name == "month_ahead":
        return {"_month_ahead": month_ahead_figures(ctx, intent.ask or "")}
    if intent.name == "period_campaigns":
        return {"_period_campaigns": period_campaigns_figures(ctx, intent.period_ref)}
    if intent.name == "period_summary":
        return {"_period_summary": period_summary_figures(ctx, intent.period_ref)}
    return None
