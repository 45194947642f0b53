"""Dagster's Postgres storage with a connection pool per process (`storage: custom:` in dagster.yaml).

dagster-postgres opens a new connection for every query (NullPool), so that a process holding many
DagsterInstances does not pile up idle connections. A run over 1,000 partitions makes ~520 such
connections (planning, dynamic-partition lookups, event batches), and each also checks again that the
partitions table exists. Here the run, event-log and schedule storages share one small pool, checked
before use (a connection dropped by a server restart or a pooler is replaced), and a table once seen is
not looked up again: tables are created by migrations and never dropped under a running process. One
look at the table names replaces the three storages' own (a connection each) when every table is there.
A batch of materialisation events (one step's partitions) goes in by COPY (dagster_event_copy.py).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from dagster._core.events import DagsterEventType
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.base_storage import DagsterStorage
from dagster._core.storage.config import pg_config
from dagster._core.storage.event_log.schema import AssetEventTagsTable, SqlEventLogStorageTable
from dagster._serdes import ConfigurableClassData
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.event_log import PostgresEventLogStorage
from dagster_postgres.run_storage import PostgresRunStorage
from dagster_postgres.schedule_storage import PostgresScheduleStorage
from dagster_postgres.utils import (
    create_pg_engine,
    get_token_provider_from_config,
    pg_url_from_config,
    retry_pg_connection_fn,
)

from famachat_ml_pipeline.dagster_event_copy import EVENT_COLUMNS, TAG_COLUMNS, copy_rows, reserve_ids

# Idle connections a process keeps; bursts (the daemon's threads) open more and close them when done.
POOL_SIZE = 2
MAX_OVERFLOW = -1  # no limit, as NullPool: a thread never waits for a connection
# Reconnect before a pooler's or firewall's idle timeout could cut a connection mid-query.
POOL_RECYCLE_SECONDS = 600

_engines: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def _forget_connections_after_fork() -> None:
    # A forked child must not share its parent's sockets; dispose(close=False) leaves them to the parent.
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_connections_after_fork)


def pooled_engine(postgres_url: str, token_provider: Any = None) -> sa.Engine:
    engine = create_pg_engine(
        postgres_url,
        token_provider,
        isolation_level="AUTOCOMMIT",  # as dagster-postgres: its transactions set their own level
        pool_size=POOL_SIZE,
        max_overflow=MAX_OVERFLOW,
        pool_pre_ping=True,
        pool_recycle=POOL_RECYCLE_SECONDS,
    )
    _engines.add(engine)
    return engine


class RemembersTables:
    """An event-log storage's `has_table` (a connection of its own each time: ~100 a run, mostly Dagster's
    check for the dynamic-partitions table) asked once per table found."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._tables_seen: set[str] = set()
        super().__init__(*args, **kwargs)

    def has_table(self, table_name: str) -> bool:
        if table_name not in self._tables_seen and super().has_table(table_name):  # type: ignore[misc]
            self._tables_seen.add(table_name)
        return table_name in self._tables_seen


class _EventLogStorage(RemembersTables, PostgresEventLogStorage):
    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """A batch of materialisations (one step's partitions) by COPY (dagster_event_copy.py); the same
        rows, and the same transactions, as PostgresEventLogStorage.store_event_batch. Any other batch
        goes to Dagster's own code."""
        kinds = {event.get_dagster_event().event_type for event in events}
        if kinds != {DagsterEventType.ASSET_MATERIALIZATION}:
            return super().store_event_batch(events)
        rows = [self._event_to_row(event) for event in events]
        with self._connect() as conn:
            ids = reserve_ids(conn, SqlEventLogStorageTable.name, len(rows))
            copy_rows(
                conn,
                SqlEventLogStorageTable.name,
                EVENT_COLUMNS,
                [(i, *(row[c] for c in EVENT_COLUMNS[1:])) for i, row in zip(ids, rows, strict=True)],
            )
        tags = [
            (
                event_id,
                event.get_dagster_event().asset_key.to_string(),  # type: ignore[union-attr]
                key,
                value,
                self._event_insert_timestamp(event),
            )
            for event_id, event in zip(ids, events, strict=True)
            for key, value in self._tags_for_asset_event(event).items()
        ]
        with self.index_transaction() as conn:
            if tags and self.has_table(AssetEventTagsTable.name):
                copy_rows(conn, AssetEventTagsTable.name, TAG_COLUMNS, tags)
            # as Dagster: the asset's row (last materialisation, last run) from the batch's last event
            self._store_asset_event(conn, events[-1], ids[-1])
        return None


def _tables_exist(engine: sa.Engine) -> bool:
    """Whether the run, event-log and schedule storages' constructors, autocreating, would find their
    tables and create nothing (dagster-postgres' own tests: runs and instance_info, event_logs, schedules
    or jobs)."""
    names = set(retry_pg_connection_fn(lambda: sa.inspect(engine).get_table_names()))
    return {"runs", "instance_info", "event_logs"} <= names and bool({"schedules", "jobs"} & names)


class PooledPostgresStorage(DagsterPostgresStorage):
    """DagsterPostgresStorage (same tables, same config) whose three storages share one pooled engine."""

    def __init__(
        self,
        postgres_url: str,
        should_autocreate_tables: bool = True,
        inst_data: ConfigurableClassData | None = None,
        token_provider: Any = None,
    ) -> None:
        # DagsterPostgresStorage.__init__, with our event-log storage
        self.postgres_url = postgres_url
        self.should_autocreate_tables = should_autocreate_tables
        self._inst_data = inst_data
        engine = pooled_engine(postgres_url, token_provider)
        # Each storage would open a connection of its own to look for its tables; one look here instead,
        # and where it finds them all, the storages are told so (they would have done nothing more).
        autocreate = should_autocreate_tables and not _tables_exist(engine)
        self._run_storage = PostgresRunStorage(postgres_url, autocreate, token_provider=token_provider)
        self._event_log_storage = _EventLogStorage(postgres_url, autocreate, token_provider=token_provider)
        self._schedule_storage = PostgresScheduleStorage(
            postgres_url, autocreate, token_provider=token_provider
        )
        DagsterStorage.__init__(self)
        for storage in (self._run_storage, self._event_log_storage, self._schedule_storage):
            storage._engine.dispose()
            # the attribute dagster-postgres' own optimize_for_webserver replaces to hold connections
            storage._engine = engine

    @classmethod
    def config_type(cls) -> Any:
        return pg_config()

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> PooledPostgresStorage:
        return cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )
