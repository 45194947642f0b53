"""A database that cannot answer now (Postgres down, a SQLite file another process holds a write lock on)
is a 503 with `Retry-After` and one JSON log line, not a bare `Internal Server Error` and a traceback."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from famachat_ml_pipeline.api.logs import log

RETRY_AFTER_SECONDS = 5
# pt-BR: FamaChat shows the detail to the buyer as it stands (the chat page does too).
DATABASE_UNAVAILABLE = "O banco de dados não está respondendo agora. Tente novamente em instantes."


def _root_cause(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return f"{type(original).__name__}: {lines[0] if lines else ''}"


async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """sqlalchemy's OperationalError: connection refused or lost, database locked, too many clients."""
    log.error(
        "database unavailable",
        extra={"method": request.method, "path": request.url.path, "cause": _root_cause(exc)},
    )
    return JSONResponse(
        status_code=503,
        content={"detail": DATABASE_UNAVAILABLE},
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(sa.exc.OperationalError, database_unavailable)
