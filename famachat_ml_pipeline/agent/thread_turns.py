"""A question and its answer in a stored thread (`agent_threads`, `agent_messages`): the one way the HTTP API
and `famachat-ml ask --thread` read a thread's history and keep each turn, so a follow-up ("e a 17?") reads
the same history from either."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi.encoders import jsonable_encoder

from famachat_ml_pipeline.agent.types import AgentReply, ChatTurn, ToolCall
from famachat_ml_pipeline.db import conversations as conv

HISTORY_TURNS = 20  # earlier messages handed to the agent with each question


def tool_dict(call: ToolCall) -> dict[str, Any]:
    return jsonable_encoder({"name": call.name, "input": call.input, "output": call.output})


def start_turn(engine: sa.Engine, config_id: int, thread_id: str, message: str) -> list[ChatTurn]:
    """Open (or create) the thread, read its history, then store the question. Raises
    conv.ThreadNotFound when the id is another account's thread."""
    conv.open_thread(engine, config_id, thread_id, title=message[:80])
    earlier = conv.get_messages(engine, config_id, thread_id, limit=HISTORY_TURNS)
    conv.add_message(engine, config_id, thread_id, "user", message)
    return [ChatTurn(m.role, m.content) for m in earlier if m.role in ("user", "assistant")]


def store_reply(engine: sa.Engine, config_id: int, thread_id: str, reply: AgentReply) -> int:
    return conv.add_message(
        engine,
        config_id,
        thread_id,
        "assistant",
        reply.text,
        tool_calls=[tool_dict(c) for c in reply.tool_calls],
        mode=reply.mode,
        intent=reply.intent,
        error=reply.error,
    )
