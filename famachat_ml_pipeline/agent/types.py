"""The agent's public interface: what the HTTP API, the CLI and MCP build on.

An agent is bound to one account (`config_id`) when it is opened; nothing it is asked can widen that.
`agent.service.open_agent(engine, config_id, settings)` returns an `AccountAgent`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Role = Literal["user", "assistant"]
Mode = Literal["online", "offline"]


@dataclass(frozen=True)
class ChatTurn:
    """One earlier message of the conversation, as persisted."""

    role: Role
    content: str


@dataclass(frozen=True)
class ToolCall:
    """A tool the agent ran for an answer, with its (JSON-able) input and result."""

    name: str
    input: dict[str, Any]
    output: dict[str, Any]


@dataclass(frozen=True)
class AgentReply:
    text: str  # the answer, pt-BR
    mode: Mode
    intent: str | None  # the offline intent, or None online
    tool_calls: tuple[ToolCall, ...] = ()
    data_through: dt.date | None = None  # the last complete day the account's data covers
    error: str | None = None  # a pt-BR message when the answer could not be produced


@dataclass(frozen=True)
class AgentEvent:
    """One streamed piece of an answer.

    kind: "text" (a chunk of the answer), "tool" (a finished tool call), "done" (the final reply),
    "error" (a pt-BR message; a "done" follows with the same error set).
    """

    kind: Literal["text", "tool", "done", "error"]
    text: str = ""
    tool: ToolCall | None = None
    reply: AgentReply | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class AccountAgent(Protocol):
    config_id: int

    def stream(self, message: str, history: Sequence[ChatTurn] = ()) -> Iterator[AgentEvent]:
        """Answer `message`, yielding text chunks and tool calls, then one "done" event."""
        ...

    def ask(self, message: str, history: Sequence[ChatTurn] = ()) -> AgentReply:
        """The whole answer at once (drains `stream`)."""
        ...
