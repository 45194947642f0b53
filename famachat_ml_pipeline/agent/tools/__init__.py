"""The agent's tools: typed functions bound to one account through a `ToolContext`.

Every tool is `fn(ctx, input_model) -> output_model`. `TOOLS` is the one registry the offline mode, the
online mode (Anthropic tool use) and the MCP server all use, so the three can never disagree.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_type_hints

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError

from famachat_ml_pipeline.agent.tools import (
    analysis,
    anomalies,
    campaigns,
    classification,
    forecasts,
    quality,
)
from famachat_ml_pipeline.agent.tools import recommendations as recs
from famachat_ml_pipeline.agent.tools.context import ToolContext, ToolInput

# what the model (and so the buyer) is told when the database cannot answer now
DATABASE_UNAVAILABLE = "o banco de dados não está respondendo agora; tente de novo em instantes"

__all__ = ["TOOLS", "Tool", "ToolContext", "run_tool", "tool_schemas"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    input_model: type[ToolInput]
    fn: Callable[[ToolContext, Any], BaseModel]

    def input_schema(self) -> dict[str, Any]:
        schema = self.input_model.model_json_schema()
        schema.pop("title", None)
        return schema


def _tool(fn: Callable[[ToolContext, Any], BaseModel]) -> Tool:
    hints = get_type_hints(fn)
    doc = " ".join((fn.__doc__ or "").split())
    return Tool(name=fn.__name__, description=doc, input_model=hints["inp"], fn=fn)


TOOLS: dict[str, Tool] = {
    t.name: t
    for t in map(
        _tool,
        [
            classification.get_classifications,
            classification.get_campaign_tier,
            classification.get_high_performers,
            classification.get_underperformers,
            recs.get_recommendations,
            recs.get_recommendations_by_type,
            recs.get_high_priority_recommendations,
            anomalies.get_anomalies,
            anomalies.get_critical_anomalies,
            anomalies.get_anomalies_by_type,
            forecasts.get_forecasts,
            forecasts.predict_campaign_cpl,
            forecasts.predict_campaign_leads,
            campaigns.get_campaign_details,
            campaigns.list_campaigns,
            analysis.compare_campaigns,
            analysis.analyze_trends,
            analysis.get_account_summary,
            analysis.calculate_roi,
            analysis.get_top_campaigns,
            quality.get_data_quality,
        ],
    )
}


def tool_schemas() -> list[dict[str, Any]]:
    """The tools in the Messages API's `tools` format."""
    return [
        {"name": t.name, "description": t.description, "input_schema": t.input_schema()}
        for t in TOOLS.values()
    ]


def run_tool(ctx: ToolContext, name: str, raw_input: Any) -> dict[str, Any]:
    """Validate the input, run the tool for the context's account, return a JSON-able dict.

    A bad name or input comes back as {"error": ...} (the model can correct itself), and so does a failed
    query (logged); it never raises. An input that names an account (`config_id`, say) is refused by the
    input model.
    """
    tool = TOOLS.get(name)
    if tool is None:
        return {"error": f"ferramenta desconhecida: {name}"}
    if isinstance(raw_input, str):
        try:
            raw_input = json.loads(raw_input or "{}")
        except ValueError:
            return {"error": "entrada da ferramenta não é JSON válido"}
    try:
        inp = tool.input_model.model_validate(raw_input or {})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'entrada'}: {e['msg']}" for e in exc.errors()
        )
        return {"error": f"entrada inválida para {name}: {problems}"}
    try:
        return tool.fn(ctx, inp).model_dump(mode="json")
    except sa.exc.OperationalError as exc:  # not the tool's fault, and worth saying: it will pass
        log.error("tool %s: database unavailable for config_id %s: %s", name, ctx.config_id, exc.orig)
        return {"error": DATABASE_UNAVAILABLE}
    except Exception:  # noqa: BLE001 - the conversation goes on; the traceback goes to the log
        log.exception("tool %s failed for config_id %s", name, ctx.config_id)
        return {"error": f"falha interna ao executar {name}"}
