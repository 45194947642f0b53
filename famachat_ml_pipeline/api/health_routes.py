"""The four health endpoints (no auth): basic, detailed, readiness and liveness."""

from __future__ import annotations

import datetime as dt
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from famachat_ml_pipeline.api.auth import auth_configured
from famachat_ml_pipeline.api.state import ApiState, api_state
from famachat_ml_pipeline.db.conversations import agent_threads
from famachat_ml_pipeline.db.schema import ml_recommendations

router = APIRouter(prefix="/api/v1/health", tags=["health"])
State = Depends(api_state)

try:
    VERSION = version("famachat-ml-pipeline")
except PackageNotFoundError:  # running from a source tree that was not installed
    VERSION = "0+unknown"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def database_check(state: ApiState) -> str:
    """ "ok" when the database answers and holds the migrated tables the API reads and writes."""
    try:
        with state.engine.connect() as conn:
            for table in (ml_recommendations, agent_threads):
                conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).all()
    except sa.exc.SQLAlchemyError as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def agent_check(state: ApiState) -> dict[str, Any]:
    """Whether an LLM key is configured (never the key) and which model the online agent would use; without
    a key the agent answers offline."""
    configured = bool(state.settings.agent_anthropic_api_key)
    return {
        "llm_key_configured": configured,
        "mode": "online" if configured else "offline",
        "model": state.settings.agent_llm_model,
    }


@router.get("")
def health() -> dict[str, Any]:
    return {"status": "healthy", "version": VERSION, "timestamp": _now()}


@router.get("/live")
def live() -> dict[str, Any]:
    return {"status": "alive", "timestamp": _now()}


@router.get("/ready")
def ready(state: ApiState = State) -> JSONResponse:
    db = database_check(state)
    ok = db == "ok"
    body = {"status": "ready" if ok else "not_ready", "checks": {"database": db}, "timestamp": _now()}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/detailed")
def detailed(state: ApiState = State) -> JSONResponse:
    db = database_check(state)
    checks = {
        "database": db,
        "database_backend": state.engine.dialect.name,
        "auth": "ok"
        if auth_configured(state.settings)
        else "not configured: every protected endpoint refuses",
    }
    healthy = db == "ok"
    body = {
        "status": "healthy" if healthy else "unhealthy",
        "version": VERSION,
        "timestamp": _now(),
        "checks": checks,
        "agent": agent_check(state),
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
