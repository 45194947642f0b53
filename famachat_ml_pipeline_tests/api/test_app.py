"""The app around the routes: health, rate limit, CORS, logs without bodies or secrets, the chat page."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from famachat_ml_pipeline.api.app import create_app
from famachat_ml_pipeline.api.logs import JsonFormatter, log
from famachat_ml_pipeline.api.ratelimit import RateLimiter
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.preflight import SchemaBehind
from famachat_ml_pipeline_tests.api.conftest import API_KEY, KEY, A, B, api_settings, bearer, token


def test_health_endpoints(client: TestClient) -> None:
    assert client.get("/api/v1/health").json()["status"] == "healthy"
    assert client.get("/api/v1/health/live").json()["status"] == "alive"
    ready = client.get("/api/v1/health/ready")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
    detailed = client.get("/api/v1/health/detailed").json()
    assert detailed["status"] == "healthy" and detailed["checks"]["database"] == "ok"


def test_ready_and_detailed_fail_when_the_database_lacks_the_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    migrate(url)
    with TestClient(create_app(api_settings(url))) as client:
        assert client.get("/api/v1/health/ready").status_code == 200
        with get_engine(url).begin() as conn:
            conn.exec_driver_sql("ALTER TABLE agent_threads RENAME TO agent_threads_moved")
        ready = client.get("/api/v1/health/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("error")
        assert client.get("/api/v1/health/detailed").status_code == 503
        assert client.get("/api/v1/health/live").status_code == 200  # the process itself is alive


def test_rate_limit_per_key(demo_url: str) -> None:
    with TestClient(create_app(api_settings(demo_url, api_rate_limit_per_minute=3))) as client:
        path = f"/api/v1/agent/conversations?config_id={A}"
        assert [client.get(path, headers=KEY).status_code for _ in range(3)] == [200] * 3
        limited = client.get(path, headers=KEY)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        # Another key (account B's token) has its own budget; health is never limited.
        assert client.get("/api/v1/agent/conversations", headers=bearer(B)).status_code == 200
        assert client.get("/api/v1/health/live").status_code == 200


def test_refused_credentials_are_rate_limited_per_client(demo_url: str) -> None:
    with TestClient(create_app(api_settings(demo_url, api_rate_limit_per_minute=3))) as client:
        path = "/api/v1/agent/conversations"
        guesses = [client.get(path, headers={"X-API-Key": f"guess-{i}"}).status_code for i in range(4)]
        assert guesses == [401, 401, 401, 429]
        # The right key still works: it has its own budget.
        assert client.get(f"{path}?config_id={A}", headers=KEY).status_code == 200


def test_rate_limiter_window_slides() -> None:
    now = [1000.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.hit("k") == 0 and limiter.hit("k") == 0
    assert limiter.hit("k") == 60
    now[0] += 30
    assert limiter.hit("k") == 30 and limiter.hit("other") == 0
    now[0] += 30.5
    assert limiter.hit("k") == 0


def test_cors_origins_come_from_settings(demo_url: str) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key"}
    allowed = "https://app.famachat.example"
    settings = api_settings(demo_url, api_cors_origins=f"{allowed}, https://admin.famachat.example")
    with TestClient(create_app(settings)) as client:
        ok = client.options("/api/v1/agent/chat", headers={"Origin": allowed, **preflight})
        assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == allowed
        evil = client.options("/api/v1/agent/chat", headers={"Origin": "https://evil.example", **preflight})
        assert "access-control-allow-origin" not in evil.headers
    with TestClient(create_app(api_settings(demo_url))) as client:  # none configured: none allowed
        response = client.get("/api/v1/health", headers={"Origin": allowed})
        assert "access-control-allow-origin" not in response.headers


def _captured_logs(settings_overrides: dict, demo_url: str, question: str, jwt_token: str) -> tuple[str, str]:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    log.addHandler(handler)
    try:
        with TestClient(create_app(api_settings(demo_url, **settings_overrides))) as client:
            headers = {"Authorization": f"Bearer {jwt_token}"}
            answer = client.post("/api/v1/agent/chat", json={"message": question}, headers=headers).json()
            client.post(
                "/api/v1/agent/chat/stream", json={"message": question, "config_id": A}, headers=KEY
            ).read()
    finally:
        log.removeHandler(handler)
    return buffer.getvalue(), answer["answer"]


def test_logs_are_json_without_bodies_or_secrets_unless_debug(demo_url: str) -> None:
    import json

    question = "Pergunta sigilosa sobre o orçamento 98765"
    jwt_token = token(A)
    logged, answer = _captured_logs({}, demo_url, question, jwt_token)
    lines = [json.loads(line) for line in logged.strip().splitlines()]
    assert {line["event"] for line in lines} >= {"request", "agent answered"}
    assert any(line.get("path") == "/api/v1/agent/chat" and line.get("status") == 200 for line in lines)
    assert answer.strip()
    for secret in (question, "98765", answer.strip(), API_KEY, jwt_token):
        assert secret not in logged

    debug_logged, _ = _captured_logs({"api_debug_log_bodies": True}, demo_url, question, jwt_token)
    assert question in debug_logged
    assert API_KEY not in debug_logged and jwt_token not in debug_logged


def test_passing_probes_stay_out_of_the_request_log_and_failing_ones_do_not(demo_url: str) -> None:
    """Kubernetes probes the API every 10-20 s (deploy/agent-api.yaml): a passing probe is logged at
    DEBUG only, so the request log holds requests; a failing one (503) is logged as any request."""
    import json
    import logging

    import sqlalchemy as sa

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.INFO)
    log.addHandler(handler)
    try:
        with TestClient(create_app(api_settings(demo_url))) as client:
            for path in ("/api/v1/health/live", "/api/v1/health/ready", "/api/v1/health"):
                assert client.get(path).status_code == 200
            with sa.create_engine(demo_url).begin() as conn:  # the agent's tables gone: not ready
                conn.execute(sa.text("ALTER TABLE agent_threads RENAME TO agent_threads_away"))
            try:
                assert client.get("/api/v1/health/ready").status_code == 503
            finally:
                with sa.create_engine(demo_url).begin() as conn:
                    conn.execute(sa.text("ALTER TABLE agent_threads_away RENAME TO agent_threads"))
    finally:
        log.removeHandler(handler)
    logged = [json.loads(line) for line in buffer.getvalue().strip().splitlines()]
    requests = [(line["path"], line["status"]) for line in logged if line["event"] == "request"]
    assert requests == [("/api/v1/health", 200), ("/api/v1/health/ready", 503)]


def test_the_chat_page_is_self_contained(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "/api/v1/agent/chat/stream" in html and 'id="question"' in html
    assert "http://" not in html and "https://" not in html  # no CDN, nothing from outside
    assert "innerHTML" not in html  # answers are rendered as text


def test_the_app_refuses_a_database_that_was_never_migrated(tmp_path: Path) -> None:
    # The API never migrates (its role may have no DDL; the database may not be FamaChat's): one line.
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    with pytest.raises(SchemaBehind, match="never migrated.*famachat-ml migrate"):
        create_app(api_settings(url))
    assert sa.inspect(get_engine(url)).get_table_names() == []  # nothing created
