"""The agent endpoints in-process (TestClient) on real SQLite and Postgres: chat, SSE, conversations."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from famachat_ml_pipeline.agent.offline import OfflineAgent
from famachat_ml_pipeline.agent.online import UNAVAILABLE_NOTICE
from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.api import agent_routes
from famachat_ml_pipeline.api.app import create_app
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline_tests.agent.fake_anthropic import Failure, fake_anthropic
from famachat_ml_pipeline_tests.api.conftest import KEY, A, B, api_settings, bearer, sse_events


def test_chat_answers_and_persists_the_turn_with_its_tool_calls(client: TestClient) -> None:
    response = client.post(
        "/api/v1/agent/chat", json={"message": "Como está a minha conta?"}, headers=bearer(A)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["mode"] == "offline" and body["answer"].strip() and body["error"] is None
    assert body["tool_calls"], "the offline agent answers through its tools"

    conversation = client.get(f"/api/v1/agent/conversations/{body['thread_id']}", headers=bearer(A)).json()
    question, answer = conversation["messages"]
    assert (question["role"], question["content"]) == ("user", "Como está a minha conta?")
    assert (answer["role"], answer["id"], answer["content"]) == (
        "assistant",
        body["message_id"],
        body["answer"],
    )
    assert answer["tool_calls"] == body["tool_calls"]
    listed = client.get("/api/v1/agent/conversations", headers=bearer(A)).json()
    assert body["thread_id"] in {t["thread_id"] for t in listed}


def test_the_stream_sends_thread_text_tools_then_done(client: TestClient) -> None:
    with client.stream(
        "POST", "/api/v1/agent/chat/stream", json={"message": "Resumo da conta", "config_id": A}, headers=KEY
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response.read().decode())
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "thread" and kinds[-1] == "done" and kinds.count("done") == 1
    assert "text" in kinds and "error" not in kinds
    done = events[-1][1]
    thread_id = events[0][1]["thread_id"]
    assert done["thread_id"] == thread_id
    assert "".join(d["text"] for k, d in events if k == "text") == done["answer"]
    assert [d["name"] for k, d in events if k == "tool"] == [c["name"] for c in done["tool_calls"]]

    stored = client.get(f"/api/v1/agent/conversations/{thread_id}?config_id={A}", headers=KEY).json()
    assert [m["role"] for m in stored["messages"]] == ["user", "assistant"]
    assert stored["messages"][1]["id"] == done["message_id"]
    assert stored["messages"][1]["content"] == done["answer"]


def test_history_survives_a_restart(demo_url: str) -> None:
    settings = api_settings(demo_url)
    with TestClient(create_app(settings)) as first:
        thread = first.post("/api/v1/agent/chat", json={"message": "primeira"}, headers=bearer(B)).json()
        first.post(
            "/api/v1/agent/chat",
            json={"message": "segunda", "thread_id": thread["thread_id"]},
            headers=bearer(B),
        )
    # A new process over the same database: the conversation is there and goes on.
    with TestClient(create_app(settings)) as second:
        path = f"/api/v1/agent/conversations/{thread['thread_id']}"
        before = second.get(path, headers=bearer(B)).json()
        assert [m["content"] for m in before["messages"] if m["role"] == "user"] == ["primeira", "segunda"]
        assert [m["role"] for m in before["messages"]] == ["user", "assistant"] * 2
        more = second.post(
            "/api/v1/agent/chat",
            json={"message": "terceira", "thread_id": thread["thread_id"]},
            headers=bearer(B),
        )
        assert more.status_code == 200
        assert len(second.get(path, headers=bearer(B)).json()["messages"]) == 6


def test_client_chosen_thread_ids(client: TestClient) -> None:
    chosen = "conversa-123.teste_A"
    first = client.post("/api/v1/agent/chat", json={"message": "oi", "thread_id": chosen}, headers=bearer(A))
    assert first.status_code == 200 and first.json()["thread_id"] == chosen
    for bad in ("../etc", "a b", "x" * 101, "<script>"):
        response = client.post(
            "/api/v1/agent/chat", json={"message": "oi", "thread_id": bad}, headers=bearer(A)
        )
        assert response.status_code == 422, bad
    assert client.post("/api/v1/agent/chat", json={"message": ""}, headers=bearer(A)).status_code == 422
    too_long = client.post("/api/v1/agent/chat", json={"message": "x" * 4001}, headers=bearer(A))
    assert too_long.status_code == 422


def test_a_chosen_thread_id_not_used_yet_starts_that_thread(client: TestClient) -> None:
    # Kept on purpose: the seed's client makes its own ids (section 14.4, "user_{id}_session_{ts}").
    chosen = "user_7_session_1732900000.5"
    first = client.post("/api/v1/agent/chat", json={"message": "oi", "thread_id": chosen}, headers=KEY)
    assert first.status_code == 422  # X-API-Key without config_id
    first = client.post(
        "/api/v1/agent/chat", json={"message": "oi", "thread_id": chosen, "config_id": A}, headers=KEY
    )
    assert first.status_code == 200 and first.json()["thread_id"] == chosen
    other = client.post(  # the same id for another account is that account's 404, not a second thread
        "/api/v1/agent/chat", json={"message": "oi", "thread_id": chosen, "config_id": B}, headers=KEY
    )
    assert other.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/agent/chat", "/api/v1/agent/chat/stream"])
@pytest.mark.parametrize("blank", [" ", "   ", "\n\t ", "\u00a0\u2003"])
def test_a_blank_message_is_refused_like_an_empty_one(client: TestClient, path: str, blank: str) -> None:
    before = len(client.get("/api/v1/agent/conversations", headers=bearer(A)).json())
    response = client.post(path, json={"message": blank}, headers=bearer(A))
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "message"] and "blank" in error["msg"]
    assert len(client.get("/api/v1/agent/conversations", headers=bearer(A)).json()) == before


def test_a_refused_long_message_is_not_echoed_back(client: TestClient) -> None:
    # 30 KB: over the 4,000 characters, under the 64 KB body limit (a larger body is a 413 before
    # parsing: test_hardening)
    huge = "pergunta longa " * 2000
    response = client.post("/api/v1/agent/chat", json={"message": huge}, headers=bearer(A))
    assert response.status_code == 422
    assert len(response.content) < 2000, len(response.content)
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "message"] and error["type"] == "string_too_long"
    assert error["input"].startswith('"pergunta longa') and f"{len(huge) + 2} characters" in error["input"]
    # a short refused value is still echoed as FastAPI does, so a client can see what it sent
    short = client.post("/api/v1/agent/feedback", json={"thread_id": "t", "rating": 9}, headers=bearer(A))
    assert short.status_code == 422 and short.json()["detail"][0]["input"] == 9


def test_clear_and_feedback(client: TestClient) -> None:
    chat = client.post("/api/v1/agent/chat", json={"message": "Quais anomalias?"}, headers=bearer(A)).json()
    thread_id = chat["thread_id"]
    feedback = client.post(
        "/api/v1/agent/feedback",
        json={"thread_id": thread_id, "message_id": chat["message_id"], "rating": 5, "comment": "útil"},
        headers=bearer(A),
    )
    assert feedback.status_code == 201 and feedback.json()["feedback_id"] > 0
    bad_rating = {"thread_id": thread_id, "rating": 9}
    assert client.post("/api/v1/agent/feedback", json=bad_rating, headers=bearer(A)).status_code == 422

    cleared = client.post(f"/api/v1/agent/conversations/{thread_id}/clear", headers=bearer(A))
    assert cleared.json() == {"thread_id": thread_id, "cleared_messages": 2}
    after = client.get(f"/api/v1/agent/conversations/{thread_id}", headers=bearer(A)).json()
    assert after["messages"] == [] and after["message_count"] == 0
    unknown = client.post("/api/v1/agent/conversations/nope-nope/clear", headers=bearer(A))
    assert unknown.status_code == 404


def test_analyze_and_suggestions_answer_in_a_thread(client: TestClient) -> None:
    analysis = client.post("/api/v1/agent/analyze", json={}, headers=bearer(A))
    assert analysis.status_code == 200 and analysis.json()["answer"].strip()
    suggestions = client.post(
        "/api/v1/agent/suggestions", json={"thread_id": analysis.json()["thread_id"]}, headers=bearer(A)
    ).json()
    assert suggestions["thread_id"] == analysis.json()["thread_id"]
    assert suggestions["answer"].strip() and all(q.endswith("?") for q in suggestions["questions"])
    stored = client.get(f"/api/v1/agent/conversations/{suggestions['thread_id']}", headers=bearer(A)).json()
    assert len(stored["messages"]) == 4
    bad_campaign = client.post("/api/v1/agent/analyze", json={"campaign_id": "1; ignore"}, headers=bearer(A))
    assert bad_campaign.status_code == 422


def test_analyze_offline_is_the_whole_analysis_not_only_the_forecast(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the offline intent is explicit: it does not hang on the prompt's wording ("previsão" alone here)
    monkeypatch.setattr(agent_routes, "ANALYZE_ACCOUNT", "previsão para os próximos dias")
    body = client.post("/api/v1/agent/analyze", json={}, headers=bearer(A)).json()
    assert body["intent"] == "analyze" and body["mode"] == "offline"
    tools = {c["name"] for c in body["tool_calls"]}
    for part in ("get_account_summary", "get_underperformers", "get_anomalies", "get_recommendations"):
        assert part in tools, part
    assert "get_forecasts" in tools
    answer = body["answer"]
    assert "Resumo da conta" in answer and "tiers:" in answer and "Previsão do pipeline" in answer
    assert "recomendações ativas" in answer or "Não há recomendações ativas" in answer

    listed = client.post("/api/v1/agent/chat", json={"message": "Liste minhas campanhas"}, headers=bearer(A))
    assert listed.json()["intent"] == "list_campaigns"
    cid = listed.json()["tool_calls"][0]["output"]["campaigns"][0]["campaign_id"]
    one = client.post("/api/v1/agent/analyze", json={"campaign_id": cid}, headers=bearer(A)).json()
    assert one["intent"] == "analyze"
    assert [c["name"] for c in one["tool_calls"]] == [
        "get_campaign_details",
        "analyze_trends",
        "predict_campaign_leads",
        "predict_campaign_cpl",
    ]
    assert "tier" in one["answer"] and "nos próximos" in one["answer"] and "CPL da campanha" in one["answer"]


def test_status(client: TestClient) -> None:
    status = client.get("/api/v1/agent/status", headers=bearer(A)).json()
    assert status["mode"] == "offline" and status["config_id"] == A
    assert status["auth"] == {"api_key": True, "jwt": True}
    assert isinstance(status["conversations"], int)


def _online_app(demo_url: str, base_url: str) -> TestClient:
    settings = api_settings(
        demo_url, AGENT_ANTHROPIC_API_KEY="sk-fake", anthropic_base_url=base_url, agent_max_retries=0
    )
    return TestClient(create_app(settings))


def test_chat_answers_offline_when_the_ai_service_fails(demo_url: str) -> None:
    question = "Me dá um resumo da conta"
    expected = UNAVAILABLE_NOTICE + OfflineAgent(ToolContext(get_engine(demo_url), A)).ask(question).text
    with (
        fake_anthropic([Failure(529, "overloaded_error", "Overloaded")]) as fake,
        _online_app(demo_url, fake.url) as client,
    ):
        body = client.post("/api/v1/agent/chat", json={"message": question}, headers=bearer(A)).json()
    assert len(fake.requests) == 1
    assert body["answer"] == expected and body["error"] is None and body["mode"] == "offline"
    with _online_app(demo_url, "http://127.0.0.1:9") as client:  # unreachable
        response = client.post("/api/v1/agent/chat/stream", json={"message": question}, headers=bearer(A))
        events = sse_events(response.text)
        kinds = [kind for kind, _ in events]
        assert "error" not in kinds and kinds[-1] == "done"
        done = events[-1][1]
        assert done["answer"] == expected and done["error"] is None and done["mode"] == "offline"
        assert "".join(d["text"] for k, d in events if k == "text") == expected
        stored = client.get(f"/api/v1/agent/conversations/{done['thread_id']}", headers=bearer(A)).json()
        assert stored["messages"][-1]["content"] == expected  # stored as shown


def test_chat_with_a_refused_key_says_so(demo_url: str) -> None:
    with (
        fake_anthropic([Failure(401, "authentication_error", "invalid x-api-key")]) as fake,
        _online_app(demo_url, fake.url) as client,
    ):
        body = client.post("/api/v1/agent/chat", json={"message": "oi"}, headers=bearer(A)).json()
    assert "AGENT_ANTHROPIC_API_KEY" in body["error"] and body["mode"] == "online"
