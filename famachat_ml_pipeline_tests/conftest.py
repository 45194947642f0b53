"""Shared fixtures: real SQLite files and a real, throwaway Postgres database per test session."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import psycopg
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.instance import SQLITE_STORAGE
from famachat_ml_pipeline.settings import Settings, get_settings

# The server CI starts (see .ci/run); override with TEST_POSTGRES_URL.
POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")


def _admin_conn() -> psycopg.Connection:
    return psycopg.connect(POSTGRES_SERVER, autocommit=True)


def create_pg_database(prefix: str = "fcml_test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with _admin_conn() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # a throwaway database: its commits need not wait for the WAL's flush (no effect on what is read)
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    url = sa.engine.make_url(POSTGRES_SERVER).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    name = sa.engine.make_url(url).database
    get_engine.cache_clear()
    with _admin_conn() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def instance_for_test(overrides: Mapping[str, object] | None = None) -> Iterator[dg.DagsterInstance]:
    """Dagster's throwaway instance (its own DAGSTER_HOME), on the SQLite storage a deployment runs on."""
    with dg.instance_for_test(overrides={"storage": SQLITE_STORAGE, **(overrides or {})}) as instance:
        yield instance


def _served(item: pytest.Item) -> bool:
    return any(m.args == ("served",) for m in item.iter_markers("xdist_group"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The served stack's group first: one worker runs it alone for minutes (its tests share one deployment),
    so started late it was the suite's tail, the other workers idle (stable order otherwise)."""
    items.sort(key=lambda item: not _served(item))


@pytest.fixture(autouse=True)
def stop_signals_restored() -> Iterator[None]:
    """SIGINT and SIGTERM handlers as the test found them: code run in-process sets its own (Dagster's
    in-process runs leave SIGTERM mapped to SIGINT's handler: 26 tests left it changed in one suite run)."""
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in before.items():
        if signal.getsignal(sig) is not handler:
            signal.signal(sig, handler)


def _logging_lock_owner() -> int | None:
    """The thread holding logging's module lock, None when free (read from the RLock's repr: no acquire)."""
    found = re.search(r"^<locked .* owner=(\d+)", repr(logging._lock))  # type: ignore[attr-defined]
    return int(found.group(1)) if found else None


@pytest.fixture(autouse=True)
def logging_lock_released() -> Iterator[None]:
    """A test that left logging's module lock held fails here, named, instead of hanging a later one.

    A KeyboardInterrupt raised between `_lock.acquire()` and its `try` in `logging.getLogger` leaves the lock
    owned by the main thread (measured: 1 in ~5,000 calls with interrupts arriving every 0.5 ms). The main
    thread re-enters it unnoticed; the next thread that needs it, an anomaly detector's garbage collection,
    waits forever, and with it the run (seen once in the full suite). Tests that interrupt the main thread
    run in their own process (`own_process`)."""
    yield
    deadline = time.monotonic() + 5  # another live thread may hold it for a moment
    while (owner := _logging_lock_owner()) is not None:
        if owner == threading.main_thread().ident or time.monotonic() > deadline:
            pytest.fail(f"logging's module lock left held by thread {owner}", pytrace=False)
        time.sleep(0.01)


OWN_PROCESS = "FAMACHAT_TEST_OWN_PROCESS"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """A test marked `own_process` runs in a fresh interpreter (`python -m pytest <its id>`), so what it
    leaves behind (a lock an interrupt left held) never reaches the next test of this worker."""
    if pyfuncitem.get_closest_marker("own_process") is None or os.environ.get(OWN_PROCESS):
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")} | {OWN_PROCESS: "1"}
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", pyfuncitem.nodeid]
    done = subprocess.run(argv, cwd=pyfuncitem.config.rootpath, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        said = f"in its own process (exit {done.returncode}):\n{done.stdout}{done.stderr}"
        pytest.fail(said, pytrace=False)
    return True


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty Postgres database (no mocks): created for the test, dropped after it."""
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'famachat_ml.db'}"


# A pipeline behaviour (what a rerun keeps, tiers, advice, status) needs one backend: Postgres, which FamaChat
# reads. The backends' own boundaries (writes, source reads, date guards, locks, storage) run on both, and the
# daily runs leave the same ml_* rows on both (db/test_write_path_equality.py).
ON_POSTGRES = pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test on the embedded default and on Postgres."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'famachat_ml.db'}"
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def migrated_url(db_url: str) -> str:
    migrate(db_url)
    return db_url


@pytest.fixture
def settings(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The process environment a user would set, pointed at this test's database and folders."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("MODELS_STORAGE_PATH", str(tmp_path / "models"))
    monkeypatch.setenv("FRAMES_STORAGE_PATH", str(tmp_path / "frames"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def pg_roles(pg_url: str) -> Iterator[tuple[str, str]]:
    """Two fresh login roles (pipeline, app) without privileges, dropped with their grants afterwards."""
    suffix = uuid.uuid4().hex[:8]
    roles = (f"fcml_pipeline_{suffix}", f"fcml_app_{suffix}")
    with _admin_conn() as conn:
        for role in roles:
            conn.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        yield roles
    finally:
        get_engine.cache_clear()  # close pools that connect as the roles
        admin_on_db = sa.engine.make_url(pg_url).set(drivername="postgresql")
        with psycopg.connect(admin_on_db.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{roles[0]}", "{roles[1]}"')
        with _admin_conn() as conn:
            for role in roles:
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')
