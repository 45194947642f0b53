"""Tools over the detected anomalies (ml_anomalies)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field

from famachat_ml_pipeline.agent.tools.context import (
    MAX_ROWS,
    ToolContext,
    ToolInput,
    ToolOutput,
    rnd,
)
from famachat_ml_pipeline.core.vocab import ANOMALY_TYPES
from famachat_ml_pipeline.db import agent_queries as q

AnomalyType = Literal[ANOMALY_TYPES]  # the vocabulary's names, one definition
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
    # with group_repeats: the open days of this campaign and type in the window, the first and the last
    repeats: int = 1
    first_date: dt.date | None = None
    last_date: dt.date | None = None


class AnomalyList(ToolOutput):
    since: dt.date
    total: int
    by_severity: dict[str, int]
    # severity -> anomaly type -> count, over every row of the window (the list stops at `limit`)
    by_severity_type: dict[str, dict[str, int]] = {}
    distinct: int | None = None  # with group_repeats: the campaign-and-type runs among the `total`
    anomalies: list[AnomalyRow]


def _kind(metric: str, value: float | None) -> str:
    base = metric.split("_")[0]
    if base in MONEY_METRICS:
        return "money"
    if base == "ctr":
        return "pct2"
    return "num0" if value is not None and abs(value - round(value)) < 1e-9 else "num2"


KINDS = ("money", "pct2", "num0", "num2", "pct0")


def anomaly_rows(ctx: ToolContext, rows: list[dict[str, Any]]) -> list[AnomalyRow]:
    """Observed and expected values in the metric's unit (money, %, count), formatted in one pass."""
    raw = []
    for r in rows:
        obs, exp = r["observed_value"], r["expected_value"]
        d: dict[str, Any] = {f"{w}_{k}": None for w in ("obs", "exp") for k in KINDS}
        d[f"obs_{_kind(r['metric_name'], obs)}"] = obs
        d[f"exp_{_kind(r['metric_name'], exp)}"] = exp
        d["change_pct0"] = (obs - exp) / exp * 100.0 if exp else None
        raw.append(d)
    spec = {k: k.split("_")[1] for k in raw[0]} if raw else {}
    out = []
    for r, f in zip(rows, ctx.fmt(raw, spec), strict=True):
        obs, exp = (
            next((f[f"{w}_{k}"] for k in KINDS if f.get(f"{w}_{k}") is not None), "-") for w in ("obs", "exp")
        )
        out.append(
            AnomalyRow(
                id=int(r["id"]),
                campaign_id=r["entity_id"],
                name=ctx.name_of(r["entity_id"]),
                type=r["anomaly_type"],
                metric=r["metric_name"],
                observed=obs,
                expected=exp,
                change=f["change_pct0"],
                deviation_score=rnd(r["deviation_score"]),
                severity=r["severity"],
                date=r["anomaly_date"],
                acknowledged=bool(r["is_acknowledged"]),
                recommendation_id=r["recommendation_id"],
            )
        )
    return out


def anomaly_list(
    ctx: ToolContext,
    days: int,
    keep: Callable[[dict], bool],
    limit: int,
    include_acknowledged: bool = False,
    day: dt.date | None = None,
    group: bool = False,
) -> AnomalyList:
    since = ctx.data_through() - dt.timedelta(days=days - 1)
    if day is not None:  # one day only: read from it, whatever the window
        since, keep_rest = day, keep
        keep = lambda r: r["anomaly_date"] == day and keep_rest(r)  # noqa: E731
    rows = [
        r for r in q.read_recent_anomalies(ctx.engine, ctx.config_id, since, include_acknowledged) if keep(r)
    ]
    rows.sort(
        key=lambda r: (SEVERITY_RANK.get(r["severity"], 9), -(r["anomaly_date"] or dt.date.min).toordinal())
    )
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:  # gravest, then newest, first: a run's first row is the one shown
        runs.setdefault((r["entity_id"], r["anomaly_type"]), []).append(r)
    counts: dict[str, int] = {}
    kinds: dict[str, dict[str, int]] = {}
    for r in rows:
        counts[r["severity"]] = counts.get(r["severity"], 0) + 1
        of_severity = kinds.setdefault(r["severity"], {})
        of_severity[r["anomaly_type"]] = of_severity.get(r["anomaly_type"], 0) + 1
    return AnomalyList(
        since=since,
        total=len(rows),
        by_severity=counts,
        by_severity_type=kinds,
        distinct=len(runs) if group else None,
        anomalies=_grouped(ctx, list(runs.values())[:limit]) if group else anomaly_rows(ctx, rows[:limit]),
    )


def _grouped(ctx: ToolContext, runs: list[list[dict[str, Any]]]) -> list[AnomalyRow]:
    """One row per campaign and type: its gravest and newest, with how many days it was open, from when
    to when (a frequency alert raised every day was five of the five rows listed)."""
    shown = anomaly_rows(ctx, [run[0] for run in runs])
    return [
        row.model_copy(
            update={
                "repeats": len(run),
                "first_date": min(r["anomaly_date"] for r in run),
                "last_date": max(r["anomaly_date"] for r in run),
            }
        )
        for row, run in zip(shown, runs, strict=True)
    ]


# "quais alertas eu já reconheci?": the days the chat looks back for alerts acknowledged
ACKNOWLEDGED_DAYS = 30
# "o que mais preocupa?": the CRITICAL alerts of these last complete days lead the answer (was a budget cut
# of priority 7 while three campaigns had spent with no lead at all)
WORRY_DAYS = 3


class AnomalyInput(ToolInput):
    days: int = Field(default=7, ge=1, le=90, description="janela em dias até o último dia completo")
    limit: int = Field(default=10, ge=1, le=MAX_ROWS)
    group_repeats: bool = Field(
        default=False,
        description="uma linha por campanha e tipo (a mais grave e recente), com os dias em que se repetiu",
    )


class AllAnomaliesInput(AnomalyInput):
    include_acknowledged: bool = False
    only_acknowledged: bool = Field(default=False, description="só as já reconhecidas no FamaChat")
    day: dt.date | None = Field(default=None, description="só as anomalias deste dia (AAAA-MM-DD)")


class ByTypeInput(AnomalyInput):
    anomaly_type: AnomalyType


def get_anomalies(ctx: ToolContext, inp: AllAnomaliesInput) -> AnomalyList:
    """Anomalias detectadas nos últimos dias (não reconhecidas, salvo include_acknowledged; só as já
    reconhecidas com only_acknowledged), mais graves primeiro."""
    if inp.only_acknowledged:
        return anomaly_list(ctx, inp.days, lambda r: bool(r["is_acknowledged"]), inp.limit, True, inp.day)
    return anomaly_list(
        ctx, inp.days, lambda r: True, inp.limit, inp.include_acknowledged, inp.day, inp.group_repeats
    )


def get_critical_anomalies(ctx: ToolContext, inp: AnomalyInput) -> AnomalyList:
    """Apenas anomalias de severidade CRITICAL não reconhecidas."""
    critical = lambda r: r["severity"] == "CRITICAL"  # noqa: E731
    return anomaly_list(ctx, inp.days, critical, inp.limit, group=inp.group_repeats)


def get_anomalies_by_type(ctx: ToolContext, inp: ByTypeInput) -> AnomalyList:
    """Anomalias não reconhecidas de um tipo (ex.: CPL_SPIKE, SPEND_DROP)."""
    of_type = lambda r: r["anomaly_type"] == inp.anomaly_type  # noqa: E731
    return anomaly_list(ctx, inp.days, of_type, inp.limit, group=inp.group_repeats)
