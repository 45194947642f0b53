"""Dagster's Postgres storage with a pool: a run reuses a few connections, and the pool survives a
server-side disconnect and a fork."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.dagster_storage import PooledPostgresStorage
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import Settings, get_settings
from famachat_ml_pipeline_tests.conftest import create_pg_database, drop_pg_database

# Dagster's storage is on Postgres in every test here; the data database can stay on SQLite.
pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def _psycopg(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def dagster_pg(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, str]]:
    """`settings` with Dagster's storage in a fresh Postgres database of its own."""
    url = create_pg_database("fcml_dagster")
    monkeypatch.setenv("DAGSTER_PG_URL", url)
    get_settings.cache_clear()
    try:
        yield get_settings(), _psycopg(url)
    finally:
        get_settings.cache_clear()
        drop_pg_database(url)


def _sessions(dagster_url: str) -> int:
    """Connections ever opened to the Dagster database (pg_stat_database, PostgreSQL 14+)."""
    name = sa.engine.make_url(dagster_url).database
    with psycopg.connect(dagster_url, autocommit=True) as conn:
        time.sleep(1.1)  # backends report their statistics at most once a second
        conn.execute("SELECT pg_stat_clear_snapshot()")
        return conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", (name,)).fetchone()[0]


def test_a_ranged_run_reuses_a_few_connections(dagster_pg: tuple[Settings, str]) -> None:
    settings, dagster_url = dagster_pg
    data = generate_demo(n_accounts=3, days=60, seed=5)
    write_demo(get_engine(settings.database_url), data)
    with get_instance(settings) as instance:
        assert isinstance(instance.get_ref().storage_data.rehydrate(), PooledPostgresStorage)
    before = _sessions(dagster_url)
    (run,) = run_pipeline(settings, as_of=data.end_date, echo=lambda _: None)
    assert run.success and run.accounts == 3
    # One connection per query (dagster-postgres' NullPool) made 548 here; the pool keeps a handful.
    assert _sessions(dagster_url) - before <= 15


def test_the_pool_replaces_connections_the_server_closed(dagster_pg: tuple[Settings, str]) -> None:
    settings, dagster_url = dagster_pg
    with get_instance(settings) as instance:
        instance.get_runs(limit=1)  # a pooled connection now exists
        with psycopg.connect(dagster_url, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()[0]
        assert killed >= 1
        assert instance.get_runs(limit=1) == []  # checked before use, and replaced


def _backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()


def test_a_forked_child_opens_its_own_connections(dagster_pg: tuple[Settings, str]) -> None:
    settings, _ = dagster_pg
    with get_instance(settings) as instance:
        engine = instance.run_storage._engine  # noqa: SLF001  (the pooled engine the storages share)
        assert engine is instance.event_log_storage._engine  # noqa: SLF001
        parent = _backend_pid(engine)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: the pool it inherited must not hand it the parent's socket
            code = 0
            try:
                os.write(write, str(_backend_pid(engine)).encode())
                instance.get_runs(limit=1)
            except BaseException:  # noqa: BLE001
                code = 1
            os._exit(code)
        os.close(write)
        _, status = os.waitpid(pid, 0)
        child = int(os.read(read, 32) or 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert child and child != parent
        assert _backend_pid(engine) == parent  # the parent keeps its connection, still usable
        assert instance.get_runs(limit=1) == []


def test_storage_creates_its_tables_once_and_then_only_looks(dagster_pg: tuple[Settings, str]) -> None:
    """A fresh database gets every storage's tables; on one that has them, the storage makes one look
    through its pool instead of a connection per storage."""
    _, dagster_url = dagster_pg
    url = sa.engine.make_url(dagster_url).set(drivername="postgresql+psycopg2").render_as_string(False)
    PooledPostgresStorage(url).run_storage.get_runs(limit=1)
    with psycopg.connect(dagster_url, autocommit=True) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"runs", "instance_info", "event_logs", "asset_keys", "jobs", "alembic_version"} <= tables

    before = _sessions(dagster_url)
    storage = PooledPostgresStorage(url)
    assert storage.run_storage.get_runs(limit=1) == []
    assert storage.event_log_storage.get_asset_records() == []
    # the pool's one connection and the count's own (a look per storage made it 5)
    assert _sessions(dagster_url) - before == 2

    with psycopg.connect(dagster_url, autocommit=True) as conn:
        conn.execute("DROP TABLE event_logs")
    PooledPostgresStorage(url)  # a table missing: the storages look and create, as dagster-postgres does
    with psycopg.connect(dagster_url, autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('event_logs') IS NOT NULL").fetchone()[0]
