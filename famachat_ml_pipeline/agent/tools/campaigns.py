"""Tools over single campaigns and the campaign list (source campaigns + latest features and tiers)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from famachat_ml_pipeline.agent.tools.anomalies import AnomalyRow, anomaly_rows
from famachat_ml_pipeline.agent.tools.context import (
    MAX_ROWS,
    NotFound,
    ToolContext,
    ToolInput,
    ToolOutput,
    rnd,
)
from famachat_ml_pipeline.agent.tools.scale_gate import scale_blockers
from famachat_ml_pipeline.core.features import WINDOWS
from famachat_ml_pipeline.core.vocab import GOOD_NEWS_ANOMALIES, INACTIVE_STATUSES
from famachat_ml_pipeline.db import agent_queries as q

FEATURE_WINDOW = 7  # the window the tiers are computed on; its JSON also carries the 14/30-day figures


class CampaignMetrics(ToolOutput):
    campaign_id: str
    name: str
    status: str | None
    tier: str | None
    daily_budget: str | None
    spend_7d: str | None
    leads_7d: int | None
    cpl_7d: str | None
    ctr_7d: str | None
    frequency_7d: float | None
    cpl_30d: str | None
    leads_30d: int | None
    cpl_trend: str | None  # CPL of the last 7 days vs the 7 before
    leads_trend: str | None


def is_active(c: dict[str, Any]) -> bool:
    return c.get("status") not in INACTIVE_STATUSES and c.get("effective_status") not in INACTIVE_STATUSES


def _int(v: Any) -> int | None:
    return None if v is None else int(v)


METRIC_FORMATS = {
    "daily_budget": "money",
    "spend_7d": "money",
    "cpl_7d": "money",
    "cpl_30d": "money",
    "ctr_7d": "pct2",
    "cpl_trend": "pct0",
    "leads_trend": "pct0",
}


def metrics_rows(
    ctx: ToolContext, ids: list[str], feats: dict[str, dict[str, Any]], tiers: dict[str, str]
) -> list[CampaignMetrics]:
    """One row per campaign id, its money and percentages formatted in one pass."""
    raw = [
        {
            **{k: feats.get(cid, {}).get(k) for k in METRIC_FORMATS},
            "daily_budget": ctx.campaigns.get(cid, {}).get("daily_budget"),
        }
        for cid in ids
    ]
    out = []
    for cid, f in zip(ids, ctx.fmt(raw, METRIC_FORMATS), strict=True):
        c, x = ctx.campaigns.get(cid, {}), feats.get(cid, {})
        out.append(
            CampaignMetrics(
                campaign_id=cid,
                name=ctx.name_of(cid),
                status=c.get("effective_status") or c.get("status"),
                tier=tiers.get(cid),
                daily_budget=f["daily_budget"],
                spend_7d=f["spend_7d"],
                leads_7d=_int(x.get("leads_7d")),
                cpl_7d=f["cpl_7d"],
                ctr_7d=f["ctr_7d"],
                frequency_7d=rnd(x.get("frequency_7d")),
                cpl_30d=f["cpl_30d"],
                leads_30d=_int(x.get("leads_30d")),
                cpl_trend=f["cpl_trend"],
                leads_trend=f["leads_trend"],
            )
        )
    return out


def account_state(ctx: ToolContext) -> tuple[dict[str, dict[str, Any]], dict[str, str], dt.date | None]:
    """(campaign_id -> latest 7-day features, campaign_id -> tier, as-of day) of this account."""
    feats = latest_features(ctx)
    tiers = {r["campaign_id"]: r["tier"] for r in q.read_latest_classifications(ctx.engine, ctx.config_id)}
    as_of = feats[0]["feature_date"] if feats else None
    return {r["campaign_id"]: r["features"] or {} for r in feats}, tiers, as_of


def latest_features(ctx: ToolContext) -> list[dict[str, Any]]:
    """The account's latest ml_features rows of the tiers' window. A run writes one row per campaign and
    window, which bounds the read (see agent_queries.read_latest_features)."""
    max_rows = len(WINDOWS) * max(len(ctx.campaigns), 1)
    return q.read_latest_features(ctx.engine, ctx.config_id, FEATURE_WINDOW, max_rows)


class CampaignInput(ToolInput):
    campaign_id: str = Field(min_length=1, max_length=100, description="id da campanha no Meta (texto)")


class CampaignDetails(CampaignMetrics):
    objective: str | None
    as_of: dt.date | None
    # days of the 7 whose source rows were set aside: the 7-day figures cover only the other days
    days_set_aside_7d: int
    # the account's 7-day CPL and this campaign's over it: "devo pausar?" weighs it without a recommendation
    account_cpl_7d: str | None
    cpl_vs_account: float | None
    active_recommendations: list[str]
    active_recommendation_types: list[str] = []  # "posso escalar?": whether a SCALE_UP is active
    open_anomalies: list[AnomalyRow]  # structured, so the answer words them like the account's anomalies
    open_anomalies_total: int = 0  # all of them in the 7 days; `open_anomalies` holds the first 5
    # the CRITICAL ones that are problems, not good news: "posso escalar?" is no while there are any
    critical_problems_7d: int = 0
    # a high performer without scale advice: what holds it back (scale_gate), pt-BR
    scale_blockers: list[str] = []


def get_campaign_details(ctx: ToolContext, inp: CampaignInput) -> CampaignDetails | NotFound:
    """Detalhes de uma campanha: status, orçamento, tier, métricas de 7/30 dias, recomendações e anomalias."""
    if not ctx.owns(inp.campaign_id):
        return NotFound(message="Essa campanha não existe nesta conta.")
    feats, tiers, as_of = account_state(ctx)
    (base,) = metrics_rows(ctx, [inp.campaign_id], feats, tiers)
    own_recs = [
        r
        for r in q.read_active_recommendations(ctx.engine, ctx.config_id)
        if r["entity_id"] == inp.campaign_id
    ]
    recs = [r["title"] for r in own_recs]
    since = ctx.data_through() - dt.timedelta(days=6)
    anomalies = [
        a
        for a in q.read_recent_anomalies(ctx.engine, ctx.config_id, since)
        if a["entity_id"] == inp.campaign_id
    ]
    f = feats.get(inp.campaign_id, {})
    acc, own = f.get("account_cpl_7d"), f.get("cpl_7d")  # the features' own account CPL of the window
    ratio = float(own) / float(acc) if acc and own is not None else None
    known = f.get("days_with_data_7d")  # absent from rows written before it existed
    types = {r["recommendation_type"] for r in own_recs}
    blockers = []
    if tiers.get(inp.campaign_id) == "HIGH_PERFORMER" and not types & {"SCALE_UP", "BUDGET_INCREASE"}:
        blockers = scale_blockers(f, ctx.campaigns[inp.campaign_id].get("daily_budget"), ctx.money)
    return CampaignDetails(
        **base.model_dump(),
        objective=ctx.campaigns[inp.campaign_id].get("objective"),
        as_of=as_of,
        days_set_aside_7d=0 if known is None else int(f.get("days_in_window_7d") or 0) - int(known),
        account_cpl_7d=ctx.fmt1({"cpl": acc}, {"cpl": "money"})["cpl"],
        cpl_vs_account=rnd(ratio, 4),  # said with one decimal ("2,9x"): two here would round it twice
        active_recommendations=recs[:5],
        active_recommendation_types=sorted(types),
        open_anomalies=anomaly_rows(ctx, anomalies[:5]),
        open_anomalies_total=len(anomalies),
        critical_problems_7d=sum(
            a["severity"] == "CRITICAL" and a["anomaly_type"] not in GOOD_NEWS_ANOMALIES for a in anomalies
        ),
        scale_blockers=blockers,
    )


class ListCampaignsInput(ToolInput):
    status: Literal["all", "active", "inactive"] = "all"
    limit: int = Field(default=MAX_ROWS, ge=1, le=MAX_ROWS)
    cpl_above: float | None = Field(
        default=None,
        ge=0,
        description="só as campanhas com CPL de 7 dias acima deste valor (maior CPL primeiro)",
    )
    cpl_below: float | None = Field(
        default=None,
        ge=0,
        description="só as campanhas com CPL de 7 dias abaixo deste valor (menor CPL primeiro)",
    )
    no_leads: bool = Field(
        default=False,
        description="só as campanhas que gastaram nos 7 dias sem nenhum lead (mais gasto primeiro)",
    )
    by_cpl: bool = Field(
        default=False,
        description="só as campanhas com leads nos 7 dias, do menor CPL de 7 dias ao maior",
    )


class CampaignList(ToolOutput):
    as_of: dt.date | None
    total: int
    campaigns: list[CampaignMetrics]
    # with cpl_above: the campaigns that spent in the 7 days with no lead (their CPL is no number)
    without_leads: list[CampaignMetrics] = []


def _cpl_7d(f: dict[str, Any]) -> float | None:
    """The 7-day CPL of a campaign with leads in the window; None without a lead."""
    if not int(f.get("leads_7d") or 0) or f.get("cpl_7d") is None:
        return None
    return float(f["cpl_7d"])


def list_campaigns(ctx: ToolContext, inp: ListCampaignsInput) -> CampaignList:
    """Lista as campanhas da conta com status, tier e métricas de 7 dias (mais gasto primeiro)."""
    feats, tiers, as_of = account_state(ctx)
    ids = [
        cid
        for cid, c in ctx.campaigns.items()
        if inp.status == "all" or (inp.status == "active") == is_active(c)
    ]
    ids.sort(key=lambda cid: -float(feats.get(cid, {}).get("spend_7d") or 0.0))
    idle: list[str] = []
    if inp.no_leads:  # spent in the 7 days, not one lead: already sorted by spend
        ids = [
            cid
            for cid in ids
            if float(feats.get(cid, {}).get("spend_7d") or 0) > 0
            and not int(feats.get(cid, {}).get("leads_7d") or 0)
        ]
    if inp.cpl_above is not None or inp.cpl_below is not None:
        cpl = {cid: _cpl_7d(feats.get(cid, {})) for cid in ids}
        idle = [
            cid
            for cid in ids
            if inp.cpl_above is not None
            and cpl[cid] is None
            and float(feats.get(cid, {}).get("spend_7d") or 0) > 0
        ]
        ids = [
            cid
            for cid in ids
            if (c := cpl[cid]) is not None
            and (inp.cpl_above is None or c > inp.cpl_above)
            and (inp.cpl_below is None or c < inp.cpl_below)
        ]
        ids.sort(key=lambda cid: (cpl[cid] or 0.0) * (1 if inp.cpl_above is None else -1))
    elif inp.by_cpl:  # "as 5 melhores campanhas": the cheapest leads of all, not the 20 that spent most
        cpl = {cid: _cpl_7d(feats.get(cid, {})) for cid in ids}
        ids = sorted((cid for cid in ids if cpl[cid] is not None), key=lambda cid: cpl[cid] or 0.0)
    return CampaignList(
        as_of=as_of,
        total=len(ids),
        campaigns=metrics_rows(ctx, ids[: inp.limit], feats, tiers),
        without_leads=metrics_rows(ctx, idle[: inp.limit], feats, tiers),
    )
