"""Pre-flight checks before a command touches the database: say what is wrong in one line, create nothing."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.source.read import missing_source_tables


class DatabaseUnavailable(RuntimeError):
    """DATABASE_URL cannot be used: unreachable, refused, or without FamaChat's source tables."""


def _named(url: str) -> str:
    return f"DATABASE_URL ({make_url(url).render_as_string(hide_password=True)})"


def _first_line(exc: BaseException) -> str:
    # psycopg's message spans lines ("connection failed: ... \n\tIs the server running...?"): keep one
    lines = [line.strip() for line in str(getattr(exc, "orig", None) or exc).splitlines() if line.strip()]
    return " ".join(lines[:2])


def check_database(url: str, need_source: bool) -> None:
    """Pre-flight, before anything is created: the database answers, and (for a run) holds the source.

    A run must never migrate (create ml_* tables in) a database that is not FamaChat's.
    """
    engine = get_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        missing = missing_source_tables(engine) if need_source else []
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        raise DatabaseUnavailable(f"cannot use {_named(url)}: {_first_line(exc)}") from None
    if missing:
        raise DatabaseUnavailable(
            f"{_named(url)} has no source table {', '.join(missing)}: is it FamaChat's database? "
            "(for a demo, run `famachat-ml generate-demo-data` first); nothing was created"
        )
