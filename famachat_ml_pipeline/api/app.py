"""Builds the FastAPI app: routes, CORS, JSON request logs, the chat page at `/`."""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse

from famachat_ml_pipeline.api import agent_routes, decision_routes, errors, health_routes
from famachat_ml_pipeline.api.auth import auth_configured
from famachat_ml_pipeline.api.body_limit import BodyLimit
from famachat_ml_pipeline.api.logs import configure_logging, log
from famachat_ml_pipeline.api.ratelimit import RateLimiter
from famachat_ml_pipeline.api.state import AgentOpener, ApiState, default_opener
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.preflight import check_ready
from famachat_ml_pipeline.settings import Settings, load_settings

CHAT_PAGE = Path(__file__).parent / "static" / "chat.html"
PROBES = frozenset({"/api/v1/health/live", "/api/v1/health/ready"})  # deploy/agent-api.yaml's
MAX_ECHOED_INPUT = 200  # characters of a refused value sent back in a 422


def _capped_input(value: Any) -> Any:
    """A refused value as FastAPI echoes it, unless its JSON is long: then its start and its length, so a
    135 KB message does not come back whole (bandwidth, and logs of proxies that keep responses)."""
    encoded = jsonable_encoder(value)
    text = json.dumps(encoded, ensure_ascii=False)
    if len(text) <= MAX_ECHOED_INPUT:
        return encoded
    return f"{text[:MAX_ECHOED_INPUT]}... ({len(text)} characters, not echoed)"


def _sendable(value: Any) -> Any:
    """`value` as a JSON response can carry it: a lone surrogate ("\\ud800") as its escape, a number past
    floats (1e400) or NaN as text. Each, echoed as refused input, was a 500 from the 422 handler."""
    if isinstance(value, str):
        return value if value.isascii() else value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list | tuple):
        return [_sendable(v) for v in value]
    if isinstance(value, dict):
        return {_sendable(k): _sendable(v) for k, v in value.items()}
    return value


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's own 422 body (`detail`: loc, msg, type, input, ctx) with each `input` capped."""
    refused = [{**e, "input": _capped_input(e["input"])} if "input" in e else e for e in exc.errors()]
    return JSONResponse(status_code=422, content={"detail": _sendable(jsonable_encoder(refused))})


def create_app(settings: Settings | None = None, open_agent: AgentOpener | None = None) -> FastAPI:
    """The API over `settings.database_url`, whose schema must be at this code's revision.

    It never migrates: the schema's owner runs `famachat-ml migrate` (the API's role may have no DDL, and
    it must not create tables in a database that is not FamaChat's); else one line, SchemaBehind.
    """
    settings = settings or load_settings()
    configure_logging()
    check_ready(settings.database_url, need_source=False)  # `famachat-ml api` also wants the source
    app = FastAPI(title="FamaChat ML", version=health_routes.VERSION, docs_url="/docs", redoc_url=None)
    app.add_middleware(BodyLimit)  # first added, so innermost: a 413 is logged and carries CORS headers
    app.add_exception_handler(RequestValidationError, validation_error)
    errors.install(app)
    app.state.api = ApiState(
        settings=settings,
        engine=get_engine(settings.database_url),
        limiter=RateLimiter(settings.api_rate_limit_per_minute),
        open_agent=open_agent or default_opener,
    )
    if not auth_configured(settings):
        log.warning("neither ML_API_KEY nor JWT_SECRET is set: every protected endpoint will refuse (503)")
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type"],
        )

    @app.middleware("http")
    async def access_log(request: Request, call_next) -> Response:  # noqa: ANN001
        t0 = time.perf_counter()
        response = await call_next(request)
        who = getattr(request.state, "caller", None)
        # an orchestrator's probes every few seconds would bury the requests: logged only when they fail
        quiet = request.url.path in PROBES and response.status_code < 400
        log.log(
            logging.DEBUG if quiet else logging.INFO,
            "request",
            extra={
                "method": request.method,
                "path": request.url.path,  # never the query string or headers
                "status": response.status_code,
                "ms": round((time.perf_counter() - t0) * 1000, 1),
                "auth": who.kind if who else None,
                "token_config_id": who.config_id if who else None,
            },
        )
        return response

    @app.get("/", include_in_schema=False)
    def chat_page() -> FileResponse:
        return FileResponse(CHAT_PAGE, media_type="text/html")

    app.include_router(health_routes.router)
    app.include_router(agent_routes.router)
    app.include_router(decision_routes.router)
    return app


def app_from_env() -> FastAPI:
    """uvicorn factory: `uvicorn --factory famachat_ml_pipeline.api.app:app_from_env`."""
    return create_app()
