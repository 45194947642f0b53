"""Facts behind a tier question ("por que a campanha 11 está como MODERATE?", "o que falta pra virar
HIGH_PERFORMER?", "quais campanhas estão caindo de tier?"): each campaign's latest classification, the rule's
inputs stored with it (7-day CPL against the account's, leads, days with leads), what the next tier up asks
for at today's account CPL, and the model's next-week tier. Read from ml_campaign_classifications only."""

from __future__ import annotations

import math
from typing import Any

from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.core.tiers import (
    HIGH_MAX_RATIO,
    HIGH_MIN_DAYS_WITH_LEADS,
    LOW_MAX_RATIO,
    MODERATE_MAX_RATIO,
    MODERATE_MIN_LEADS,
)
from famachat_ml_pipeline.core.vocab import TIER_RANK
from famachat_ml_pipeline.db import agent_queries as q

# the tier one step up from each, with the CPL ratio it allows and the leads and days with leads it needs
NEXT_UP: dict[str, tuple[str, float, int, int]] = {
    "UNDERPERFORMER": ("LOW", LOW_MAX_RATIO, 1, 0),
    "LOW": ("MODERATE", MODERATE_MAX_RATIO, MODERATE_MIN_LEADS, 0),
    "MODERATE": ("HIGH_PERFORMER", HIGH_MAX_RATIO, 1, HIGH_MIN_DAYS_WITH_LEADS),
}


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def next_tier_goal(tier: str, spend: float, leads: int, account_cpl: float | None) -> dict[str, Any] | None:
    """What the next tier up asks of the 7 days at today's account CPL: the CPL ceiling, the most spend for
    the same leads and the fewest leads for the same spend (never under the tier's minimum of leads); None
    at the top tier or without an account CPL. Pure."""
    if tier not in NEXT_UP or not account_cpl:
        return None
    up, ratio, min_leads, min_days = NEXT_UP[tier]
    ceiling = ratio * account_cpl
    # the rule compares the ratio rounded to 9 decimals with <=: a campaign exactly on the line is in
    needed = max(math.ceil(round(spend / ceiling, 9)), min_leads) if ceiling > 0 else None
    return {
        "tier": up,
        "ratio": ratio,
        "cpl_max": ceiling,
        "spend_max": ceiling * leads if leads >= min_leads else None,
        "leads_min": needed,
        "min_leads": min_leads,
        "min_days": min_days,
    }


def tier_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each latest classification as the answer reads it: the rule's inputs from its snapshot, the goal of
    the next tier up, the model's next-week tier and whether that is a fall. Pure."""
    found = []
    for r in rows:
        snap = r.get("metrics_snapshot") or {}
        spend, leads = _num(snap.get("spend_7d")) or 0.0, int(snap.get("leads_7d") or 0)
        account_cpl = _num(snap.get("account_cpl_7d"))
        predicted = snap.get("predicted_next_tier")
        falls = predicted in TIER_RANK and TIER_RANK[predicted] < TIER_RANK.get(r["tier"], -1)
        found.append(
            {
                "campaign_id": r["campaign_id"],
                "tier": r["tier"],
                "previous_tier": r.get("previous_tier"),
                "direction": r.get("tier_change_direction"),
                "as_of": r.get("classified_at"),
                "spend": spend,
                "leads": leads,
                "cpl": _num(snap.get("cpl_7d")),
                "account_cpl": account_cpl,
                "ratio": _num(snap.get("cpl_ratio_7d")),
                "days_with_leads": int(snap.get("days_with_leads_7d") or 0),
                "predicted": predicted,
                "p_fall": _num(snap.get("p_fall")),
                "falls": falls,
                "goal": next_tier_goal(r["tier"], spend, leads, account_cpl),
            }
        )
    return found


_MONEY = ("spend", "cpl", "account_cpl")
_GOAL_MONEY = ("cpl_max", "spend_max")


def tier_figures(ctx: ToolContext, campaign_id: str | None) -> dict[str, Any]:
    """The account's latest tiers (one campaign's when asked), money formatted in the account's currency;
    `found` is False when the campaign asked is not this account's or has no classification."""
    rows = tier_rows(q.read_latest_classifications(ctx.engine, ctx.config_id))
    if campaign_id is not None:
        rows = [r for r in rows if r["campaign_id"] == campaign_id and ctx.owns(campaign_id)]
    money = dict.fromkeys(_MONEY, "money")
    shown = []
    for r in rows:
        row = {**r, **ctx.fmt1(r, money), "name": ctx.name_of(r["campaign_id"])}
        if r["goal"] is not None:
            row["goal"] = {**r["goal"], **ctx.fmt1(r["goal"], dict.fromkeys(_GOAL_MONEY, "money"))}
        shown.append(row)
    return {"campaign_id": campaign_id, "found": bool(shown), "campaigns": shown}
