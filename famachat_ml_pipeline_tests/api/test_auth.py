"""Access control: nothing open by default, bad credentials refused, a JWT for A never reaches B."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from famachat_ml_pipeline.api.app import create_app
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.db.schema import ml_anomalies, ml_recommendations
from famachat_ml_pipeline.db.user_decisions import ANOMALY_USER_COLUMNS, RECOMMENDATION_USER_COLUMNS
from famachat_ml_pipeline_tests.api.conftest import JWT_SECRET, KEY, A, B, api_settings, bearer, token

# Every protected endpoint, with a body valid for the API key naming account A.
PROTECTED = [
    ("POST", "/api/v1/agent/chat", {"message": "oi", "config_id": A}),
    ("POST", "/api/v1/agent/chat/stream", {"message": "oi", "config_id": A}),
    ("POST", "/api/v1/agent/analyze", {"config_id": A}),
    ("POST", "/api/v1/agent/suggestions", {"config_id": A}),
    ("GET", f"/api/v1/agent/conversations?config_id={A}", None),
    ("GET", f"/api/v1/agent/conversations/x?config_id={A}", None),
    ("POST", "/api/v1/agent/conversations/x/clear", {"config_id": A}),
    ("POST", "/api/v1/agent/feedback", {"config_id": A, "thread_id": "x", "rating": 5}),
    ("GET", "/api/v1/agent/status", None),
    ("POST", "/api/v1/recommendations/1/apply", {"config_id": A}),
    ("POST", "/api/v1/recommendations/1/dismiss", {"config_id": A, "reason": "não se aplica"}),
    ("POST", "/api/v1/anomalies/1/acknowledge", {"config_id": A}),
]
OTHER_SECRET = "attacker-chosen-secret-of-32-bytes!!"
HEALTH = ["/api/v1/health", "/api/v1/health/detailed", "/api/v1/health/ready", "/api/v1/health/live"]


def _call(client: TestClient, method: str, path: str, body: dict | None, headers: dict[str, str]):  # noqa: ANN202
    return client.request(method, path, json=body, headers=headers)


def test_nothing_is_open_without_a_configured_secret(demo_url: str) -> None:
    app = create_app(api_settings(demo_url, ml_api_key=None, jwt_secret=None))
    with TestClient(app) as client:
        for method, path, body in PROTECTED:
            for headers in ({}, KEY, bearer(A)):
                response = _call(client, method, path, body, headers)
                assert response.status_code == 503, (path, response.text)
                assert "not configured" in response.json()["detail"]
        for path in HEALTH:  # health stays open, and says auth is missing
            assert client.get(path).status_code == 200
        assert client.get("/api/v1/health/detailed").json()["checks"]["auth"].startswith("not configured")


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"X-API-Key": "wrong-key"}, id="wrong-key"),
        pytest.param({"X-API-Key": ""}, id="empty-key"),
        pytest.param({"Authorization": "Bearer not-a-jwt"}, id="garbage-jwt"),
        pytest.param({"Authorization": f"Bearer {token(A, expires_in=-5)}"}, id="expired-jwt"),
        pytest.param({"Authorization": f"Bearer {token(A, secret=OTHER_SECRET)}"}, id="bad-signature"),
        pytest.param({"X-API-Key": token(A, expires_in=-5)}, id="expired-jwt-as-key"),
    ],
)
def test_bad_credentials_are_refused_everywhere(client: TestClient, headers: dict[str, str]) -> None:
    for method, path, body in PROTECTED:
        response = _call(client, method, path, body, headers)
        assert response.status_code == 401, (path, response.status_code, response.text)


def test_jwt_shapes_that_are_refused(client: TestClient) -> None:
    now = dt.datetime.now(dt.UTC)
    unsigned = jwt.encode({"config_id": A, "exp": now + dt.timedelta(minutes=5)}, key=None, algorithm="none")
    hs512 = jwt.encode({"config_id": A, "exp": now + dt.timedelta(minutes=5)}, JWT_SECRET, algorithm="HS512")
    no_exp = jwt.encode({"config_id": A}, JWT_SECRET, algorithm="HS256")
    cases = {
        "alg none": unsigned,
        "HS512 (not the agreed algorithm)": hs512,
        "no exp": no_exp,
        "no config_id claim": token(None),
        "config_id 0": token(0),
        "config_id negative": token(-3),
        "config_id not a number": token("1; DROP TABLE x"),  # type: ignore[arg-type]
    }
    for name, value in cases.items():
        response = client.get("/api/v1/agent/conversations", headers={"Authorization": f"Bearer {value}"})
        assert response.status_code == 401, name
    expired = client.get("/api/v1/agent/status", headers=bearer(A, expires_in=-1))
    assert expired.json()["detail"] == "token expired"


def test_good_credentials(client: TestClient) -> None:
    assert client.get(f"/api/v1/agent/conversations?config_id={A}", headers=KEY).status_code == 200
    assert client.get("/api/v1/agent/conversations", headers=bearer(A)).status_code == 200
    # FamaChat may put its user's JWT in X-API-Key (seed 10.2): it is then a JWT, with its account.
    assert client.get("/api/v1/agent/conversations", headers={"X-API-Key": token(A)}).status_code == 200
    # The API key must name the account.
    assert client.get("/api/v1/agent/conversations", headers=KEY).status_code == 422


def _b_state(demo_url: str) -> dict[str, object]:
    engine = get_engine(demo_url)
    r, a = ml_recommendations, ml_anomalies
    with engine.connect() as conn:
        recs = conn.execute(
            sa.select(r.c.id, *[r.c[c] for c in RECOMMENDATION_USER_COLUMNS]).where(r.c.config_id == B)
        ).fetchall()
        anomalies = conn.execute(
            sa.select(a.c.id, *[a.c[c] for c in ANOMALY_USER_COLUMNS]).where(a.c.config_id == B)
        ).fetchall()
    return {"recs": sorted(map(tuple, recs)), "anomalies": sorted(map(tuple, anomalies))}


def test_a_jwt_for_account_a_never_reaches_account_b(client: TestClient, demo_url: str) -> None:
    """Adversarial: every way to name B's data with A's token (or A's account via the key). Zero leaks."""
    secret_b = "Conversa privada da conta B: orçamento 12345"
    started = client.post("/api/v1/agent/chat", json={"message": secret_b}, headers=bearer(B)).json()
    b_thread = started["thread_id"]
    b_message = started["message_id"]
    before = _b_state(demo_url)
    rec_ids = [row[0] for row in before["recs"]]
    anomaly_ids = [row[0] for row in before["anomalies"]]
    assert rec_ids and anomaly_ids, "the demo pipeline gave account B recommendations and anomalies"
    history_b = client.get(f"/api/v1/agent/conversations/{b_thread}", headers=bearer(B)).json()

    as_a = bearer(A)
    exp = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    unsigned_b = jwt.encode({"config_id": B, "exp": exp}, None, algorithm="none")
    a_thread = client.post("/api/v1/agent/chat", json={"message": "minha conversa"}, headers=as_a).json()
    cases: list[tuple[str, str, dict | None, dict[str, str], int]] = [
        # B named in the body or query
        ("POST", "/api/v1/agent/chat", {"message": "mostre a conta 2", "config_id": B}, as_a, 403),
        ("POST", "/api/v1/agent/chat/stream", {"message": "oi", "config_id": B}, as_a, 403),
        ("POST", "/api/v1/agent/analyze", {"config_id": B}, as_a, 403),
        ("POST", "/api/v1/agent/analyze", {"config_id": B, "campaign_id": "1"}, as_a, 403),
        ("POST", "/api/v1/agent/suggestions", {"config_id": B}, as_a, 403),
        ("GET", f"/api/v1/agent/conversations?config_id={B}", None, as_a, 403),
        ("GET", f"/api/v1/agent/status?config_id={B}", None, as_a, 403),
        # B's thread id
        ("GET", f"/api/v1/agent/conversations/{b_thread}", None, as_a, 404),
        ("GET", f"/api/v1/agent/conversations/{b_thread}?config_id={B}", None, as_a, 403),
        ("POST", f"/api/v1/agent/conversations/{b_thread}/clear", None, as_a, 404),
        ("POST", f"/api/v1/agent/conversations/{b_thread}/clear", {"config_id": B}, as_a, 403),
        ("POST", "/api/v1/agent/chat", {"message": "continue", "thread_id": b_thread}, as_a, 404),
        ("POST", "/api/v1/agent/chat", {"message": "x", "thread_id": b_thread, "config_id": B}, as_a, 403),
        ("POST", "/api/v1/agent/chat/stream", {"message": "continue", "thread_id": b_thread}, as_a, 404),
        ("POST", "/api/v1/agent/analyze", {"thread_id": b_thread}, as_a, 404),
        ("POST", "/api/v1/agent/suggestions", {"thread_id": b_thread}, as_a, 404),
        ("POST", "/api/v1/agent/feedback", {"thread_id": b_thread, "rating": 1}, as_a, 404),
        ("POST", "/api/v1/agent/feedback", {"thread_id": b_thread, "rating": 1, "config_id": B}, as_a, 403),
        (
            "POST",
            "/api/v1/agent/feedback",
            {"thread_id": a_thread["thread_id"], "message_id": b_message, "rating": 1},
            as_a,
            404,
        ),
        # the same through FamaChat's backend key naming account A
        ("GET", f"/api/v1/agent/conversations/{b_thread}?config_id={A}", None, KEY, 404),
        ("POST", "/api/v1/agent/chat", {"message": "x", "thread_id": b_thread, "config_id": A}, KEY, 404),
        ("POST", f"/api/v1/agent/conversations/{b_thread}/clear", {"config_id": A}, KEY, 404),
        # A's token in X-API-Key, B in the body
        ("POST", "/api/v1/agent/chat", {"message": "oi", "config_id": B}, {"X-API-Key": token(A)}, 403),
        # tokens that claim B without being valid
        ("GET", "/api/v1/agent/conversations", None, bearer(B, secret=OTHER_SECRET), 401),
        ("GET", "/api/v1/agent/conversations", None, bearer(B, expires_in=-60), 401),
        ("GET", "/api/v1/agent/conversations", None, {"Authorization": f"Bearer {unsigned_b}"}, 401),
    ]
    for rid in rec_ids:  # B's recommendations and anomalies
        cases += [
            ("POST", f"/api/v1/recommendations/{rid}/apply", {}, as_a, 404),
            ("POST", f"/api/v1/recommendations/{rid}/apply", {"config_id": B}, as_a, 403),
            ("POST", f"/api/v1/recommendations/{rid}/dismiss", {"reason": "x"}, as_a, 404),
            ("POST", f"/api/v1/recommendations/{rid}/dismiss", {"reason": "x", "config_id": B}, as_a, 403),
            ("POST", f"/api/v1/recommendations/{rid}/apply", {"config_id": A}, KEY, 404),
            ("POST", f"/api/v1/recommendations/{rid}/dismiss", {"config_id": A, "reason": "x"}, KEY, 404),
            ("POST", f"/api/v1/recommendations/{rid}/apply", {"config_id": B}, {"X-API-Key": token(A)}, 403),
        ]
    for aid in anomaly_ids:
        cases += [
            ("POST", f"/api/v1/anomalies/{aid}/acknowledge", {"resolution_notes": "x"}, as_a, 404),
            ("POST", f"/api/v1/anomalies/{aid}/acknowledge", {"config_id": B}, as_a, 403),
            ("POST", f"/api/v1/anomalies/{aid}/acknowledge", {"config_id": A}, KEY, 404),
            ("POST", f"/api/v1/anomalies/{aid}/acknowledge", {}, {"X-API-Key": token(A)}, 404),
        ]

    leaks, wrong_status = [], []
    for method, path, body, headers, expected in cases:
        response = client.request(method, path, json=body, headers=headers)
        text = response.text
        if response.is_success or secret_b in text or (b_thread in text and b_thread not in path):
            leaks.append((method, path, response.status_code))
        if response.status_code != expected:
            wrong_status.append((method, path, body, response.status_code, expected))

    # Nothing of B's changed: its conversation, its feedback, its users' columns.
    assert client.get(f"/api/v1/agent/conversations/{b_thread}", headers=bearer(B)).json() == history_b
    assert _b_state(demo_url) == before
    threads_a = client.get("/api/v1/agent/conversations", headers=as_a).json()
    assert b_thread not in {t["thread_id"] for t in threads_a}
    print(f"adversarial cross-account cases: {len(cases)}, leaks: {len(leaks)}")
    assert len(cases) >= 40
    assert leaks == []
    assert wrong_status == []
