"""The size of each run's rows in a Dagster event_logs table on Postgres, e.g. a `bench_fleet.py` run's
Dagster database (`fcml_bench_dagster_<tag>`, left on the server), whichever code tree wrote it.

    python benchmarks/event_bytes.py postgresql://root@127.0.0.1:5432/fcml_bench_dagster_<tag>
"""

from __future__ import annotations

import sys

import fleet_profile
import sqlalchemy as sa


def main() -> None:
    url = sys.argv[1]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        runs = conn.execute(sa.text("SELECT run_id, status FROM runs ORDER BY create_timestamp")).all()
    engine.dispose()
    for run_id, status in runs:
        print(f"run {run_id} ({status})")
        fleet_profile.print_event_bytes(fleet_profile.event_bytes(url, run_id))


if __name__ == "__main__":
    main()
