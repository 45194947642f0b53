"""/api/v1/agent: chat (whole or streamed), analyze, suggestions, conversations, feedback, status."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from fastapi import Path as FastApiPath
from fastapi.encoders import jsonable_encoder
from fastapi.responses import StreamingResponse

from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.offline import OfflineAgent
from famachat_ml_pipeline.agent.service import UnknownAccount
from famachat_ml_pipeline.agent.thread_turns import start_turn, store_reply, tool_dict
from famachat_ml_pipeline.agent.types import AccountAgent, AgentReply, ChatTurn, ToolCall
from famachat_ml_pipeline.api.auth import Caller, account_of, auth_configured
from famachat_ml_pipeline.api.errors import DATABASE_UNAVAILABLE
from famachat_ml_pipeline.api.logs import log
from famachat_ml_pipeline.api.schemas import (
    MAX_ID,
    AccountRequest,
    AnalyzeRequest,
    ChatRequest,
    ChatResponse,
    ConversationOut,
    FeedbackRequest,
    MessageOut,
    SuggestionsRequest,
    SuggestionsResponse,
    ThreadOut,
)
from famachat_ml_pipeline.api.state import ApiState, api_state, caller
from famachat_ml_pipeline.db import conversations as conv
from famachat_ml_pipeline.db.conversations import THREAD_ID
from famachat_ml_pipeline.source.read import read_campaigns

# a path's thread id as the bodies' (`THREAD_ID`): a NUL (%00) or a surrogate is a 422, never a 500
ThreadIdPath = Annotated[str, FastApiPath(pattern=THREAD_ID)]
# `?config_id=` of the GET routes: required with an API key, implied by a JWT (as the bodies' ConfigId)
AccountQuery = Annotated[int | None, Query(gt=0, le=MAX_ID)]
router = APIRouter(prefix="/api/v1/agent", tags=["agent"])

ANALYZE_ACCOUNT = (
    "Faça uma análise completa da conta: desempenho das campanhas, anomalias recentes, recomendações "
    "ativas e a previsão de leads e CPL para os próximos dias."
)
ANALYZE_CAMPAIGN = "Analise em detalhe a campanha {campaign_id}: desempenho, tier, anomalias e previsão."
SUGGEST = "Quais ações você recomenda para esta conta agora, por prioridade?"
QUESTIONS = [
    "Quais campanhas estão com performance ruim?",
    "Por que meu CPL subiu ontem?",
    "Quantos leads terei na próxima semana se mantiver o orçamento?",
    "Quais são as recomendações de alta prioridade?",
    "Houve alguma anomalia crítica nos últimos dias?",
]

Account = Depends(caller)
State = Depends(api_state)


def _not_found() -> HTTPException:
    # The same answer for a thread of another account and one that does not exist: ids do not leak.
    return HTTPException(status.HTTP_404_NOT_FOUND, "conversation not found")


def _open(state: ApiState, config_id: int) -> AccountAgent:
    try:
        return state.open_agent(state.engine, config_id, state.settings)
    except UnknownAccount:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "account not found") from None


def _known_account(state: ApiState, account: int) -> int:
    """The account, or the chat's 404 when it is unknown (no thread, no campaign in the source); one with
    threads is known, so its history outlives its campaigns (and the source is not read then)."""
    if not conv.count_threads(state.engine, account) and not read_campaigns(state.engine, account):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "account not found")
    return account


def _start_turn(state: ApiState, config_id: int, thread_id: str, message: str) -> list[ChatTurn]:
    """`start_turn`, with another account's thread answered 404. The caller holds the thread's turn
    (`state.turns`)."""
    try:
        return start_turn(state.engine, config_id, thread_id, message)
    except conv.ThreadNotFound:
        raise _not_found() from None


def _store_reply(state: ApiState, config_id: int, thread_id: str, reply: AgentReply) -> int:
    return store_reply(state.engine, config_id, thread_id, reply)


def _response(thread_id: str, message_id: int | None, reply: AgentReply) -> dict[str, Any]:
    return {
        "thread_id": thread_id,
        "message_id": message_id,
        "answer": reply.text,
        "mode": reply.mode,
        "intent": reply.intent,
        "tool_calls": [tool_dict(c) for c in reply.tool_calls],
        "data_through": reply.data_through,
        "error": reply.error,
    }


def _log_turn(
    state: ApiState, config_id: int, thread_id: str, question: str, reply: AgentReply, t0: float
) -> None:
    fields: dict[str, Any] = {
        "config_id": config_id,
        "thread_id": thread_id,
        "mode": reply.mode,
        "intent": reply.intent,
        "tools": [c.name for c in reply.tool_calls],
        "agent_ms": round((time.perf_counter() - t0) * 1000, 1),
        "agent_error": reply.error is not None,
    }
    if state.settings.api_debug_log_bodies:
        fields |= {"question": question, "answer": reply.text}
    log.info("agent answered", extra=fields)


def _converse(
    state: ApiState, config_id: int, thread_id: str | None, message: str, offline: Intent | None = None
) -> dict[str, Any]:
    """One question and its answer in a thread. `offline`: the intent the offline agent must answer,
    whatever the message's words (the online agent reads the message itself)."""
    agent = _open(state, config_id)
    thread_id = thread_id or uuid.uuid4().hex
    with state.turns.turn(thread_id):
        history = _start_turn(state, config_id, thread_id, message)
        t0 = time.perf_counter()
        if offline is not None and isinstance(agent, OfflineAgent):
            reply = agent.ask(message, history, intent=offline)
        else:
            reply = agent.ask(message, history)
        message_id = _store_reply(state, config_id, thread_id, reply)
    _log_turn(state, config_id, thread_id, message, reply, t0)
    return _response(thread_id, message_id, reply)


@router.post("/chat", response_model=ChatResponse)
def chat(body: ChatRequest, who: Caller = Account, state: ApiState = State) -> dict[str, Any]:
    return _converse(state, account_of(who, body.config_id), body.thread_id, body.message)


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(jsonable_encoder(data), ensure_ascii=False)}\n\n"


def _stream_events(
    state: ApiState,
    agent: AccountAgent,
    config_id: int,
    thread_id: str,
    message: str,
    history: Sequence[ChatTurn],
) -> Iterator[str]:
    t0 = time.perf_counter()
    reply: AgentReply | None = None
    chunks: list[str] = []
    tools: list[ToolCall] = []
    yield _sse("thread", {"thread_id": thread_id})
    try:
        for event in agent.stream(message, history):
            if event.kind == "text":
                chunks.append(event.text)
                yield _sse("text", {"text": event.text})
            elif event.kind == "tool" and event.tool is not None:
                tools.append(event.tool)
                yield _sse("tool", tool_dict(event.tool))
            elif event.kind == "error":
                yield _sse("error", {"message": event.text})
            elif event.kind == "done":
                reply = event.reply
    except Exception:  # noqa: BLE001 - the stream has started: report in-band, never a half-open socket
        log.exception("agent stream failed", extra={"config_id": config_id, "thread_id": thread_id})
        message_pt = "Não foi possível concluir a resposta agora. Tente novamente em instantes."
        yield _sse("error", {"message": message_pt})
        reply = AgentReply("".join(chunks), "offline", None, tuple(tools), error=message_pt)
    if reply is None:  # an agent that ended without its "done" event
        reply = AgentReply("".join(chunks), "offline", None, tuple(tools), error="resposta incompleta")
    try:
        message_id: int | None = _store_reply(state, config_id, thread_id, reply)
    except sa.exc.OperationalError as exc:  # the answer was shown but cannot be kept: say so, then end
        log.error(
            "answer not stored", extra={"config_id": config_id, "thread_id": thread_id, "cause": str(exc)}
        )
        yield _sse("error", {"message": DATABASE_UNAVAILABLE})
        message_id, reply = (
            None,
            AgentReply(
                reply.text,
                reply.mode,
                reply.intent,
                reply.tool_calls,
                reply.data_through,
                error=DATABASE_UNAVAILABLE,
            ),
        )
    _log_turn(state, config_id, thread_id, message, reply, t0)
    yield _sse("done", _response(thread_id, message_id, reply))


def _answer_apart(events: Iterator[str], release: Callable[[], None]) -> Iterator[str]:
    """Run the turn in its own thread and relay its events: a client that goes away mid-stream stops
    the relay only, and the answer is still written and stored (its history shows it), then the
    thread's turn is released."""
    relayed: queue.Queue[str | None] = queue.Queue()

    def produce() -> None:
        try:
            for event in events:
                relayed.put(event)
        except Exception:  # noqa: BLE001 - nobody may be listening: the log is where this goes
            log.exception("agent stream failed after the client left")
        finally:
            release()
            relayed.put(None)

    threading.Thread(target=produce, name="agent-turn", daemon=True).start()
    while (event := relayed.get()) is not None:
        yield event


@router.post("/chat/stream")
def chat_stream(body: ChatRequest, who: Caller = Account, state: ApiState = State) -> StreamingResponse:
    """Server-sent events: `thread`, `text` chunks and `tool` calls, then one `done` with the thread id
    (`message_id` null, and an `error` event before it, when the answer could not be stored)."""
    config_id = account_of(who, body.config_id)
    agent = _open(state, config_id)
    thread_id = body.thread_id or uuid.uuid4().hex
    state.turns.claim(thread_id)
    try:
        history = _start_turn(state, config_id, thread_id, body.message)
    except BaseException:
        state.turns.release(thread_id)
        raise
    events = _stream_events(state, agent, config_id, thread_id, body.message, history)
    return StreamingResponse(
        _answer_apart(events, lambda: state.turns.release(thread_id)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/analyze", response_model=ChatResponse)
def analyze(body: AnalyzeRequest, who: Caller = Account, state: ApiState = State) -> dict[str, Any]:
    """A deep analysis of the account (or one campaign), kept in a thread so the user can follow up."""
    prompt = ANALYZE_CAMPAIGN.format(campaign_id=body.campaign_id) if body.campaign_id else ANALYZE_ACCOUNT
    # offline, every part of the analysis (not the one intent the prompt's words would classify as)
    intent = Intent("analyze", campaign_id=body.campaign_id)
    return _converse(state, account_of(who, body.config_id), body.thread_id, prompt, offline=intent)


@router.post("/suggestions", response_model=SuggestionsResponse)
def suggestions(body: SuggestionsRequest, who: Caller = Account, state: ApiState = State) -> dict[str, Any]:
    """The agent's suggested actions now, plus questions the user can ask next."""
    answer = _converse(state, account_of(who, body.config_id), body.thread_id, SUGGEST)
    return answer | {"questions": QUESTIONS}


@router.get("/conversations", response_model=list[ThreadOut])
def list_conversations(
    config_id: AccountQuery = None,
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=MAX_ID),
    who: Caller = Account,
    state: ApiState = State,
) -> list[conv.Thread]:
    account = _known_account(state, account_of(who, config_id))
    return conv.list_threads(state.engine, account, limit=limit, offset=offset)


@router.get("/conversations/{thread_id}", response_model=ConversationOut)
def get_conversation(
    thread_id: ThreadIdPath,
    config_id: AccountQuery = None,
    who: Caller = Account,
    state: ApiState = State,
) -> dict[str, Any]:
    account = account_of(who, config_id)
    try:
        thread = conv.get_thread(state.engine, account, thread_id)
        messages = conv.get_messages(state.engine, account, thread_id)
    except conv.ThreadNotFound:
        raise _not_found() from None
    return {**vars(thread), "messages": [MessageOut(**vars(m)) for m in messages]}


@router.post("/conversations/{thread_id}/clear")
def clear_conversation(
    thread_id: ThreadIdPath,
    body: AccountRequest | None = None,
    who: Caller = Account,
    state: ApiState = State,
) -> dict[str, Any]:
    account = account_of(who, body.config_id if body else None)
    try:
        cleared = conv.clear_thread(state.engine, account, thread_id)
    except conv.ThreadNotFound:
        raise _not_found() from None
    return {"thread_id": thread_id, "cleared_messages": cleared}


@router.post("/feedback", status_code=status.HTTP_201_CREATED)
def feedback(
    body: FeedbackRequest, response: Response, who: Caller = Account, state: ApiState = State
) -> dict[str, Any]:
    """201 for a new rating; 200 when it replaced the message's earlier one, or repeated one (a retry)."""
    account = account_of(who, body.config_id)
    try:
        saved = conv.add_feedback(
            state.engine, account, body.thread_id, body.rating, body.message_id, body.comment
        )
    except conv.ThreadNotFound:
        raise _not_found() from None
    except conv.MessageNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "message not found in this conversation") from None
    if not saved.created:
        response.status_code = status.HTTP_200_OK
    return {"feedback_id": saved.id, "thread_id": body.thread_id, "created": saved.created}


@router.get("/status")
def agent_status(
    config_id: AccountQuery = None,
    who: Caller = Account,
    state: ApiState = State,
) -> dict[str, Any]:
    """Whether the agent can answer, and in which mode (offline without an Anthropic API key)."""
    settings = state.settings
    online = bool(settings.agent_anthropic_api_key)
    result: dict[str, Any] = {
        "status": "ready",
        "mode": "online" if online else "offline",
        "model": settings.agent_llm_model if online else None,
        "auth": {"api_key": bool(state.settings.ml_api_key), "jwt": bool(state.settings.jwt_secret)},
        "rate_limit_per_minute": state.settings.api_rate_limit_per_minute,
    }
    if who.config_id is not None or config_id is not None:
        account = _known_account(state, account_of(who, config_id))  # an unknown one: the chat's 404
        result |= {"config_id": account, "conversations": conv.count_threads(state.engine, account)}
    result["auth_configured"] = auth_configured(state.settings)
    return result
