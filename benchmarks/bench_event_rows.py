"""What a ranged run's materialisation events cost Dagster to write, old metadata placement vs new, on the
events two real runs stored: `bench_fleet.py` leaves its Dagster database (`fcml_bench_dagster_<tag>`),
one run with each tree's code gives the two sets of 7,000 events.

    python benchmarks/bench_event_rows.py OLD_DAGSTER_URL NEW_DAGSTER_URL [--repeat 5]

For each set, alternating old/new: the CPU seconds (time.process_time) to serialise every event as Dagster
does before it stores it (dagster serdes, `serialize_value` of the EventLogEntry), and the wall seconds to
INSERT the serialised rows into a scratch copy of `event_logs` in batches of 1,000 (one step's
store_event_batch). Prints each repetition, then best and median, and the bytes.
"""

from __future__ import annotations

import argparse
import statistics
import time

import psycopg
import sqlalchemy as sa
from dagster._serdes import deserialize_value, serialize_value

BATCH = 1000  # one step's partitions: Dagster stores a step's materialisations in one batch


def ranged_run_events(url: str) -> list:
    """The ASSET_MATERIALIZATION events of the database's run with the most of them, deserialised."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        run_id = conn.execute(
            sa.text(
                "SELECT run_id FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION' "
                "GROUP BY run_id ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()
        rows = conn.execute(
            sa.text(
                "SELECT event FROM event_logs WHERE run_id = :r AND dagster_event_type = "
                "'ASSET_MATERIALIZATION' ORDER BY id"
            ),
            {"r": run_id},
        ).scalars()
        events = [deserialize_value(r) for r in rows]
    engine.dispose()
    return events


def serialise_seconds(events: list) -> tuple[float, list[str]]:
    start = time.process_time()
    out = [serialize_value(e) for e in events]
    return time.process_time() - start, out


def insert_seconds(url: str, rows: list[str]) -> float:
    """INSERT the rows into a fresh scratch table shaped like event_logs' columns Dagster fills."""
    plain = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_event_rows")
        conn.execute("CREATE TABLE bench_event_rows (LIKE event_logs INCLUDING ALL)")
        conn.commit()
        start = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO bench_event_rows (run_id, event, dagster_event_type, timestamp, step_key, "
                    "asset_key, partition) VALUES ('r', %s, 'ASSET_MATERIALIZATION', now(), 's', 'a', 'p')",
                    [(r,) for r in rows[i : i + BATCH]],
                )
            conn.commit()
        seconds = time.perf_counter() - start
        conn.execute("DROP TABLE bench_event_rows")
        conn.commit()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("old_url")
    parser.add_argument("new_url")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    urls = {"old": args.old_url, "new": args.new_url}
    sets = {name: (url, ranged_run_events(url)) for name, url in urls.items()}
    cpu: dict[str, list[float]] = {k: [] for k in sets}
    ins: dict[str, list[float]] = {k: [] for k in sets}
    size: dict[str, int] = {}
    for i in range(args.repeat):
        for name, (url, events) in sets.items():
            seconds, rows = serialise_seconds(events)
            size[name] = sum(len(r) for r in rows)
            cpu[name].append(seconds)
            ins[name].append(insert_seconds(url, rows))
            print(
                f"{i + 1} {name}: {len(rows):,} events, serialise {seconds:.3f} s CPU, "
                f"INSERT {ins[name][-1]:.3f} s wall"
            )
    for name in sets:
        print(
            f"{name}: {size[name] / 1e6:.2f} MB; serialise best {min(cpu[name]):.3f} s, median "
            f"{statistics.median(cpu[name]):.3f} s CPU; INSERT best {min(ins[name]):.3f} s, median "
            f"{statistics.median(ins[name]):.3f} s wall"
        )


if __name__ == "__main__":
    main()
