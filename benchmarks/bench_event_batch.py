"""Storing a ranged run's materialisation events in Dagster's Postgres storage: Dagster's own batch INSERT
against our COPY path (dagster_event_copy.py), alternating, on the same pooled storage and database.

    python benchmarks/bench_event_batch.py [--assets 7] [--partitions 1000] [--repeat 3] [--server URL]

The events are built as the daily run's are (byte for byte the size and shape of those a bench_fleet.py
run stored: 3 metadata entries, code and data version tags); each asset's partitions are one batch, as
DAGSTER_EVENT_BATCH_SIZE=1000 makes them. Per repetition and path: the wall and the process's CPU seconds
(time.process_time; Postgres's own work is in its server processes) to store every batch, then each
path's figures, best and median. The database is fresh and dropped at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time
import uuid

import dagster as dg
from bench_env import DEFAULT_SERVER, drop_database, fresh_database
from dagster._core.definitions.dependency import NodeHandle
from dagster._core.events import DagsterEvent, StepMaterializationData
from dagster._core.events.log import EventLogEntry
from dagster._core.execution.plan.handle import StepHandle
from dagster_postgres.event_log import PostgresEventLogStorage

from famachat_ml_pipeline.dagster_storage import PooledPostgresStorage

ASSETS = (
    "ad_insights",
    "campaign_features",
    "campaign_anomalies",
    "campaign_forecasts",
    "campaign_classifications",
    "forecast_accuracy",
    "campaign_recommendations",
)


def materialization(run_id: str, asset: str, partition: str, timestamp: float) -> EventLogEntry:
    """An ASSET_MATERIALIZATION event as the ranged run's in-process executor logs it."""
    handle = NodeHandle(asset, None)
    version = hashlib.sha256(f"{run_id}{asset}{partition}".encode()).hexdigest()
    materialization = dg.AssetMaterialization(
        asset_key=asset,
        partition=partition,
        metadata={"as_of": "2026-11-28", "run_partitions": 1000, "run_figures_on": "287"},
        tags={"dagster/code_version": run_id, "dagster/data_version": version},
    )
    event = DagsterEvent(
        event_type_value="ASSET_MATERIALIZATION",
        job_name="ml_pipeline",
        step_handle=StepHandle(handle),
        node_handle=handle,
        step_kind_value="COMPUTE",
        logging_tags={
            "job_name": "ml_pipeline",
            "op_name": asset,
            "resource_fn_name": "None",
            "resource_name": "None",
            "run_id": run_id,
            "step_key": asset,
        },
        event_specific_data=StepMaterializationData(materialization),
        message=f"Materialized value {asset}.",
        pid=5845,
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


def run_batches(assets: int, partitions: int) -> list[list[EventLogEntry]]:
    run_id = str(uuid.uuid4())
    now = time.time()
    return [
        [materialization(run_id, asset, str(p), now + p * 1e-4) for p in range(1, partitions + 1)]
        for asset in ASSETS[:assets]
    ]


def store(store_batch, batches: list[list[EventLogEntry]]) -> tuple[float, float]:  # noqa: ANN001
    wall, cpu = time.perf_counter(), time.process_time()
    for batch in batches:
        store_batch(batch)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=7)
    parser.add_argument("--partitions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--server", default=DEFAULT_SERVER)
    args = parser.parse_args()

    url = fresh_database(args.server, f"fcml_bench_events_{uuid.uuid4().hex[:6]}")
    try:
        storage = PooledPostgresStorage(url.replace("postgresql://", "postgresql+psycopg2://", 1))
        events = storage.event_log_storage
        paths = {
            "dagster": lambda batch: PostgresEventLogStorage.store_event_batch(events, batch),
            "copy": events.store_event_batch,
        }
        store(paths["dagster"], run_batches(1, 10))  # warm up: tables seen, connections pooled
        store(paths["copy"], run_batches(1, 10))
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in paths}
        n = args.assets * args.partitions
        for i in range(args.repeat):
            order = list(paths) if i % 2 == 0 else list(reversed(paths))
            for name in order:
                wall, cpu = store(paths[name], run_batches(args.assets, args.partitions))
                figures[name].append((wall, cpu))
                print(f"{i + 1} {name:<8} {n:,} events: {wall:6.3f} s wall, {cpu:6.3f} s CPU")
        for name, rows in figures.items():
            walls, cpus = [w for w, _ in rows], [c for _, c in rows]
            print(
                f"{name:<8} wall best {min(walls):.3f} median {statistics.median(walls):.3f} s; "
                f"CPU best {min(cpus):.3f} median {statistics.median(cpus):.3f} s"
            )
        events._engine.dispose()  # noqa: SLF001
    finally:
        drop_database(args.server, url)


if __name__ == "__main__":
    main()
