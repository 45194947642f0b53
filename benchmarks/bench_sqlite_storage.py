"""The daily graph on the embedded default (SQLite data, Dagster's storage in SQLite files under
DAGSTER_HOME), with Dagster's own SQLite storage (an engine per query) against ours
(`famachat_ml_pipeline/dagster_sqlite_storage.py`: engines kept, tables remembered), alternating in one
process, each run in a fresh DAGSTER_HOME on the same demo data. Prints per run the CPU seconds of the
process (`time.process_time`) and the wall of a run on a DAGSTER_HOME that has one run already (the
first creates the storage's files and is not timed), then best and median per storage and their ratio.

    .venv/bin/python benchmarks/bench_sqlite_storage.py [--accounts 1] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from famachat_ml_pipeline import instance as instance_module
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import get_settings

OURS = instance_module.instance_config


def dagsters(settings: object) -> dict:
    """The instance config without our `storage:`: Dagster's default SQLite storage, same files."""
    config = OURS(settings)  # type: ignore[arg-type]
    config.pop("storage")
    return config


def one_run(root: Path, name: str, as_of: object) -> tuple[float, float]:
    home = root / name
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ["FRAMES_STORAGE_PATH"] = str(home / "frames")
    get_settings.cache_clear()
    settings = get_settings()
    cpu, wall = time.process_time(), time.perf_counter()
    (run,) = run_pipeline(settings, as_of=as_of, echo=lambda _: None, log_level="WARNING")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert run.success, name
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None) as tmp:
        root = Path(tmp)
        url = f"sqlite:///{root / 'famachat_ml.db'}"
        os.environ.update(DATABASE_URL=url, MODELS_STORAGE_PATH=str(root / "models"))
        os.environ.pop("DAGSTER_PG_URL", None)
        data = generate_demo(n_accounts=args.accounts, days=60, seed=5)
        write_demo(get_engine(url), data)
        one_run(root, "warm-up", data.end_date)  # imports, the data database's migrations
        seconds: dict[str, list[tuple[float, float]]] = {"dagster": [], "ours": []}
        for round_ in range(args.rounds):
            for name, config in (("dagster", dagsters), ("ours", OURS)):
                instance_module.instance_config = config
                one_run(root, f"{name}-{round_}", data.end_date)  # creates the storage's files
                cpu, wall = one_run(root, f"{name}-{round_}", data.end_date)
                seconds[name].append((cpu, wall))
                print(f"round {round_} {name:8s} cpu {cpu:6.2f} s  wall {wall:6.2f} s", flush=True)
        instance_module.instance_config = OURS
    stats = {
        name: (
            min(c for c, _ in runs),
            statistics.median(c for c, _ in runs),
            statistics.median(w for _, w in runs),
        )
        for name, runs in seconds.items()
    }
    for name, (best, median, wall) in stats.items():
        print(f"{name:8s} cpu best {best:.2f} s, median {median:.2f} s; wall median {wall:.2f} s")
    old, new = stats["dagster"], stats["ours"]
    ratios = [old[i] / new[i] for i in range(3)]
    print("dagster / ours: cpu best {:.2f}x, median {:.2f}x; wall median {:.2f}x".format(*ratios))
    print(f"accounts {args.accounts}, rounds {args.rounds}, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
