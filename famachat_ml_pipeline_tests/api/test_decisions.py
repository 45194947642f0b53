"""Users' decisions through the API, then a pipeline re-run: the users' columns stay as they were left."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from famachat_ml_pipeline.api.app import create_app
from famachat_ml_pipeline.db import user_decisions
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.db.schema import ml_anomalies, ml_recommendations
from famachat_ml_pipeline.db.user_decisions import ANOMALY_USER_COLUMNS, RECOMMENDATION_USER_COLUMNS
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline_tests.api.conftest import KEY, A, api_settings, bearer


def _users_columns(engine: sa.Engine, table: sa.Table, columns: tuple[str, ...]) -> dict[int, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.id, *[table.c[c] for c in columns])).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def test_decisions_survive_a_pipeline_rerun(settings: Settings) -> None:
    data = generate_demo(n_accounts=2, days=70, seed=3)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    (run,) = run_pipeline(settings, as_of=data.end_date, echo=lambda _: None)
    assert run.success
    r, a = ml_recommendations, ml_anomalies
    with engine.connect() as conn:  # whichever accounts the demo gave them to (it follows the clock)
        recs = conn.execute(sa.select(r.c.id, r.c.config_id).order_by(r.c.id)).fetchall()
        anomaly = conn.execute(sa.select(a.c.id, a.c.config_id).order_by(a.c.id).limit(1)).first()
    assert len(recs) >= 2 and anomaly is not None
    (applied_id, applied_account), (dismissed_id, dismissed_account) = recs[0], recs[-1]
    rec_ids = [applied_id, dismissed_id]
    anomaly_id = anomaly.id

    with TestClient(create_app(api_settings(settings.database_url))) as client:
        applied = client.post(
            f"/api/v1/recommendations/{applied_id}/apply",
            json={},
            headers=bearer(applied_account, user_id=42),
        )
        dismissed = client.post(
            f"/api/v1/recommendations/{dismissed_id}/dismiss",
            json={"config_id": dismissed_account, "user_id": 7, "reason": "orçamento congelado este mês"},
            headers=KEY,
        )
        acknowledged = client.post(
            f"/api/v1/anomalies/{anomaly_id}/acknowledge",
            json={"resolution_notes": "pixel corrigido"},
            headers=bearer(anomaly.config_id, user_id=42),
        )
        no_reason = client.post(
            f"/api/v1/recommendations/{dismissed_id}/dismiss", json={}, headers=bearer(dismissed_account)
        )
        missing = client.post("/api/v1/recommendations/999999/apply", json={}, headers=bearer(A))
    assert applied.status_code == 200 and applied.json()["was_applied"] is True
    assert applied.json()["applied_by"] == 42
    assert dismissed.status_code == 200
    assert (dismissed.json()["dismissed"], dismissed.json()["dismissed_by"]) == (True, 7)
    assert dismissed.json()["dismissed_reason"] == "orçamento congelado este mês"
    assert acknowledged.status_code == 200 and acknowledged.json()["resolution_notes"] == "pixel corrigido"
    assert no_reason.status_code == 422 and missing.status_code == 404

    recs_before = _users_columns(engine, r, RECOMMENDATION_USER_COLUMNS)
    anomalies_before = _users_columns(engine, a, ANOMALY_USER_COLUMNS)
    was_applied, applied_at, applied_by = recs_before[applied_id][:3]
    assert was_applied is True and applied_at is not None and applied_by == 42
    untouched = [v for k, v in recs_before.items() if k not in rec_ids]
    assert all(not v[0] and not v[3] for v in untouched)  # nobody else's row changed

    # The pipeline runs again for the same day (it updates its own columns of these rows in place).
    (rerun,) = run_pipeline(settings, as_of=data.end_date, echo=lambda _: None)
    assert rerun.success
    recs_after = _users_columns(engine, r, RECOMMENDATION_USER_COLUMNS)
    anomalies_after = _users_columns(engine, a, ANOMALY_USER_COLUMNS)
    for rid in rec_ids:
        assert recs_after[rid] == recs_before[rid]
    assert anomalies_after[anomaly_id] == anomalies_before[anomaly_id]
    assert anomalies_after[anomaly_id][0] is True


Picked = tuple[sa.Engine, list[tuple[int, int]]]


@pytest.fixture
def undecided(demo_url: str) -> Iterator[Picked]:
    """Three of the shared demo's recommendations, (id, config_id), with no decision; put back as they were
    after the test (other tests read the same database)."""
    engine, r = get_engine(demo_url), ml_recommendations
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.c.id, r.c.config_id).where(r.c.was_applied.is_not(True), r.c.dismissed.is_not(True))
        ).fetchall()
    assert len(rows) >= 3, "the demo gave at least three recommendations"
    picked = [(row.id, row.config_id) for row in rows[:3]]
    before = _decisions(engine)
    yield engine, picked
    with engine.begin() as conn:
        for rid, _ in picked:
            conn.execute(r.update().where(r.c.id == rid).values(before[rid]))


def _decisions(engine: sa.Engine) -> dict[int, dict[str, object]]:
    columns = RECOMMENDATION_USER_COLUMNS
    return {
        k: dict(zip(columns, v, strict=True))
        for k, v in _users_columns(engine, ml_recommendations, columns).items()
    }


def test_a_recommendation_is_applied_or_dismissed_never_both(client: TestClient, undecided: Picked) -> None:
    engine, [(applied, a_account), (dismissed, d_account), _] = undecided

    def post(rid: int, what: str, account: int, body: dict, user: int = 9) -> httpx2.Response:
        return client.post(
            f"/api/v1/recommendations/{rid}/{what}", json=body, headers=bearer(account, user_id=user)
        )

    first = post(applied, "apply", a_account, {}, user=42)
    again = post(applied, "apply", a_account, {}, user=7)
    refused = post(applied, "dismiss", a_account, {"reason": "mudei de ideia"})
    assert first.status_code == 200 and again.status_code == 200, (first.text, again.text)
    # the same decision again changes nothing: who decided and when stay the first's
    assert again.json() == first.json() and again.json()["applied_by"] == 42
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"] == (
        "Esta recomendação já foi aplicada: uma recomendação é aplicada ou descartada, não as duas."
    )

    d = post(dismissed, "dismiss", d_account, {"reason": "sem verba"}, user=5)
    d_again = post(dismissed, "dismiss", d_account, {"reason": "outro motivo"})
    d_refused = post(dismissed, "apply", d_account, {})
    assert d.status_code == 200 and d_again.json()["dismissed_reason"] == "sem verba"
    assert d_refused.status_code == 409 and "já foi descartada" in d_refused.json()["detail"]

    stored = _decisions(engine)
    assert stored[applied]["was_applied"] is True and stored[applied]["applied_by"] == 42
    assert not stored[applied]["dismissed"]
    assert stored[dismissed]["dismissed"] is True and not stored[dismissed]["was_applied"]
    assert stored[dismissed]["dismissed_by"] == 5


def test_apply_and_dismiss_racing_on_one_recommendation_leave_one_decision(undecided: Picked) -> None:
    engine, picked = undecided
    for rid, account in picked:
        start = threading.Barrier(2)

        def decide(
            which: str, rid: int = rid, account: int = account, start: threading.Barrier = start
        ) -> str:
            start.wait()
            try:
                if which == "apply":
                    user_decisions.apply_recommendation(engine, account, rid, 1)
                else:
                    user_decisions.dismiss_recommendation(engine, account, rid, 2, "corrida")
            except user_decisions.DecisionConflict:
                return "conflict"
            return "done"

        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(pool.map(decide, ("apply", "dismiss")))
        assert outcomes == ["conflict", "done"], (rid, outcomes)
        row = _decisions(engine)[rid]
        assert bool(row["was_applied"]) != bool(row["dismissed"]), row
