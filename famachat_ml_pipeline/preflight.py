"""Pre-flight checks before a command touches the database: say what is wrong in one line, create nothing."""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from famachat_ml_pipeline.db.engine import (
    SchemaAhead,
    current_revision,
    get_engine,
    head_revision,
    known_revision,
)
from famachat_ml_pipeline.settings import Settings, SettingsError
from famachat_ml_pipeline.source.read import SOURCE_TABLES, missing_source_tables


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
    if current is not None and not known_revision(current):
        raise SchemaAhead(schema_ahead_message(url, current))
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


def schema_ahead_message(url: str, current: str) -> str:
    return (
        f"the ml_* schema of {_named(url)} is at revision {current}, newer than this code knows (its latest "
        f"is {head_revision()}): a newer version migrated it; deploy the version that matches the database "
        "(a rolled-back deploy cannot run on it); nothing was changed"
    )


def _named(url: str) -> str:
    return f"DATABASE_URL ({make_url(url).render_as_string(hide_password=True)})"


def first_line(exc: BaseException) -> str:
    # psycopg's message spans lines ("connection failed: ... \n\tIs the server running...?"): keep one
    lines = [line.strip() for line in str(getattr(exc, "orig", None) or exc).splitlines() if line.strip()]
    return " ".join(lines[:2])


def check_database(url: str, need_source: bool) -> None:
    """Pre-flight, before anything is created: the database answers, and (for a run) holds the source.

    A run must never migrate (create ml_* tables in) a database that is not FamaChat's.
    """
    if need_source:
        _check_sqlite_source(url)
    engine = get_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        missing = missing_source_tables(engine) if need_source else []
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        raise DatabaseUnavailable(f"cannot use {_named(url)}: {first_line(exc)}") from None
    if missing:
        raise DatabaseUnavailable(
            f"{_named(url)} has no source table {', '.join(missing)}: is it FamaChat's database? "
            "(for a demo, run `famachat-ml generate-demo-data` first); nothing was created"
        )


def _check_sqlite_source(url: str) -> None:
    """A SQLite DATABASE_URL a run reads: its folder and file exist and hold the source tables, checked on a
    read-only connection, before get_engine (which creates the folder, and whose first connection writes
    the file), so that "nothing was created" is true."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    path = Path(parsed.database)
    if not path.parent.is_dir():
        raise DatabaseUnavailable(
            f"{_named(url)}: the folder {path.parent} does not exist (a typo?); nothing was created"
        )
    if not path.exists():
        raise DatabaseUnavailable(
            f"{_named(url)}: the file {path} does not exist (for a demo, run "
            "`famachat-ml generate-demo-data` first); nothing was created"
        )
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:  # not a database, unreadable
        raise DatabaseUnavailable(f"cannot use {_named(url)}: {exc}") from None
    missing = [t for t in SOURCE_TABLES if t not in names]
    if missing:
        raise DatabaseUnavailable(
            f"{_named(url)} has no source table {', '.join(missing)}: is it FamaChat's database? "
            "(for a demo, run `famachat-ml generate-demo-data` first); nothing was created"
        )


STORAGE_VARIABLES = ("MODELS_STORAGE_PATH", "FRAMES_STORAGE_PATH", "DAGSTER_HOME")
PROBE_ATTEMPTS = 20  # checks of a folder another check removed under it, before giving up


def check_storage(settings: Settings) -> None:
    """Each storage folder a run or `serve` writes is a folder this process can create and write in: else
    one line naming the variable (SettingsError, exit 2) instead of a traceback from the middle of a run.
    Proven by writing a probe file; folders it had to create for that are removed again. An s3://
    FRAMES_STORAGE_PATH is the object store's to refuse."""
    paths = (settings.models_storage_path, settings.frames_storage_path, settings.dagster_home)
    for variable, value in zip(STORAGE_VARIABLES, paths, strict=True):
        if "://" in str(value):
            continue
        problem = _unwritable(Path(value).absolute())
        if problem:
            raise SettingsError(f"{variable} ({value}) cannot be used: {problem}")


def _unwritable(path: Path) -> str | None:
    """Why `path` cannot be a folder this process writes in (None: it can). Two commands started together
    check the same fresh folders, and each removes the ones it made: a folder that vanishes under this
    check is another check's, so the check starts again."""
    gone = None
    for _ in range(PROBE_ATTEMPTS):
        try:
            return _probe(path)
        except _Vanished as exc:
            gone = exc.__cause__
            continue
    # every try: an mkdir refused with ENOENT under a folder that is there (/proc) is the system's answer,
    # not another check's race ("its folders kept disappearing while it was checked" sent people hunting)
    if isinstance(gone, OSError) and gone.strerror:
        return f"cannot write in {path}: {gone.strerror} (creating it failed {PROBE_ATTEMPTS} times)"
    return f"cannot write in {path}: its folders kept disappearing while it was checked"


class _Vanished(Exception):
    """A folder this check saw disappeared before the check was done."""


def _is_folder(path: Path) -> bool:
    """One stat (is_dir then exists would race with another check); _Vanished when it is gone."""
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except FileNotFoundError:
        raise _Vanished from None


def _probe(path: Path) -> str | None:
    existing = path
    while not (existing.exists() or existing.is_symlink()):
        existing = existing.parent
    if existing.is_symlink() and not existing.exists():
        return f"{existing} is a broken symbolic link"
    if not _is_folder(existing):
        return f"{existing} is a file, not a folder"
    made = [] if existing == path else [path, *path.parents[: len(path.parents) - len(existing.parents) - 1]]
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".famachat-write-check-")
        os.close(fd)
        os.unlink(probe)
    except FileNotFoundError as exc:
        raise _Vanished from exc
    except FileExistsError:  # mkdir lost a race with another check's mkdir, then its rmdir
        if not _is_folder(path):
            return f"{path} is a file, not a folder"
        raise _Vanished from None
    except OSError as exc:
        return f"cannot write in {path}: {exc.strerror or exc}"
    finally:
        for folder in made:  # deepest first; only empty ones (another process may have filled it since)
            try:
                folder.rmdir()
            except OSError:
                break
    return None
