"""Prepares DAGSTER_HOME from the repo's dagster.yaml, so CLI runs show up in `famachat-ml ui`."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import yaml
from dagster._core.instance.ref import InstanceRef

from famachat_ml_pipeline.settings import Settings

REPO_DAGSTER_YAML = Path(__file__).resolve().parents[1] / "dagster.yaml"


# Dagster's default SQLite files under DAGSTER_HOME, with its engines kept (dagster_sqlite_storage.py)
SQLITE_STORAGE = {
    "custom": {
        "module": "famachat_ml_pipeline.dagster_sqlite_storage",
        "class": "CachedEngineSqliteStorage",
        "config": {"base_dir": {"env": "DAGSTER_HOME"}},
    }
}


def instance_config(settings: Settings) -> dict:
    config = yaml.safe_load(REPO_DAGSTER_YAML.read_text()) if REPO_DAGSTER_YAML.exists() else {}
    if settings.run_queue_interval_seconds:
        # Dagster accepts `run_queue:` beside `concurrency:` as long as it sets no limit of its own
        config["run_queue"] = {"dequeue_interval_seconds": settings.run_queue_interval_seconds}
    if settings.dagster_pg_url:
        config["storage"] = {
            "custom": {
                "module": "famachat_ml_pipeline.dagster_storage",
                "class": "PooledPostgresStorage",
                "config": {"postgres_url": {"env": "DAGSTER_PG_URL"}},
            }
        }
    else:
        config["storage"] = SQLITE_STORAGE
    return config


def prepare_dagster_home(settings: Settings) -> Path:
    from famachat_ml_pipeline.preflight import check_storage

    check_storage(settings)  # DAGSTER_HOME under a file: one line naming it, not NotADirectoryError
    home = settings.dagster_home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    text = yaml.safe_dump(instance_config(settings), sort_keys=False)
    if not target.exists() or target.read_text() != text:
        target.write_text(text)
    _export_instance_env(home, settings)
    # Per-partition bookkeeping is the largest fixed cost of a fleet run (design.md). Batch event writes,
    # and record one "planned" event per asset for a single-run backfill instead of one per partition
    # (dagster-postgres writes those one by one, ~14 ms each). The trade-off, documented by Dagster:
    # if such a run fails, its partitions are not marked failed in the UI (the run itself is).
    os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", "1000")
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    return home


def _export_instance_env(home: Path, settings: Settings) -> None:
    """Where Dagster's own code (and the processes it starts) finds this instance."""
    os.environ["DAGSTER_HOME"] = str(home)
    if settings.dagster_pg_url:
        os.environ["DAGSTER_PG_URL"] = settings.dagster_pg_url


def get_instance(settings: Settings) -> dg.DagsterInstance:
    prepare_dagster_home(settings)
    return dg.DagsterInstance.get()


def initialise_storage(settings: Settings) -> None:
    """Create (or migrate) the instance's run, event and schedule storage once, in this process.

    dagster-daemon and dagster-webserver would otherwise both create a fresh SQLite storage at the same
    moment and can stamp its alembic version table twice ("more than one head present").
    """
    with get_instance(settings) as instance:
        instance.get_runs(limit=1)
        instance.all_instigator_state()


class StorageMissing(RuntimeError):
    """The instance's Dagster storage is not there (nothing has run on it yet, or the settings point
    elsewhere): a reader must say so, not create it."""


def existing_instance(settings: Settings) -> dg.DagsterInstance:
    """The CLI's instance, opened only if its storage already exists: writes no dagster.yaml, creates and
    migrates no storage (get_instance does both, as every command that runs must). For `status`."""
    home = settings.dagster_home.resolve()
    if not home.is_dir():
        raise StorageMissing(f"DAGSTER_HOME ({home}) does not exist: nothing has run on this instance yet")
    if settings.dagster_pg_url:
        _check_postgres_storage(settings.dagster_pg_url)
    elif not (home / "history" / "runs.db").is_file():
        raise StorageMissing(
            f"no Dagster storage under DAGSTER_HOME ({home}/history/runs.db): nothing has run on this "
            "instance yet"
        )
    _export_instance_env(home, settings)
    ref = InstanceRef.from_dir(str(home), overrides=instance_config(settings))
    return dg.DagsterInstance.from_ref(ref)


def _check_postgres_storage(url: str) -> None:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from famachat_ml_pipeline.storage_watch import probe_postgres

    named = f"DAGSTER_PG_URL ({make_url(url).render_as_string(hide_password=True)})"
    error = probe_postgres(url)
    if error is not None:
        raise StorageMissing(f"cannot use {named}: {error}")
    engine = sa.create_engine(url)
    try:
        if not sa.inspect(engine).has_table("runs"):
            raise StorageMissing(
                f"{named} holds no Dagster storage (no runs table): nothing has run on it yet"
            )
    finally:
        engine.dispose()
