"""The one place that creates database engines and runs migrations."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 5  # Postgres: the longest a connection may take to be made
VERSION_TABLE = "ml_alembic_version"  # the pipeline reads it on every run (preflight.check_schema)


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")  # readers (the UI, FamaChat) do not block the writer
            cur.close()

        return engine
    # a server that accepts and never speaks (a stuck pooler) would hang a connect, and Ctrl-C with it
    # (libpq blocks in C): the whole connection is bounded, unless the URL sets its own connect_timeout
    own = "connect_timeout" in make_url(url).query
    return create_engine(
        url, pool_pre_ping=True, connect_args={} if own else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    )


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class SchemaAhead(RuntimeError):
    """The database's ml_* schema is at a revision this code does not know: a newer version migrated it
    (e.g. a deploy rolled back after its migration)."""


def migrate(url: str) -> str:
    """Upgrade the ml_* schema to head; idempotent. Returns the current revision. Refuses (SchemaAhead) a
    schema at a revision this code does not know, which alembic reports as a traceback."""
    engine = get_engine(url)
    current = current_revision(engine)
    if current is not None and not known_revision(current):
        from famachat_ml_pipeline.preflight import schema_ahead_message

        raise SchemaAhead(schema_ahead_message(url, current))
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return current_revision(engine) or ""


def current_revision(engine: Engine) -> str | None:
    """The ml_* schema's revision in the database (None before the first migration)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()


def known_revision(revision: str) -> bool:
    """Whether this code's migrations include `revision`."""
    try:
        return ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises CommandError / ResolutionError for an unknown one
        return False


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The revision this code's migrations end at."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "no migration"
    return head
