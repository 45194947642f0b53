"""The caveats an answer must carry (`check_quality`)."""

from __future__ import annotations

from collections.abc import Sequence

from famachat_ml_pipeline.agent.answers import NO_RESULTS
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.agent.types import ToolCall
from famachat_ml_pipeline.db import agent_queries as q


def check_quality(ctx: ToolContext, intent: Intent, calls: Sequence[ToolCall]) -> list[str]:
    """Caveats the answer must carry: another account asked for, missing or stale results, failed tools."""
    notes = []
    if any(n != ctx.config_id for n in intent.accounts_named) and intent.metric != "accounts":
        notes.append("Observação: só tenho acesso aos dados desta conta; a resposta acima é sobre ela.")
    for call in calls:
        if "error" in call.output:
            notes.append(f"Não consegui consultar {call.name}: {call.output['error']}")
    if intent.name in {"help", "data_quality", "campaign_not_found", "audience", "out_of_scope", "explain"}:
        return notes
    through, results = ctx.data_through(), q.latest_results_day(ctx.engine, ctx.config_id)
    if results is None:
        notes.append(NO_RESULTS)
    elif results < through:
        notes.append(
            f"Atenção: os resultados do pipeline são de {results:%d/%m/%Y}, "
            f"e os dados vão até {through:%d/%m/%Y}."
        )
    return notes
