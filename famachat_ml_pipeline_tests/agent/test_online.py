"""The online loop with the REAL anthropic client against a fake Messages API on loopback (SSE included)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from famachat_ml_pipeline.agent.offline import OfflineAgent
from famachat_ml_pipeline.agent.online import (
    UNAVAILABLE_NOTICE,
    OnlineAgent,
    history_messages,
    sampling_body,
)
from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.agent.tools import TOOLS, ToolContext, run_tool
from famachat_ml_pipeline.agent.types import ChatTurn
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline_tests.agent.conftest import DemoDb
from famachat_ml_pipeline_tests.agent.fake_anthropic import (
    Failure,
    Reply,
    Stall,
    StreamError,
    fake_anthropic,
    text,
    tool_use,
)

# The first test pays for the shared demo pipeline run, which takes minutes on a loaded 2-core machine.
pytestmark = pytest.mark.timeout(1200)

CID = 2


def _settings(db: DemoDb, url: str, **over: Any) -> Settings:
    values = {
        "database_url": db.url,
        "AGENT_ANTHROPIC_API_KEY": "sk-ant-test-key",
        "anthropic_base_url": url,
        "agent_max_retries": 0,
        "agent_timeout_seconds": 5.0,
        **over,
    }
    return Settings(**values)


def _agent(db: DemoDb, url: str, **over: Any) -> OnlineAgent:
    agent = open_agent(db.engine, CID, _settings(db, url, **over), now=db.now)
    assert isinstance(agent, OnlineAgent)
    return agent


def _tool_results(request: dict[str, Any]) -> list[dict[str, Any]]:
    last = request["body"]["messages"][-1]
    assert last["role"] == "user"
    return [b for b in last["content"] if b["type"] == "tool_result"]


def test_tool_rounds_stream_and_wire_format(demo_db: DemoDb) -> None:
    script = [
        Reply([text("Vou consultar a conta. "), tool_use("toolu_1", "get_account_summary", {})], "tool_use"),
        Reply(
            [
                tool_use("toolu_2", "get_underperformers", {"limit": 3}),
                tool_use("toolu_3", "get_recommendations", {"limit": 2}),
            ],
            "tool_use",
        ),
        Reply([text("Sua conta investiu bastante; pause a campanha com pior CPL.")]),
    ]
    with fake_anthropic(script) as fake:
        agent = _agent(demo_db, fake.url)
        events = list(
            agent.stream("Como está minha conta?", [ChatTurn("user", "oi"), ChatTurn("assistant", "Olá!")])
        )
    reply = events[-1].reply
    assert events[-1].kind == "done" and reply.error is None and reply.mode == "online"
    assert reply.text == "Vou consultar a conta. Sua conta investiu bastante; pause a campanha com pior CPL."
    # streamed in several chunks, in order, with the tool calls between them
    chunks = [e.text for e in events if e.kind == "text"]
    assert len(chunks) > 3 and "".join(chunks) == reply.text
    assert [e.tool.name for e in events if e.kind == "tool"] == [
        "get_account_summary",
        "get_underperformers",
        "get_recommendations",
    ]
    assert reply.data_through == demo_db.as_of

    assert len(fake.requests) == 3
    first = fake.requests[0]
    assert first["path"] == "/v1/messages"
    assert first["headers"].get("authorization") == "Bearer sk-ant-test-key"  # anthropic 2.x auth
    body = first["body"]
    assert body["model"] == "claude-sonnet-5-5" and body["max_tokens"] == 4096 and body["stream"] is True
    assert "temperature" not in body  # Sonnet 5.x rejects sampling parameters
    assert {t["name"] for t in body["tools"]} == set(TOOLS) and len(body["tools"]) == 21
    assert all("config_id" not in json.dumps(t["input_schema"]) for t in body["tools"])
    assert demo_db.as_of.strftime("%d/%m/%Y") in body["system"] and "NÃO CONFIÁVEL" in body["system"]
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]

    # round 2 carries the tool result of round 1: the real tool output for the bound account
    (result,) = _tool_results(fake.requests[1])
    assert result["tool_use_id"] == "toolu_1" and result["is_error"] is False
    ctx = ToolContext(demo_db.engine, CID, now=demo_db.now)
    assert json.loads(result["content"]) == run_tool(ctx, "get_account_summary", {})
    # the assistant turn with the tool_use block was sent back as the API expects
    assistant = fake.requests[1]["body"]["messages"][-2]
    assert assistant["role"] == "assistant"
    assert {"type": "tool_use", "id": "toolu_1", "name": "get_account_summary", "input": {}} in assistant[
        "content"
    ]
    assert [r["tool_use_id"] for r in _tool_results(fake.requests[2])] == ["toolu_2", "toolu_3"]
    assert reply.tool_calls[1].input == {"limit": 3}


def test_temperature_is_sent_to_models_that_accept_it(demo_db: DemoDb) -> None:
    with fake_anthropic([Reply([text("ok")])]) as fake:
        reply = _agent(demo_db, fake.url, agent_llm_model="claude-sonnet-4-6").ask("oi")
    assert reply.text == "ok"
    assert fake.requests[0]["body"]["temperature"] == 0.3
    assert sampling_body("claude-opus-5", 0.3) == {} and sampling_body("claude-haiku-4-5", 0.3) == {
        "temperature": 0.3
    }


def test_bad_tool_input_goes_back_to_the_model_as_an_error(demo_db: DemoDb) -> None:
    script = [
        Reply([tool_use("t1", "get_campaign_tier", {}), tool_use("t2", "drop_tables", {})], "tool_use"),
        Reply([text("Não consegui.")]),
    ]
    with fake_anthropic(script) as fake:
        reply = _agent(demo_db, fake.url).ask("tier?")
    results = _tool_results(fake.requests[1])
    assert [r["is_error"] for r in results] == [True, True]
    assert "campaign_id" in json.loads(results[0]["content"])["error"]
    assert "desconhecida" in json.loads(results[1]["content"])["error"]
    assert reply.error is None and reply.text == "Não consegui."


def test_tool_rounds_are_capped(demo_db: DemoDb) -> None:
    script = [Reply([tool_use(f"t{i}", "get_account_summary", {})], "tool_use") for i in range(5)]
    with fake_anthropic(script) as fake:
        reply = _agent(demo_db, fake.url, agent_max_tool_rounds=2).ask("loop")
    assert len(fake.requests) == 3 and len(reply.tool_calls) == 2
    assert reply.error is not None and "2 rodadas" in reply.error


def _offline_text(db: DemoDb, message: str) -> str:
    return OfflineAgent(ToolContext(db.engine, CID, now=db.now)).ask(message).text


UNAVAILABLE = {
    "500": [Failure(500, "api_error", "boom")],
    "529 overloaded": [Failure(529, "overloaded_error", "Overloaded")],
    "503": [Failure(503, "api_error", "unavailable")],
    "timeout": [Stall(3.0)],
    "overloaded mid-stream": [StreamError("overloaded_error", "Overloaded")],
}


@pytest.mark.parametrize("case", list(UNAVAILABLE))
def test_an_unavailable_service_gets_the_offline_answer_marked_as_such(demo_db: DemoDb, case: str) -> None:
    question = "Me dá um resumo da conta"
    with fake_anthropic(UNAVAILABLE[case]) as fake:
        events = list(_agent(demo_db, fake.url, agent_timeout_seconds=0.5).stream(question))
    assert len(fake.requests) == 1
    reply = events[-1].reply
    assert events[-1].kind == "done" and "error" not in [e.kind for e in events]
    assert reply.error is None and reply.mode == "offline" and reply.intent is not None
    assert reply.text == UNAVAILABLE_NOTICE + _offline_text(demo_db, question)
    assert "".join(e.text for e in events if e.kind == "text") == reply.text  # streamed as it is stored
    assert reply.tool_calls and [e.tool for e in events if e.kind == "tool"] == list(reply.tool_calls)
    assert "boom" not in reply.text and "Overloaded" not in reply.text


def test_an_unreachable_service_gets_the_offline_answer(
    demo_db: DemoDb, caplog: pytest.LogCaptureFixture
) -> None:
    reply = _agent(demo_db, "http://127.0.0.1:9").ask("resumo")  # nothing listens on port 9
    assert reply.error is None and reply.mode == "offline"
    assert reply.text == UNAVAILABLE_NOTICE + _offline_text(demo_db, "resumo")
    assert "APIConnectionError" in caplog.text and "answering offline" in caplog.text  # logged


def test_a_failure_after_a_tool_round_keeps_what_was_streamed(demo_db: DemoDb) -> None:
    script = [
        Reply([text("Vou consultar a conta. "), tool_use("t1", "get_account_summary", {})], "tool_use"),
        Failure(529, "overloaded_error", "Overloaded"),
    ]
    with fake_anthropic(script) as fake:
        reply = _agent(demo_db, fake.url).ask("resumo")
    assert len(fake.requests) == 2 and reply.error is None
    assert reply.text == "Vou consultar a conta. \n\n" + UNAVAILABLE_NOTICE + _offline_text(demo_db, "resumo")
    assert reply.tool_calls[0].name == "get_account_summary"  # the online round's call, then offline's


def test_a_bad_request_is_still_one_pt_br_message_not_offline(demo_db: DemoDb) -> None:
    with fake_anthropic([Failure(400, "invalid_request_error", "bad model")]) as fake:
        events = list(_agent(demo_db, fake.url).stream("oi"))
    assert [e.kind for e in events] == ["error", "done"]
    assert events[-1].reply.error == events[0].text and events[-1].reply.mode == "online"
    assert "HTTP 400" in events[0].text and "bad model" not in events[0].text


def test_rate_limit_retries_then_answers_offline(demo_db: DemoDb) -> None:
    limited = Failure(429, "rate_limit_error", "slow down", {"retry-after": "0"})
    with fake_anthropic([limited, limited]) as fake:
        reply = _agent(demo_db, fake.url, agent_max_retries=1).ask("resumo")
    assert len(fake.requests) == 2  # one retry, as configured
    assert reply.error is None and reply.mode == "offline"
    assert reply.text == UNAVAILABLE_NOTICE + _offline_text(demo_db, "resumo")


def test_rate_limit_then_success_answers(demo_db: DemoDb) -> None:
    limited = Failure(429, "rate_limit_error", "slow down", {"retry-after": "0"})
    with fake_anthropic([limited, Reply([text("Tudo certo.")])]) as fake:
        reply = _agent(demo_db, fake.url, agent_max_retries=2).ask("oi")
    assert len(fake.requests) == 2 and reply.error is None and reply.text == "Tudo certo."


def test_bad_key_is_one_pt_br_message(demo_db: DemoDb) -> None:
    with fake_anthropic([Failure(401, "authentication_error", "invalid x-api-key")]) as fake:
        reply = _agent(demo_db, fake.url).ask("oi")
    assert reply.error is not None and "AGENT_ANTHROPIC_API_KEY" in reply.error
    assert reply.mode == "online" and UNAVAILABLE_NOTICE not in reply.text  # a config problem: said so


def test_history_alternates_and_starts_with_the_user() -> None:
    turns = [
        ChatTurn("assistant", "oi"),
        ChatTurn("user", "a"),
        ChatTurn("user", "b"),
        ChatTurn("assistant", "c"),
    ]
    msgs = history_messages(turns, "d")
    assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
    assert msgs[0]["content"] == "a\n\nb" and msgs[-1]["content"] == "d"


def test_open_agent_picks_online_with_a_key(demo_db: DemoDb, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-from-env")
    settings = Settings(database_url=demo_db.url)
    assert settings.agent_anthropic_api_key is not None
    assert isinstance(open_agent(demo_db.engine, CID, settings), OnlineAgent)
    assert open_agent(demo_db.engine, CID, settings, mode="offline").ask("ajuda").mode == "offline"
