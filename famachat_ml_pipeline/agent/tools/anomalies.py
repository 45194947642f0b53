"""Tools over the detected anomalies (ml_anomalies)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from famachat_ml_pipeline.agent.tools.context import (
    MAX_ROWS,
    ToolContext,
    ToolInput,
    ToolOutput,
    num,
    pct,
    rnd,
)  # fmt: skip
from famachat_ml_pipeline.db import agent_queries as q

AnomalyType = Literal[
    "SPEND_SPIKE", "SPEND_DROP", "CPL_SPIKE", "CPL_DROP", "CTR_SPIKE", "CTR_DROP", "PERFORMANCE_DROP",
    "PERFORMANCE_SPIKE", "FREQUENCY_ALERT", "REACH_SATURATION", "ZERO_SPEND", "ZERO_IMPRESSIONS",
]  # fmt: skip
SEVERITY_RANK = {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3}
MONEY_METRICS = ("spend", "cpl", "cpc", "cpm")


class AnomalyRow(ToolOutput):
    id: int
    campaign_id: str
    name: str
    type: str
    metric: str
    observed: str
    expected: str
    change: str | None  # observed vs expected, in %
    deviation_score: float | None
    severity: str
    date: dt.date | None
    acknowledged: bool
    recommendation_id: int | None


class AnomalyList(ToolOutput):
    since: dt.date
    total: int
    by_severity: dict[str, int]
    anomalies: list[AnomalyRow]


def _value(ctx: ToolContext, metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    base = metric.split("_")[0]
    if base in MONEY_METRICS:
        return ctx.money(value) or "-"
    if base == "ctr":
        return pct(value, 2) or "-"
    return num(value, 2 if abs(value - round(value)) > 1e-9 else 0) or "-"


def anomaly_row(ctx: ToolContext, r: dict[str, Any]) -> AnomalyRow:
    obs, exp = r["observed_value"], r["expected_value"]
    change = pct((obs - exp) / exp * 100.0) if exp else None
    return AnomalyRow(
        id=int(r["id"]),
        campaign_id=r["entity_id"],
        name=ctx.name_of(r["entity_id"]),
        type=r["anomaly_type"],
        metric=r["metric_name"],
        observed=_value(ctx, r["metric_name"], obs),
        expected=_value(ctx, r["metric_name"], exp),
        change=change,
        deviation_score=rnd(r["deviation_score"]),
        severity=r["severity"],
        date=r["anomaly_date"],
        acknowledged=bool(r["is_acknowledged"]),
        recommendation_id=r["recommendation_id"],
    )


def anomaly_list(
    ctx: ToolContext, days: int, keep, limit: int, include_acknowledged: bool = False
) -> AnomalyList:  # noqa: ANN001
    since = ctx.data_through() - dt.timedelta(days=days - 1)
    rows = [
        r for r in q.read_recent_anomalies(ctx.engine, ctx.config_id, since, include_acknowledged) if keep(r)
    ]
    rows.sort(
        key=lambda r: (SEVERITY_RANK.get(r["severity"], 9), -(r["anomaly_date"] or dt.date.min).toordinal())
    )
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["severity"]] = counts.get(r["severity"], 0) + 1
    return AnomalyList(
        since=since,
        total=len(rows),
        by_severity=counts,
        anomalies=[anomaly_row(ctx, r) for r in rows[:limit]],
    )


class AnomalyInput(ToolInput):
    days: int = Field(default=7, ge=1, le=90, description="janela em dias até o último dia completo")
    limit: int = Field(default=10, ge=1, le=MAX_ROWS)


class AllAnomaliesInput(AnomalyInput):
    include_acknowledged: bool = False


class ByTypeInput(AnomalyInput):
    anomaly_type: AnomalyType


def get_anomalies(ctx: ToolContext, inp: AllAnomaliesInput) -> AnomalyList:
    """Anomalias detectadas nos últimos dias (não reconhecidas, salvo se pedido), mais graves primeiro."""
    return anomaly_list(ctx, inp.days, lambda r: True, inp.limit, inp.include_acknowledged)


def get_critical_anomalies(ctx: ToolContext, inp: AnomalyInput) -> AnomalyList:
    """Apenas anomalias de severidade CRITICAL não reconhecidas."""
    return anomaly_list(ctx, inp.days, lambda r: r["severity"] == "CRITICAL", inp.limit)


def get_anomalies_by_type(ctx: ToolContext, inp: ByTypeInput) -> AnomalyList:
    """Anomalias não reconhecidas de um tipo (ex.: CPL_SPIKE, SPEND_DROP)."""
    return anomaly_list(ctx, inp.days, lambda r: r["anomaly_type"] == inp.anomaly_type, inp.limit)
