"""An integrator's bad days: refused values, retried feedback, a database that cannot answer, two
questions at once in one conversation, a client that leaves mid-stream."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from famachat_ml_pipeline.api.app import create_app
from famachat_ml_pipeline.db import conversations as conv
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline_tests.agent.fake_anthropic import Stall, fake_anthropic
from famachat_ml_pipeline_tests.api.conftest import API_KEY, KEY, A, api_settings, bearer
from famachat_ml_pipeline_tests.api.test_server import Server
from famachat_ml_pipeline_tests.conftest import _admin_conn

CHAT = "/api/v1/agent/chat"
FEEDBACK = "/api/v1/agent/feedback"


def _rows(url: str, thread_id: str) -> list[tuple]:
    f = conv.agent_feedback
    with get_engine(url).connect() as conn:
        query = sa.select(f.c.message_id, f.c.rating, f.c.comment).where(f.c.thread_id == thread_id)
        return [tuple(r) for r in conn.execute(query.order_by(f.c.id))]


def test_nul_characters_and_booleans_are_refused_not_stored(client: TestClient, demo_url: str) -> None:
    thread = f"nul-{time.time_ns()}"
    assert client.post(
        CHAT, json={"message": "oi", "config_id": A, "thread_id": thread}, headers=KEY
    ).is_success
    refused = [
        (CHAT, {"message": "qual o CPL?\x00", "config_id": A, "thread_id": thread}),
        (CHAT, {"message": "oi", "config_id": True}),
        (FEEDBACK, {"config_id": A, "thread_id": thread, "rating": 4, "comment": "bom\x00"}),
        (FEEDBACK, {"config_id": A, "thread_id": thread, "rating": True}),
        ("/api/v1/recommendations/1/dismiss", {"config_id": A, "reason": "não\x00"}),
    ]
    for path, body in refused:
        response = client.post(path, json=body, headers=KEY)
        assert response.status_code == 422, (path, body, response.text)
    assert len(conv.get_messages(get_engine(demo_url), A, thread)) == 2 and _rows(demo_url, thread) == []


def test_values_past_the_databases_are_refused_as_422_never_a_500(client: TestClient, demo_url: str) -> None:
    """Each was a 500 with a traceback: an id past the databases' INTEGER (psycopg NumericValueOutOfRange,
    SQLite OverflowError), a lone surrogate (valid JSON, no storable text), and a number past floats or
    NaN, which made the 422 handler itself fail; a JWT claim "²" (a digit to str.isdigit, no int)."""
    thread = f"range-{time.time_ns()}"
    big, huge = 2**31, 2**63
    refused = [
        (CHAT, {"message": "oi", "config_id": big}),
        (CHAT, {"message": "oi", "config_id": huge}),
        (CHAT, {"message": "oi \ud800", "config_id": A}),
        (CHAT, {"message": "oi", "config_id": A, "thread_id": "surr\ud800"}),
        ("/api/v1/agent/chat/stream", {"message": "oi \ud800", "config_id": A}),
        (FEEDBACK, {"config_id": A, "thread_id": thread, "rating": 4, "message_id": big}),
        (FEEDBACK, {"config_id": A, "thread_id": thread, "rating": 4, "comment": "\udfff"}),
        (f"/api/v1/recommendations/{big}/apply", {"config_id": A}),
        (f"/api/v1/anomalies/{huge}/acknowledge", {"config_id": A}),
        ("/api/v1/recommendations/1/dismiss", {"config_id": A, "reason": "\ud800"}),
    ]
    for path, body in refused:
        # the body as a client sends it: JSON text, a surrogate as its escape "\\ud800"
        raw = json.dumps(body)
        response = client.post(path, content=raw, headers=KEY | {"content-type": "application/json"})
        assert response.status_code == 422, (path, raw, response.status_code, response.text)
    for raw in ('{"message": "oi", "config_id": 1e400}', '{"message": "oi", "config_id": NaN}'):
        response = client.post(CHAT, content=raw, headers=KEY | {"content-type": "application/json"})
        assert response.status_code == 422, (raw, response.text)
    for path in ("/api/v1/agent/status", "/api/v1/agent/conversations"):
        assert client.get(path, params={"config_id": big}, headers=KEY).status_code == 422, path
    # a path's thread id as the bodies': a NUL is no thread id (a 500 on Postgres)
    bad = client.get("/api/v1/agent/conversations/a%00b", params={"config_id": A}, headers=KEY)
    assert bad.status_code == 422, bad.text
    cleared = client.post("/api/v1/agent/conversations/a%00b/clear", json={"config_id": A}, headers=KEY)
    assert cleared.status_code == 422, cleared.text
    assert _rows(demo_url, thread) == []
    for claim in ("²", big, "99999999999999999999999"):
        response = client.post(CHAT, json={"message": "oi"}, headers=bearer(claim))  # type: ignore[arg-type]
        assert response.status_code == 401, (claim, response.text)


def test_feedback_sent_again_is_counted_once(client: TestClient, demo_url: str) -> None:
    answer = client.post(CHAT, json={"message": "qual o CPL?", "config_id": A}, headers=KEY).json()
    thread, message = answer["thread_id"], answer["message_id"]
    rate = {"config_id": A, "thread_id": thread, "message_id": message}
    first = client.post(FEEDBACK, json=rate | {"rating": 5}, headers=KEY)
    retry = client.post(FEEDBACK, json=rate | {"rating": 5}, headers=KEY)
    changed = client.post(FEEDBACK, json=rate | {"rating": 2, "comment": "errou"}, headers=KEY)
    assert [first.status_code, retry.status_code, changed.status_code] == [201, 200, 200]
    assert first.json()["feedback_id"] == retry.json()["feedback_id"] == changed.json()["feedback_id"]
    whole = {"config_id": A, "thread_id": thread, "rating": 4}
    assert client.post(FEEDBACK, json=whole, headers=KEY).status_code == 201
    assert client.post(FEEDBACK, json=whole, headers=KEY).status_code == 200  # a retry
    assert client.post(FEEDBACK, json=whole | {"rating": 3}, headers=KEY).status_code == 201  # another vote
    assert _rows(demo_url, thread) == [(message, 2, "errou"), (None, 4, None), (None, 3, None)]

    missing = client.post(FEEDBACK, json=rate | {"message_id": message + 10_000, "rating": 1}, headers=KEY)
    assert missing.status_code == 404 and "message" in missing.json()["detail"]


def _hold_write_lock(url: str) -> sqlite3.Connection:
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing: the API's writes wait, then fail
    return holder


def _refuse_connections(url: str, refuse: bool) -> None:
    name = sa.engine.make_url(url).database
    with _admin_conn() as admin:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(not refuse).lower()}')
        if refuse:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])


def test_a_database_that_cannot_answer_is_a_503_in_pt_br(migrated_url: str) -> None:
    engine = get_engine(migrated_url)
    conv.open_thread(engine, A, "kept")
    with TestClient(create_app(api_settings(migrated_url))) as client:
        if migrated_url.startswith("sqlite"):
            holder = _hold_write_lock(migrated_url)
            try:
                response = client.post(
                    FEEDBACK, json={"config_id": A, "thread_id": "kept", "rating": 5}, headers=KEY
                )
            finally:
                holder.close()
        else:
            engine.dispose()
            _refuse_connections(migrated_url, True)
            try:
                response = client.get("/api/v1/agent/conversations", params={"config_id": A}, headers=KEY)
            finally:
                _refuse_connections(migrated_url, False)
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
        assert response.json() == {
            "detail": "O banco de dados não está respondendo agora. Tente novamente em instantes."
        }
        # once it answers again, so does the API
        assert client.get("/api/v1/agent/conversations", params={"config_id": A}, headers=KEY).is_success


def _post(base: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **KEY}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        raw = response.read().decode()
    if path.endswith("/stream"):
        return json.loads(raw.rsplit("event: done\ndata: ", 1)[1])
    return json.loads(raw)


def _messages(base: str, thread: str) -> list[dict]:
    request = urllib.request.Request(f"{base}/api/v1/agent/conversations/{thread}?config_id={A}", headers=KEY)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["messages"]


def test_questions_sent_at_once_to_one_conversation_are_answered_in_turn(
    demo_url: str, tmp_path: Path
) -> None:
    server = Server(demo_url, {"ML_API_KEY": API_KEY}, tmp_path)
    try:
        thread = f"busy-{time.time_ns()}"
        questions = ["qual o CPL?", "quanto gastei ontem?", "quais campanhas devo pausar?", "oi"] * 2
        paths = [f"{CHAT}/stream" if i % 2 else CHAT for i in range(len(questions))]
        with ThreadPoolExecutor(len(questions)) as pool:
            replies = list(
                pool.map(
                    lambda q, p: _post(server.base, p, {"message": q, "config_id": A, "thread_id": thread}),
                    questions,
                    paths,
                )
            )
        messages = _messages(server.base, thread)
    finally:
        server.stop()
    assert [m["role"] for m in messages] == ["user", "assistant"] * len(questions)
    # each answer right after its own question, the one it was given for
    by_id = {r["message_id"]: r for r in replies}
    for question, answer in zip(messages[::2], messages[1::2], strict=True):
        asked = by_id[answer["id"]]
        assert questions[replies.index(asked)] == question["content"] and asked["answer"] == answer["content"]


def test_a_client_that_leaves_mid_stream_still_gets_its_answer_stored(demo_url: str, tmp_path: Path) -> None:
    # The model answers nothing for 3 s (the client gives up after 1 s): the agent then answers offline.
    with fake_anthropic([Stall(3)]) as fake:
        env = {
            "ML_API_KEY": API_KEY,
            "AGENT_ANTHROPIC_API_KEY": "sk-fake",
            "ANTHROPIC_BASE_URL": fake.url,
            "AGENT_MAX_RETRIES": "0",
            "AGENT_TIMEOUT_SECONDS": "1",
        }
        server = Server(demo_url, env, tmp_path)
        try:
            thread = f"left-{time.time_ns()}"
            body = json.dumps({"message": "qual o CPL?", "config_id": A, "thread_id": thread}).encode()
            request = urllib.request.Request(
                server.base + f"{CHAT}/stream", data=body, headers={"Content-Type": "application/json", **KEY}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.readline().startswith(b"event: thread")  # then the reader closes
            deadline = time.monotonic() + 20
            while len(messages := _messages(server.base, thread)) < 2 and time.monotonic() < deadline:
                time.sleep(0.3)
        finally:
            server.stop()
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "modo offline" in messages[1]["content"] and messages[1]["mode"] == "offline"


def test_an_oversized_body_is_refused_before_parsing(client: TestClient, demo_url: str) -> None:
    from famachat_ml_pipeline.api.body_limit import MAX_BODY_BYTES

    thread = f"big-{time.time_ns()}"
    big = {"message": "a" * MAX_BODY_BYTES, "config_id": A, "thread_id": thread}
    declared = client.post(CHAT, json=big, headers=KEY)
    payload = json.dumps(big).encode()
    chunked = client.post(  # no Content-Length: the size is counted as the body arrives
        CHAT,
        content=(payload[i : i + 8192] for i in range(0, len(payload), 8192)),
        headers=KEY | {"Content-Type": "application/json"},
    )
    for response in (declared, chunked):
        assert response.status_code == 413, response.text
        assert "KB" in response.json()["detail"]
    with pytest.raises(conv.ThreadNotFound):  # nothing stored: the thread was never started
        conv.get_messages(get_engine(demo_url), A, thread)
    # a body just under the limit still reaches validation (the message is over 4,000 characters: 422),
    # and an ordinary one is answered, its body replayed whole to the route
    near = {"message": "a" * (MAX_BODY_BYTES // 2), "config_id": A, "thread_id": thread}
    assert client.post(CHAT, json=near, headers=KEY).status_code == 422
    ok = client.post(CHAT, json={"message": "qual o CPL?", "config_id": A, "thread_id": thread}, headers=KEY)
    assert ok.status_code == 200 and ok.json()["thread_id"] == thread
