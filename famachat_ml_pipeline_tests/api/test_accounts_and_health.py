"""An unknown account is a 404 on the conversations' list as on the chat, and the detailed health says
whether an LLM key is configured (never the key) and which model: in-process, on real SQLite and Postgres."""

from __future__ import annotations

from fastapi.testclient import TestClient

from famachat_ml_pipeline.api.app import create_app
from famachat_ml_pipeline_tests.api.conftest import KEY, A, api_settings

UNKNOWN = 987  # no campaign of this config_id in the demo


def test_the_conversations_of_an_unknown_account_are_a_404_as_its_chat(client: TestClient) -> None:
    chat = client.post("/api/v1/agent/chat", json={"message": "oi", "config_id": UNKNOWN}, headers=KEY)
    listed = client.get(f"/api/v1/agent/conversations?config_id={UNKNOWN}", headers=KEY)
    assert chat.status_code == 404, chat.text
    assert (listed.status_code, listed.json()) == (404, chat.json()), listed.text
    known = client.get(f"/api/v1/agent/conversations?config_id={A}", headers=KEY)
    assert known.status_code == 200 and isinstance(known.json(), list), known.text


def test_the_status_of_an_unknown_account_is_a_404_as_its_chat(client: TestClient) -> None:
    """agent30: the status answered 200 with 0 conversations for an account the chat does not know."""
    chat = client.post("/api/v1/agent/chat", json={"message": "oi", "config_id": UNKNOWN}, headers=KEY)
    asked = client.get(f"/api/v1/agent/status?config_id={UNKNOWN}", headers=KEY)
    assert (asked.status_code, asked.json()) == (404, chat.json()), asked.text
    known = client.get(f"/api/v1/agent/status?config_id={A}", headers=KEY)
    assert known.status_code == 200 and known.json()["config_id"] == A, known.text
    # no account asked: the agent's own status, as before
    assert client.get("/api/v1/agent/status", headers=KEY).status_code == 200


def test_the_detailed_health_says_whether_an_llm_key_is_set_and_the_model(
    client: TestClient, demo_url: str
) -> None:
    offline = client.get("/api/v1/health/detailed").json()
    model = api_settings(demo_url).agent_llm_model
    assert offline["agent"] == {"llm_key_configured": False, "mode": "offline", "model": model}, offline
    secret = "sk-ant-never-shown-0123456789"
    with TestClient(create_app(api_settings(demo_url, AGENT_ANTHROPIC_API_KEY=secret))) as online:
        response = online.get("/api/v1/health/detailed")
    body = response.json()
    assert body["agent"] == {"llm_key_configured": True, "mode": "online", "model": model}, body
    assert secret not in response.text and "sk-ant" not in response.text
