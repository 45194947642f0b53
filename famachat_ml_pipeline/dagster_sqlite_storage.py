"""Dagster's SQLite storage (the embedded default) with one SQLAlchemy engine per database file.

Dagster's SQLite storages build a new engine for every query (`create_engine(..., poolclass=NullPool)`,
then dispose it), the event log's `has_table` included: about 570 engines for a one-account run of the
daily graph, each ~0.7 ms of CPU more than a connection from an engine kept. Here each storage keeps its
engines (18 for that run); connections are still opened per query and closed after it (NullPool, as
Dagster), so nothing is held between queries, across a fork or by an idle process. A one-account run
takes 1.39x less CPU (`benchmarks/bench_sqlite_storage.py`). The files, tables and configuration are
Dagster's own: `storage: custom:` in dagster.yaml with `base_dir: {env: DAGSTER_HOME}` reads and writes
the same files as the default.

A run has an event-log file of its own, so a long-lived process (the daemon, the webserver) would keep
an engine per run it ever read: the event log keeps the most recent `RECENT_SHARDS` only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._serdes import ConfigurableClassData
from dagster._utils import mkdir_p
from sqlalchemy.pool import NullPool

from famachat_ml_pipeline.dagster_storage import RemembersTables

RECENT_SHARDS = 16


class _Engines:
    """Engines by URL, the `limit` most recently used (all of them when None); thread-safe."""

    def __init__(self, limit: int | None = None, **engine_args: Any) -> None:
        self._limit, self._args = limit, engine_args
        self._engines: OrderedDict[str, sa.Engine] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str) -> sa.Engine:
        with self._lock:
            engine = self._engines.get(url)
            if engine is None:
                engine = self._engines[url] = sa.create_engine(url, poolclass=NullPool, **self._args)
            self._engines.move_to_end(url)
            while self._limit is not None and len(self._engines) > self._limit:
                self._engines.popitem(last=False)[1].dispose()
            return engine

    def __len__(self) -> int:
        return len(self._engines)

    def dispose(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


@contextmanager
def _transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


class _KeptEngine:
    """`connect` of Dagster's SQLite run and schedule storages (one file each), from an engine kept."""

    _conn_string: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._engines = _Engines()
        super().__init__(*args, **kwargs)

    def connect(self) -> Any:
        return _transaction(self._engines.get(self._conn_string))

    def dispose(self) -> None:
        super().dispose()  # type: ignore[misc]
        self._engines.dispose()


class _RunStorage(_KeptEngine, SqliteRunStorage):
    pass


class _ScheduleStorage(_KeptEngine, SqliteScheduleStorage):
    pass


class _EventLogStorage(RemembersTables, SqliteEventLogStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._engines = _Engines(RECENT_SHARDS, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        super().__init__(*args, **kwargs)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[sa.Connection]:
        # SqliteEventLogStorage._connect, with the shard's engine kept
        with self._db_lock:
            engine = self._engines.get(self.conn_string_for_shard(shard))
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with _transaction(engine) as conn:
                yield conn

    def dispose(self) -> None:
        super().dispose()
        self._engines.dispose()


class CachedEngineSqliteStorage(DagsterSqliteStorage):
    """DagsterSqliteStorage (same files, same config) whose storages keep their engines."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        # DagsterSqliteStorage.__init__, with our three storages
        self.base_dir = base_dir
        self._run_storage = _RunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = _EventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = _ScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> CachedEngineSqliteStorage:
        base_dir = str(config_value["base_dir"])
        mkdir_p(base_dir)
        return cls(base_dir, inst_data=inst_data)
