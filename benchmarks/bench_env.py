"""What every benchmark needs first: throwaway Postgres databases and an environment pointing at them."""

from __future__ import annotations

import atexit
import os
import shutil
import uuid

import psycopg
import sqlalchemy as sa

DEFAULT_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")


def fresh_database(server: str, name: str) -> str:
    """(Re)create database `name` on `server`; returns its URL."""
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_database(server: str, url: str) -> None:
    name = sa.engine.make_url(url).database
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_environment(server: str, prefix: str) -> tuple[str, str]:
    """Fresh data and Dagster databases `<prefix>_<tag>` / `<prefix>_dagster_<tag>`, and the settings'
    environment (database URLs, DAGSTER_HOME, frames) pointing at them and at /tmp/<prefix>_<tag>. Both
    databases and the folder go when the process exits (each F1000 run left ~380 MB behind), unless
    FAMACHAT_BENCH_KEEP=1."""
    tag = uuid.uuid4().hex[:6]
    data_url = fresh_database(server, f"{prefix}_{tag}")
    dagster_url = fresh_database(server, f"{prefix}_dagster_{tag}")
    os.environ["DATABASE_URL"] = data_url
    os.environ["DAGSTER_PG_URL"] = dagster_url
    os.environ.setdefault("FAMACHAT_ML_DATA_DIR", f"/tmp/{prefix}_{tag}")
    os.environ["DAGSTER_HOME"] = f"/tmp/{prefix}_{tag}/dagster_home"
    os.environ["FRAMES_STORAGE_PATH"] = f"/tmp/{prefix}_{tag}/frames"
    if os.environ.get("FAMACHAT_BENCH_KEEP") != "1":
        atexit.register(_remove, server, (data_url, dagster_url), f"/tmp/{prefix}_{tag}")
    return data_url, dagster_url


def _remove(server: str, urls: tuple[str, ...], folder: str) -> None:
    for url in urls:
        drop_database(server, url)
    shutil.rmtree(folder, ignore_errors=True)
