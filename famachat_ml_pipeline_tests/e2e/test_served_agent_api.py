"""The agent API that `famachat-ml serve` starts beside Dagster answers FamaChat's calls on the database the
served pipeline writes: ready, a question about an account the sensor ran, its thread listed, and the
backend key required."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from famachat_ml_pipeline_tests.e2e.served import API_KEY, Served

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.xdist_group("served")]


def _call(served: Served, path: str, body: dict | None = None, key: str = API_KEY) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{served.api}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"X-API-Key": key, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.timeout(300)
def test_the_served_agent_api_answers_famachat_on_the_pipelines_results(served: Served) -> None:
    status, ready = _call(served, "/api/v1/health/ready")
    assert (status, ready["checks"]) == (200, {"database": "ok"})
    status, reply = _call(
        served, "/api/v1/agent/chat", {"message": "quais campanhas estão indo mal?", "config_id": 1}
    )
    assert status == 200, reply
    assert reply["mode"] == "offline" and reply["answer"].strip() and reply["tool_calls"], reply
    # the campaigns it names are the ones the served pipeline stored as underperforming for that account
    with served.engine.connect() as conn:
        stored = set(
            conn.exec_driver_sql(
                "SELECT campaign_id FROM ml_campaign_classifications "
                "WHERE config_id = 1 AND tier = 'UNDERPERFORMER'"
            ).scalars()
        )
    named = set(re.findall(r"\((\d{6,})\)", reply["answer"]))
    assert stored and named and named <= stored, (named, stored, reply["answer"])
    status, threads = _call(served, "/api/v1/agent/conversations?config_id=1")
    assert status == 200 and reply["thread_id"] in {t["thread_id"] for t in threads}, threads
    status, refused = _call(
        served, "/api/v1/agent/chat", {"message": "oi", "config_id": 1}, key="not-the-key"
    )
    assert status == 401, refused
