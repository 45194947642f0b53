"""Tools over the active recommendations (ml_recommendations)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field

from famachat_ml_pipeline.agent.tools.context import MAX_ROWS, ToolContext, ToolInput, ToolOutput, rnd
from famachat_ml_pipeline.core.vocab import RECOMMENDATION_TYPES
from famachat_ml_pipeline.db import agent_queries as q

RecommendationType = Literal[RECOMMENDATION_TYPES]  # the vocabulary's names, one definition


class RecommendationRow(ToolOutput):
    id: int
    campaign_id: str
    name: str
    type: str
    priority: int | None
    title: str
    description: str
    expected_impact: str | None
    confidence: float | None
    created_on: dt.date | None


class RecommendationList(ToolOutput):
    total: int
    recommendations: list[RecommendationRow]


def _row(ctx: ToolContext, r: dict[str, Any]) -> RecommendationRow:
    action = r.get("suggested_action") if isinstance(r.get("suggested_action"), dict) else {}
    return RecommendationRow(
        id=int(r["id"]),
        campaign_id=r["entity_id"],
        name=ctx.name_of(r["entity_id"]),
        type=r["recommendation_type"],
        priority=r["priority"],
        title=r["title"],
        description=r["description"],
        expected_impact=action.get("expected_impact"),
        confidence=rnd(r["confidence_score"]),
        created_on=r["created_at"],
    )


def recommendation_list(ctx: ToolContext, keep: Callable[[dict], bool], limit: int) -> RecommendationList:
    rows = [r for r in q.read_active_recommendations(ctx.engine, ctx.config_id) if keep(r)]
    return RecommendationList(total=len(rows), recommendations=[_row(ctx, r) for r in rows[:limit]])


class ListInput(ToolInput):
    limit: int = Field(default=10, ge=1, le=MAX_ROWS)


class ByTypeInput(ListInput):
    recommendation_type: RecommendationType


class PriorityInput(ListInput):
    min_priority: int = Field(default=8, ge=1, le=10, description="prioridade mínima (1 a 10)")


def get_recommendations(ctx: ToolContext, inp: ListInput) -> RecommendationList:
    """Recomendações ativas da conta, da maior prioridade para a menor."""
    return recommendation_list(ctx, lambda r: True, inp.limit)


def get_recommendations_by_type(ctx: ToolContext, inp: ByTypeInput) -> RecommendationList:
    """Recomendações ativas de um tipo (ex.: PAUSE_CAMPAIGN, SCALE_UP)."""
    return recommendation_list(ctx, lambda r: r["recommendation_type"] == inp.recommendation_type, inp.limit)


def get_high_priority_recommendations(ctx: ToolContext, inp: PriorityInput) -> RecommendationList:
    """Recomendações ativas de alta prioridade (padrão: prioridade 8 ou mais)."""
    return recommendation_list(ctx, lambda r: (r["priority"] or 0) >= inp.min_priority, inp.limit)
