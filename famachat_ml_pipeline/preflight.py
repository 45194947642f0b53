"""Pre-flight checks before a command touches the database: say what is wrong in one line, create nothing."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from famachat_ml_pipeline.db.engine import current_revision, get_engine, head_revision
from famachat_ml_pipeline.source.read import missing_source_tables


class DatabaseUnavailable(RuntimeError):
    """DATABASE_URL cannot be used: unreachable, refused, or without FamaChat's source tables."""


class SchemaBehind(RuntimeError):
    """The ml_* schema is not at this code's revision: a deployment upgraded without `famachat-ml migrate`."""


_CURRENT: set[str] = set()  # URLs whose schema was found at head by this process


def check_schema(url: str) -> None:
    """Raise SchemaBehind unless the database's ml_* schema is at this code's head revision. A run of the
    daemon never migrates (the pipeline role has no DDL), so without this a new table's first query would
    fail with a raw SQL error in the middle of a run. Checked once per process and URL."""
    if url in _CURRENT:
        return
    current, head = current_revision(get_engine(url)), head_revision()
    if current is None:
        raise SchemaBehind(
            f"{_named(url)} has no ml_* schema yet (never migrated): run `famachat-ml migrate` "
            "as the tables' owner, then `famachat-ml run --all`"
        )
    if current != head:
        raise SchemaBehind(
            f"the ml_* schema of {_named(url)} is at revision {current}, this code needs {head}: "
            "run `famachat-ml migrate` as the tables' owner (then `famachat-ml grants` if it added a table)"
        )
    _CURRENT.add(url)


def check_ready(url: str, need_source: bool = True) -> None:
    """For the commands that read ml_* tables but never migrate (ask, mcp, api): the database answers
    (check_database), then its schema is at this code's revision (check_schema). Each failure is one
    line (DatabaseUnavailable, SchemaBehind), never a driver traceback halfway through an answer."""
    check_database(url, need_source=need_source)
    check_schema(url)


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
