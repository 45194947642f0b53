"""Online mode: Claude (the `anthropic` SDK) with the account's tools, streamed.

The loop: stream a reply; if it stops for tool use, run every requested tool for the bound account and
send the results back; repeat up to `agent_max_tool_rounds` times. When the service cannot answer
(network, timeout, 5xx, overloaded) the offline agent answers from the same tools, marked as such; other
errors (a refused key, a rate limit, a bad request) end in one pt-BR message (AgentReply.error), never a
traceback to the user.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import anthropic

from famachat_ml_pipeline.agent.answers_currency import currency_note
from famachat_ml_pipeline.agent.answers_goal import goal_note
from famachat_ml_pipeline.agent.offline import OfflineAgent, drain
from famachat_ml_pipeline.agent.prompts import system_prompt
from famachat_ml_pipeline.agent.tools import ToolContext, run_tool, tool_schemas
from famachat_ml_pipeline.agent.types import AgentEvent, AgentReply, ChatTurn, ToolCall
from famachat_ml_pipeline.db import agent_queries as q
from famachat_ml_pipeline.settings import Settings

log = logging.getLogger(__name__)

MAX_HISTORY_TURNS = 20
# Models that answer 400 to a non-default temperature (Anthropic's Sonnet 5 migration guide: sampling
# parameters are deprecated from these families on); the SDK >= 1.0 has no `temperature` argument at all,
# so for the others it travels in `extra_body`.
NO_SAMPLING_PREFIXES = (
    "claude-sonnet-5",
    "claude-opus-5",
    "claude-haiku-5",
    "claude-fable",
    "claude-mythos",
    "claude-opus-4-7",
    "claude-opus-4-8",
)


def sampling_body(model: str, temperature: float | None) -> dict[str, Any]:
    if temperature is None or model.startswith(NO_SAMPLING_PREFIXES):
        return {}
    return {"temperature": temperature}


def error_message(exc: Exception) -> str:
    """One clear pt-BR sentence for a failure the offline answer cannot stand in for (`service_unavailable`
    covers timeouts, connections, rate limits and 5xx); details go to the log."""
    if isinstance(exc, anthropic.AuthenticationError | anthropic.PermissionDeniedError):
        return "A chave da API da Anthropic foi recusada. Verifique AGENT_ANTHROPIC_API_KEY."
    if isinstance(exc, anthropic.APIStatusError):
        return f"O serviço de IA devolveu um erro (HTTP {exc.status_code}). Tente novamente em instantes."
    return "Ocorreu um erro inesperado ao gerar a resposta. Tente novamente."


UNAVAILABLE_NOTICE = (
    "O serviço de IA está indisponível no momento. Esta é a resposta direta dos dados da conta "
    "(modo offline):\n\n"
)
# Error types the API sends inside a 200 stream (an SSE `error` event) when it fails mid-answer.
_UNAVAILABLE_STREAM_ERRORS = {"overloaded_error", "api_error"}


def service_unavailable(exc: Exception) -> bool:
    """The AI service could not answer now (network, timeout, 5xx, 529 overloaded, a rate limit still hit
    after the client's retries), while the data can: worth the offline answer. A refused key or a bad
    request are not: someone must fix the configuration."""
    if isinstance(
        exc, anthropic.APIConnectionError | anthropic.InternalServerError | anthropic.RateLimitError
    ):
        return True  # APITimeoutError is an APIConnectionError; OverloadedError (529) an InternalServerError
    if isinstance(exc, anthropic.RequestTimeoutError):
        return True
    if isinstance(exc, anthropic.APIStatusError) and exc.status_code == 200:
        body = exc.body if isinstance(exc.body, dict) else {}
        error = body.get("error") if isinstance(body.get("error"), dict) else body
        return error.get("type") in _UNAVAILABLE_STREAM_ERRORS
    return False


def _block_param(block: Any) -> dict[str, Any]:
    """A content block of Claude's reply, as the request format sends it back."""
    kind = block.type
    if kind == "text":
        return {"type": "text", "text": block.text}
    if kind == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    if kind == "thinking":
        return {"type": "thinking", "thinking": block.thinking, "signature": block.signature}
    if kind == "redacted_thinking":
        return {"type": "redacted_thinking", "data": block.data}
    return block.model_dump(exclude_none=True, exclude={"parsed_output"})


def history_messages(history: Sequence[ChatTurn], message: str) -> list[dict[str, Any]]:
    """Earlier turns (text only, the last MAX_HISTORY_TURNS) then the question, alternating roles."""
    messages: list[dict[str, Any]] = []
    for turn in [*history[-MAX_HISTORY_TURNS:], ChatTurn("user", message)]:
        if not turn.content.strip():
            continue
        if messages and messages[-1]["role"] == turn.role:
            messages[-1]["content"] += "\n\n" + turn.content
        else:
            messages.append({"role": turn.role, "content": turn.content})
    while messages and messages[0]["role"] != "user":
        messages.pop(0)
    return messages


@dataclass
class OnlineAgent:
    ctx: ToolContext
    settings: Settings
    client: anthropic.Anthropic = field(init=False, repr=False)

    def __post_init__(self) -> None:
        key = self.settings.agent_anthropic_api_key
        self.client = anthropic.Anthropic(
            api_key=key.get_secret_value() if key else None,
            base_url=self.settings.anthropic_base_url,
            timeout=self.settings.agent_timeout_seconds,
            max_retries=self.settings.agent_max_retries,
        )

    @property
    def config_id(self) -> int:
        return self.ctx.config_id

    def _system(self) -> str:
        return system_prompt(
            self.ctx.data_through(),
            q.latest_results_day(self.ctx.engine, self.ctx.config_id),
            self.ctx.currency,
        )

    def stream(self, message: str, history: Sequence[ChatTurn] = ()) -> Iterator[AgentEvent]:
        s = self.settings
        messages = history_messages(history, message)
        calls: list[ToolCall] = []
        texts: list[str] = []
        error: str | None = None
        # "quanto gastei em reais?" on a CLP account: the currency said first, as the offline answer says
        # it, whatever the model writes after (the prompt tells it too, but a rule is no guarantee); said
        # before the model's first words, so a failure before any (the offline answer, which says it) or
        # an error alone does not carry it twice or bare
        # "qual a meta do mês?": no goal is stored, said first as the offline answer says it (the prompt
        # tells the model too, but a rule is no guarantee), with the currency's note before it if any
        notes = [n for n in (currency_note(message, self.ctx.currency), goal_note(message, alone=True)) if n]
        pending = "".join(f"{n}\n\n" for n in notes) or None
        try:
            system, tools = self._system(), tool_schemas()
            for round_no in range(s.agent_max_tool_rounds + 1):
                with self.client.messages.stream(
                    model=s.agent_llm_model,
                    max_tokens=s.agent_max_tokens,
                    system=system,
                    messages=messages,
                    tools=tools,
                    extra_body=sampling_body(s.agent_llm_model, s.agent_temperature) or None,
                ) as stream:
                    for event in stream:
                        if event.type == "text" and event.text:
                            if pending:
                                texts.append(pending)
                                yield AgentEvent(kind="text", text=pending)
                                pending = None
                            texts.append(event.text)
                            yield AgentEvent(kind="text", text=event.text)
                    final = stream.get_final_message()
                messages.append({"role": "assistant", "content": [_block_param(b) for b in final.content]})
                uses = [b for b in final.content if b.type == "tool_use"]
                if final.stop_reason != "tool_use" or not uses:
                    break
                if round_no == s.agent_max_tool_rounds:  # the model still wants tools
                    error = (
                        f"Precisei de mais de {s.agent_max_tool_rounds} rodadas de consultas para esta "
                        "pergunta. Tente uma pergunta mais específica."
                    )
                    break
                results = []
                for use in uses:
                    output = run_tool(self.ctx, use.name, use.input)
                    call = ToolCall(name=use.name, input=dict(use.input or {}), output=output)
                    calls.append(call)
                    yield AgentEvent(kind="tool", tool=call)
                    results.append(
                        {
                            "type": "tool_result",
                            "tool_use_id": use.id,
                            "content": json.dumps(output, ensure_ascii=False),
                            "is_error": "error" in output,
                        }
                    )
                messages.append({"role": "user", "content": results})
        except anthropic.AnthropicError as exc:
            fallback = service_unavailable(exc)
            log.warning(
                "anthropic call failed: %s: %s%s",
                type(exc).__name__,
                exc,
                "; answering offline" if fallback else "",
            )
            if fallback:
                yield from self._offline_fallback(message, history, texts, calls)
                return
            error = error_message(exc)
        if error:
            yield AgentEvent(kind="error", text=error)
        reply = AgentReply(
            text="".join(texts) if not error or texts else error,
            mode="online",
            intent=None,
            tool_calls=tuple(calls),
            data_through=self.ctx.data_through(),
            error=error,
        )
        yield AgentEvent(kind="done", reply=reply)

    def _offline_fallback(
        self, message: str, history: Sequence[ChatTurn], streamed: list[str], calls: list[ToolCall]
    ) -> Iterator[AgentEvent]:
        """The offline agent's answer after the service failed, behind a pt-BR notice saying so. What
        was already streamed stays (it was shown); the reply is the offline one (mode, intent)."""
        notice = ("\n\n" if streamed else "") + UNAVAILABLE_NOTICE
        yield AgentEvent(kind="text", text=notice)
        reply: AgentReply | None = None
        for event in OfflineAgent(self.ctx).stream(message, history):
            if event.kind == "done":
                reply = event.reply
            else:
                yield event
        if reply is None:  # guards a broken offline stream, as drain does
            raise RuntimeError("offline agent stream ended without a reply")
        yield AgentEvent(
            kind="done",
            reply=replace(
                reply,
                text="".join(streamed) + notice + reply.text,
                tool_calls=(*calls, *reply.tool_calls),
            ),
        )

    def ask(self, message: str, history: Sequence[ChatTurn] = ()) -> AgentReply:
        return drain(self.stream(message, history))
