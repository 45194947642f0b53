"""Tools over the campaign tiers (ml_campaign_classifications)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from famachat_ml_pipeline.agent.tools.context import (
    MAX_ROWS,
    NotFound,
    ToolContext,
    ToolInput,
    ToolOutput,
    rnd,
)
from famachat_ml_pipeline.agent.tools.cut_gate import cut_blockers
from famachat_ml_pipeline.core.vocab import TIER_RANK, TIERS
from famachat_ml_pipeline.db import agent_queries as q

Tier = Literal["HIGH_PERFORMER", "MODERATE", "LOW", "UNDERPERFORMER"]


class TierRow(ToolOutput):
    campaign_id: str
    name: str
    tier: Tier
    confidence: float | None
    spend_7d: str | None
    leads_7d: int | None
    cpl_7d: str | None
    ctr_7d: str | None
    cpl_vs_account: float | None  # the campaign's 7-day CPL over the account's
    account_cpl_7d: str | None
    reason: str | None  # the classifier's own note (English, as stored)
    previous_tier: str | None
    change: str | None
    # the critical tier: what keeps the pipeline from a pause or a cut (`cut_gate`), [] when nothing shown
    cut_blockers: list[str] = []


class TierList(ToolOutput):
    as_of: dt.date | None
    counts_by_tier: dict[str, int]
    total: int
    campaigns: list[TierRow]


TIER_FORMATS = {"spend_7d": "money", "cpl_7d": "money", "account_cpl_7d": "money", "ctr_7d": "pct2"}


def tier_rows(ctx: ToolContext, rows: list[dict[str, Any]]) -> list[TierRow]:
    raw = []
    for r in rows:
        snap = r.get("metrics_snapshot") or {}
        raw.append({**{k: snap.get(k) for k in TIER_FORMATS}, "leads_7d": snap.get("leads_7d")})
    out = []
    for r, f in zip(rows, ctx.fmt(raw, TIER_FORMATS), strict=True):
        snap = r.get("metrics_snapshot") or {}
        out.append(
            TierRow(
                campaign_id=r["campaign_id"],
                name=ctx.name_of(r["campaign_id"]),
                tier=r["tier"],
                confidence=rnd(r["confidence_score"]),
                spend_7d=f["spend_7d"],
                leads_7d=None if f["leads_7d"] is None else int(f["leads_7d"]),
                cpl_7d=f["cpl_7d"],
                ctr_7d=f["ctr_7d"],
                # said with one decimal ("2,9x"): two here would round it twice ("3,0x" from 2,95)
                cpl_vs_account=rnd(snap.get("cpl_ratio_7d"), 4),
                account_cpl_7d=f["account_cpl_7d"],
                reason=snap.get("reason"),
                previous_tier=r.get("previous_tier"),
                change=r.get("tier_change_direction"),
            )
        )
    return out


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Worst tier first, then most spend: the order a media buyer triages in."""
    return sorted(
        rows,
        key=lambda r: (
            TIER_RANK.get(r["tier"], 0),
            -float((r.get("metrics_snapshot") or {}).get("spend_7d") or 0),
        ),
    )


def tier_list(
    ctx: ToolContext,
    tiers: tuple[str, ...],
    limit: int,
    best_first: bool = False,
    rows: list[dict[str, Any]] | None = None,
) -> TierList:
    """`rows`: the account's latest classifications when the caller has read them."""
    rows = q.read_latest_classifications(ctx.engine, ctx.config_id) if rows is None else rows
    counts = {t: sum(1 for r in rows if r["tier"] == t) for t in TIERS}
    picked = _sorted([r for r in rows if r["tier"] in tiers])
    if best_first:
        picked = sorted(
            picked,
            key=lambda r: (
                -TIER_RANK.get(r["tier"], 0),
                -float((r.get("metrics_snapshot") or {}).get("leads_7d") or 0),
            ),
        )
    return TierList(
        as_of=rows[0]["classified_at"] if rows else None,
        counts_by_tier=counts,
        total=len(picked),
        campaigns=tier_rows(ctx, picked[:limit]),
    )


class ListInput(ToolInput):
    limit: int = Field(default=MAX_ROWS, ge=1, le=MAX_ROWS, description="máximo de campanhas na lista")


class CampaignInput(ToolInput):
    campaign_id: str = Field(min_length=1, max_length=100, description="id da campanha no Meta (texto)")


def get_classifications(ctx: ToolContext, inp: ListInput) -> TierList:
    """Todas as classificações (tiers) de campanhas da conta, do pior para o melhor tier."""
    return tier_list(ctx, TIERS, inp.limit)


def get_campaign_tier(ctx: ToolContext, inp: CampaignInput) -> TierRow | NotFound:
    """O tier de uma campanha da conta, com confiança, métricas de 7 dias e motivo."""
    for r in q.read_latest_classifications(ctx.engine, ctx.config_id):
        if r["campaign_id"] == inp.campaign_id:
            return tier_rows(ctx, [r])[0]
    return NotFound(message="Nenhuma classificação para essa campanha nesta conta.")


def get_high_performers(ctx: ToolContext, inp: ListInput) -> TierList:
    """Campanhas de alta performance (tier HIGH_PERFORMER), mais leads primeiro."""
    return tier_list(ctx, ("HIGH_PERFORMER",), inp.limit, best_first=True)


class UnderInput(ListInput):
    include_low: bool = Field(default=False, description="incluir também o tier LOW")


def get_underperformers(ctx: ToolContext, inp: UnderInput) -> TierList:
    """Campanhas com baixa performance (UNDERPERFORMER, e LOW se pedido), mais gasto primeiro; no tier
    crítico, o que impede o pipeline de recomendar pausa ou corte (cut_blockers)."""
    tiers = ("UNDERPERFORMER", "LOW") if inp.include_low else ("UNDERPERFORMER",)
    rows = q.read_latest_classifications(ctx.engine, ctx.config_id)
    out = tier_list(ctx, tiers, inp.limit, rows=rows)
    critical = [c for c in out.campaigns if c.tier == "UNDERPERFORMER"]
    found = blockers_of(ctx, [c.campaign_id for c in critical], rows)
    for c in critical:
        c.cut_blockers = found[c.campaign_id]
    return out


def blockers_of(
    ctx: ToolContext, campaign_ids: list[str], rows: list[dict[str, Any]] | None = None
) -> dict[str, list[str]]:
    """`cut_blockers` of each campaign, as of its latest classification's day (the day the rules judged):
    that classification's snapshot, its source row, its open anomalies of the 28 days before.
    `rows`: the account's latest classifications when the caller has read them."""
    rows = q.read_latest_classifications(ctx.engine, ctx.config_id) if rows is None else rows
    latest = {r["campaign_id"]: r for r in rows if r["campaign_id"] in set(campaign_ids)}
    if not latest:
        return {cid: [] for cid in campaign_ids}
    day = {cid: _day(r["classified_at"]) for cid, r in latest.items()}
    open_by: dict[str, list[dict[str, Any]]] = {}
    for a in q.read_recent_anomalies(ctx.engine, ctx.config_id, min(day.values()) - dt.timedelta(days=28)):
        if a["entity_type"] == "campaign":
            open_by.setdefault(a["entity_id"], []).append(a)
    return {
        cid: cut_blockers(
            latest[cid].get("metrics_snapshot") or {},
            ctx.campaigns.get(cid),
            open_by.get(cid, []),
            day[cid],
            ctx.money,
        )
        if cid in latest
        else []
        for cid in campaign_ids
    }


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
