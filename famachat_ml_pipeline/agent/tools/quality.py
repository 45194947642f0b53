"""Our own tool: how fresh and how clean the account's source data is."""

from __future__ import annotations

import datetime as dt

import polars as pl
from pydantic import Field

from famachat_ml_pipeline.agent.tools.context import ToolContext, ToolInput, ToolOutput
from famachat_ml_pipeline.db import agent_queries as q
from famachat_ml_pipeline.source.read import read_daily_insights

# One pt-BR text per source.clean.REJECT_REASONS key (a test checks none is missing).
REASONS_PT = {
    "duplicate_superseded": "cópia antiga de um dia reenviado",
    "duplicate_conflicting": "linha antiga de um dia com outros números (valeu a mais recente)",
    "orphan_campaign": "campanha ausente da tabela de campanhas",
    "bad_date": "data inválida",
    "future_date": "data no futuro",
    "not_daily": "linha que não é diária",
    "not_numeric": "valor não numérico numa coluna de números",
    "null_metric": "métrica vazia",
    "negative_metric": "métrica negativa",
    "implausible_value": "valor implausível (acima do limite diário)",
    "bad_actions": "ações (actions) ilegíveis",
    "leads_unknown": "leads desconhecidos",
}


class QualityInput(ToolInput):
    days: int = Field(default=30, ge=1, le=90, description="janela lida da fonte, em dias")


class DataQuality(ToolOutput):
    data_through: dt.date  # last complete day in the account's timezone
    last_synced_day: dt.date | None  # last day with a source row
    days_behind: int | None
    results_as_of: dt.date | None  # day of the latest pipeline run
    window_days: int
    rows_read: int
    rows_set_aside: int
    set_aside_by_reason: dict[str, int]
    reasons_explained: dict[str, str]
    campaigns: int


def get_data_quality(ctx: ToolContext, inp: QualityInput) -> DataQuality:
    """Qualidade dos dados: último dia sincronizado, linhas deixadas de lado por motivo, atraso."""
    through = ctx.data_through()
    read = read_daily_insights(ctx.engine, [ctx.config_id], through, inp.days, now=ctx.now)
    with_rows = read.daily.filter(pl.col("has_row"))
    last = with_rows["date"].max() if with_rows.height else None
    counts = {k: int(v) for k, v in sorted(read.rejected.items())}
    return DataQuality(
        data_through=through,
        last_synced_day=last,
        days_behind=(through - last).days if last else None,
        results_as_of=q.latest_results_day(ctx.engine, ctx.config_id),
        window_days=inp.days,
        rows_read=read.rows_read,
        rows_set_aside=sum(counts.values()),
        set_aside_by_reason=counts,
        reasons_explained={k: REASONS_PT.get(k, k) for k in counts},
        campaigns=len(ctx.campaigns),
    )
