"""Materialisation batches by COPY store what dagster-postgres' own store_event_batch stores: the same
event_logs, asset_event_tags and asset_keys rows (ids aside), and Dagster reads the same answers back.

Each test runs Dagster's path and ours side by side on the Dagster version installed, so an upgrade that
changes what the base class stores (a column, a tag, a table) fails here."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg
import pytest
import sqlalchemy as sa
import yaml
from dagster._core.definitions.dependency import NodeHandle
from dagster._core.events import DagsterEvent, StepMaterializationData
from dagster._core.events.log import EventLogEntry
from dagster._core.execution.plan.handle import StepHandle
from dagster._core.storage.event_log.base import EventLogRecord
from dagster._serdes import deserialize_value
from dagster_postgres.event_log import PostgresEventLogStorage

from famachat_ml_pipeline.dagster_event_copy import copy_field
from famachat_ml_pipeline.dagster_storage import PooledPostgresStorage
from famachat_ml_pipeline_tests.conftest import create_pg_database, drop_pg_database

pytestmark = pytest.mark.postgres


def _driver(url: str, driver: str) -> str:
    return sa.engine.make_url(url).set(drivername=driver).render_as_string(hide_password=False)


@pytest.fixture
def two_databases() -> Iterator[tuple[str, str]]:
    """Two fresh databases (Dagster's path, ours), as psycopg2 URLs as settings give dagster-postgres."""
    urls = [create_pg_database("fcml_dagster") for _ in range(2)]
    try:
        yield _driver(urls[0], "postgresql+psycopg2"), _driver(urls[1], "postgresql+psycopg2")
    finally:
        for url in urls:
            drop_pg_database(url)


def _event(run_id: str, asset: str, partition: str, timestamp: float, note: str = "") -> EventLogEntry:
    """A materialisation as the ranged run's in-process executor logs it, its data version its own."""
    handle = NodeHandle(asset, None)
    version = hashlib.sha256(f"{run_id}{asset}{partition}".encode()).hexdigest()
    materialization = dg.AssetMaterialization(
        asset_key=asset,
        partition=partition,
        metadata={"as_of": "2026-11-28", "run_partitions": 3, "note": note},
        tags={"dagster/code_version": run_id, "dagster/data_version": version},
    )
    event = DagsterEvent(
        event_type_value="ASSET_MATERIALIZATION",
        job_name="ml_pipeline",
        step_handle=StepHandle(handle),
        node_handle=handle,
        step_kind_value="COMPUTE",
        logging_tags={"job_name": "ml_pipeline", "op_name": asset, "run_id": run_id, "step_key": asset},
        event_specific_data=StepMaterializationData(materialization),
        message=f"Materialized value {asset}.",
        pid=1,
    )
    return EventLogEntry(
        error_info=None,
        level=10,
        user_message=event.message,
        run_id=run_id,
        timestamp=timestamp,
        step_key=asset,
        job_name="ml_pipeline",
        dagster_event=event,
    )


def _batches() -> list[list[EventLogEntry]]:
    """Two runs' batches: two assets, the second run again over one of them (the asset's row is updated);
    metadata with what COPY's text format must escape."""
    batches, now = [], time.time()
    notes = ["tab\there", "line\nbreak\r\n", "back\\slash \\N \\.", "ação 🚀", ""]
    for run in range(2):
        run_id = str(uuid.uuid4())
        for asset in ("ad_insights", "campaign_features") if run == 0 else ("campaign_features",):
            batches.append(
                [
                    _event(run_id, asset, str(p), now + run + p * 1e-3, notes[p % len(notes)])
                    for p in range(1, 8)
                ]
            )
    return batches


def _rows(url: str) -> dict[str, list[tuple]]:
    """What Dagster stored, with each id replaced by the event's place in the log."""
    with psycopg.connect(_driver(url, "postgresql")) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM event_logs ORDER BY id")]
        place = {event_id: n for n, event_id in enumerate(ids)}
        events = conn.execute(
            "SELECT run_id, event, dagster_event_type, timestamp, step_key, asset_key, partition "
            "FROM event_logs ORDER BY id"
        ).fetchall()
        tags = [
            (place[event_id], *rest)
            for event_id, *rest in conn.execute(
                "SELECT event_id, asset_key, key, value, event_timestamp FROM asset_event_tags ORDER BY id"
            )
        ]
        assets = []
        for key, last, *rest in conn.execute(
            "SELECT asset_key, last_materialization, last_run_id, asset_details, wipe_timestamp, "
            "last_materialization_timestamp, tags, cached_status_data FROM asset_keys ORDER BY asset_key"
        ):
            record = deserialize_value(last, EventLogRecord)
            assets.append((key, place[record.storage_id], record.event_log_entry, *rest))
    return {"event_logs": events, "asset_event_tags": tags, "asset_keys": assets}


def test_a_batch_by_copy_stores_the_rows_dagster_stores(two_databases: tuple[str, str]) -> None:
    dagster_url, our_url = two_databases
    theirs = PostgresEventLogStorage(dagster_url)
    ours = PooledPostgresStorage(our_url).event_log_storage
    assert type(ours).store_event_batch is not PostgresEventLogStorage.store_event_batch
    for batch in _batches():
        theirs.store_event_batch(batch)
        ours.store_event_batch(batch)
    expected, got = _rows(dagster_url), _rows(our_url)
    assert len(expected["event_logs"]) == 21 and len(expected["asset_event_tags"]) == 21  # data_version only
    assert [r[0] for r in expected["asset_keys"]] == ['["ad_insights"]', '["campaign_features"]']
    for table in expected:
        assert got[table] == expected[table], table

    # and Dagster reads the same answers from both
    for key in (dg.AssetKey("ad_insights"), dg.AssetKey("campaign_features")):
        assert ours.get_materialized_partitions(key) == theirs.get_materialized_partitions(key)
        assert ours.get_latest_tags_by_partition(
            key, dg.DagsterEventType.ASSET_MATERIALIZATION, ["dagster/data_version"]
        ) == theirs.get_latest_tags_by_partition(
            key, dg.DagsterEventType.ASSET_MATERIALIZATION, ["dagster/data_version"]
        )
        latest = ours.get_latest_materialization_events([key])[key]
        assert latest == theirs.get_latest_materialization_events([key])[key]
        records = ours.fetch_materializations(key, limit=100).records
        assert [(r.partition_key, r.event_log_entry) for r in records] == [
            (r.partition_key, r.event_log_entry)
            for r in theirs.fetch_materializations(key, limit=100).records
        ]


def test_concurrent_batches_tag_their_own_events(two_databases: tuple[str, str]) -> None:
    """Ids are drawn from the table's sequence: writers interleaving on one table never swap them."""
    _, url = two_databases
    ours = PooledPostgresStorage(url).event_log_storage
    ours.store_event_batch(_batches()[0])  # tables created before the threads race

    def write(asset: str) -> None:
        run_id = str(uuid.uuid4())
        for b in range(20):
            ours.store_event_batch([_event(run_id, asset, f"{b}-{p}", time.time()) for p in range(50)])

    threads = [threading.Thread(target=write, args=(f"asset_{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with psycopg.connect(_driver(url, "postgresql")) as conn:
        rows = conn.execute(
            "SELECT e.run_id, e.asset_key, e.partition, t.asset_key, t.value FROM event_logs e "
            "JOIN asset_event_tags t ON t.event_id = e.id AND t.key = 'dagster/data_version' "
            "WHERE e.asset_key LIKE '%asset\\_%'"
        ).fetchall()
    assert len(rows) == 3 * 20 * 50
    for run_id, asset, partition, tag_asset, version in rows:
        name = asset.strip('["]')
        assert tag_asset == asset
        assert version == hashlib.sha256(f"{run_id}{name}{partition}".encode()).hexdigest()


def test_copy_fields_round_trip_through_postgres(two_databases: tuple[str, str]) -> None:
    _, url = two_databases
    values = ["a\tb", "c\nd\r", "e\\f", "\\N", "\\.", "ação", "", None]
    with psycopg.connect(_driver(url, "postgresql"), autocommit=True) as conn:
        conn.execute("CREATE TABLE t (n int, v text)")
        with conn.cursor().copy("COPY t (n, v) FROM STDIN") as copy:
            for n, v in enumerate(values):
                copy.write(f"{n}\t{copy_field(v)}\n".encode())
        assert [r[0] for r in conn.execute("SELECT v FROM t ORDER BY n")] == values


# A real ranged run (one run over every partition, as the daily graph's) on each storage


@dg.asset(
    partitions_def=dg.StaticPartitionsDefinition(["1", "2", "3", "4", "5"]),
    backfill_policy=dg.BackfillPolicy.single_run(),
    code_version="1",
)
def upstream(context) -> None:  # noqa: ANN001  (Dagster reads the hint; unannotated is allowed)
    context.add_output_metadata({"partitions": len(context.partition_keys)})


@dg.asset(
    partitions_def=dg.StaticPartitionsDefinition(["1", "2", "3", "4", "5"]),
    backfill_policy=dg.BackfillPolicy.single_run(),
    code_version="1",
    deps=[upstream],
)
def downstream(context) -> None:  # noqa: ANN001
    context.add_output_metadata({"partitions": len(context.partition_keys)})


def _instance(home: Path, storage: dict) -> dg.DagsterInstance:
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump({"storage": storage, "telemetry": {"enabled": False}}))
    return dg.DagsterInstance.from_config(str(home))


def _answers(instance: dg.DagsterInstance, run_id: str) -> dict:
    """What the UI and backfills read, with the run's own id and times left out."""
    out: dict = {}
    for key in (upstream.key, downstream.key):
        latest = instance.get_latest_materialization_event(key)
        assert latest is not None and latest.run_id == run_id
        mat = latest.asset_materialization
        records = instance.fetch_materializations(key, limit=100).records
        out[key.to_user_string()] = (
            instance.get_materialized_partitions(key),
            (mat.partition, dict(mat.metadata), mat.tags["dagster/data_version"]),
            [(r.partition_key, r.asset_materialization.tags["dagster/data_version"]) for r in records],
            sorted(
                instance.get_latest_storage_id_by_partition(key, dg.DagsterEventType.ASSET_MATERIALIZATION)
            ),
            # read from asset_event_tags (what the UI's data versions come from)
            instance.event_log_storage.get_latest_tags_by_partition(
                key, dg.DagsterEventType.ASSET_MATERIALIZATION, ["dagster/data_version"]
            ),
        )
    return out


def test_a_ranged_run_reads_back_the_same(
    two_databases: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "1000")  # as instance.py sets it for our runs
    dagster_url, our_url = two_databases
    storages = {
        "dagster": {"postgres": {"postgres_url": dagster_url}},
        "ours": {
            "custom": {
                "module": "famachat_ml_pipeline.dagster_storage",
                "class": "PooledPostgresStorage",
                "config": {"postgres_url": our_url},
            }
        },
    }
    job = dg.Definitions(assets=[upstream, downstream]).resolve_implicit_global_asset_job_def()
    answers = {}
    for name, storage in storages.items():
        with _instance(tmp_path / name, storage) as instance:
            result = job.execute_in_process(
                instance=instance,
                tags={"dagster/asset_partition_range_start": "1", "dagster/asset_partition_range_end": "5"},
            )
            assert result.success
            answers[name] = _answers(instance, result.run_id)
            stored = instance.get_records_for_run(
                result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            )
            assert len(stored.records) == 10
    assert answers["ours"] == answers["dagster"]
    assert answers["ours"]["upstream"][0] == {"1", "2", "3", "4", "5"}
