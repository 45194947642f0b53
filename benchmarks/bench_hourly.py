"""The hourly anomaly job alone on an N-account fleet (Postgres data and Dagster storage), optionally against
an older tree of the code, back to back on the same database.

    python benchmarks/bench_hourly.py [--accounts 300] [--repeat 2] [--ref /tmp/fcml-ref] [--server URL]

Before each round, `--restate` accounts get yesterday's spend restated (as Meta does between two
hourly runs). `--ref` is a checkout of another commit (`git archive 80b6815 | tar -x -C /tmp/fcml-ref`):
each round runs the job once with that code and once with this tree, each in a fresh process (PYTHONPATH
picks the code), after one warm-up run that leaves ml_anomalies as the daily run would. Prints per run the
job's wall (in the child, without the interpreter's start), and per step its wall and read/compute/write
seconds. `--plain` adds, each round, this tree with `reuse_unchanged: false` (every campaign detected
again, which is what the daily graph's step does on a new day).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from bench_env import DEFAULT_SERVER, bench_environment

HERE = Path(__file__).resolve().parent
TREE = HERE.parent

_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import dagster as dg
import fleet_profile
import famachat_ml_pipeline
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline import runner
from famachat_ml_pipeline.runner import execute_here
from famachat_ml_pipeline.settings import get_settings

if sys.argv[2] == "plain":  # every campaign detected again, as the day's first run (the daily step) does
    base = runner._run_config
    plain = {"ops": {"campaign_anomalies": {"config": {"reuse_unchanged": False}}}}
    runner._run_config = lambda level: {**base(level), **plain}

settings = get_settings()
instance = get_instance(settings)
schedule = defs.get_schedule_def("hourly_anomaly_detection_schedule")
(request,) = schedule.evaluate_tick(dg.build_schedule_context(instance=instance)).run_requests
t = time.perf_counter()
summary = execute_here(instance, schedule.job_name, None, dict(request.tags), "WARNING", lambda _: None,
                       str(settings.frames_storage_path))
wall = time.perf_counter() - t
profile = fleet_profile.profile_run(instance, summary.run_id)
steps = [{"key": s.key, "wall": s.wall, **s.metadata} for s in profile.steps]
print(json.dumps({"code": famachat_ml_pipeline.__file__, "success": summary.success, "wall": wall,
                  "steps": steps}))
"""


def run_job(code_dir: Path, mode: str = "default") -> dict:
    env = {**os.environ, "PYTHONPATH": str(code_dir), "OMP_WAIT_POLICY": "PASSIVE"}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(HERE), mode], capture_output=True, text=True, env=env, cwd=code_dir
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def show(label: str, r: dict) -> None:
    steps = "; ".join(
        f"{s['key']} {s['wall']:.2f} s (read {s.get('read', 0):.2f}, compute {s.get('compute', 0):.2f}, "
        f"write {s.get('write', 0):.2f})"
        for s in r["steps"]
    )
    print(f"{label:<5} {'ok' if r['success'] else 'FAILED'} {r['wall']:6.2f} s  {steps}", flush=True)


def restate(engine, as_of, accounts: int, n: int, round_: int) -> None:  # noqa: ANN001
    """What changes between two hourly runs: Meta restates yesterday's spend of `n` accounts' campaigns."""
    import datetime as dt

    import sqlalchemy as sa

    from famachat_ml_pipeline.source.tables import insights_table as i

    ids = [1 + (round_ * 7919 + k * 104729) % accounts for k in range(n)]
    with engine.begin() as conn:
        conn.execute(
            i.update()
            .where(i.c.config_id.in_(ids), i.c.date_start == as_of - dt.timedelta(days=1))
            .values(spend=i.c.spend + 1, updated_at=sa.func.now())
        )
    print(f"restated yesterday's spend of {len(set(ids))} accounts", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--ref", type=Path, default=None, help="another tree of the code to run against")
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument(
        "--plain", action="store_true", help="also run this tree with every campaign detected again"
    )
    parser.add_argument(
        "--restate", type=int, default=10, help="accounts whose yesterday is restated before each round"
    )
    args = parser.parse_args()
    bench_environment(args.server, "fcml_bench_hourly")

    from famachat_ml_pipeline.db.engine import get_engine, migrate
    from famachat_ml_pipeline.demo.generator import generate_demo
    from famachat_ml_pipeline.demo.loader import write_demo
    from famachat_ml_pipeline.instance import get_instance
    from famachat_ml_pipeline.settings import get_settings

    settings = get_settings()
    engine = get_engine(settings.database_url)
    migrate(settings.database_url)
    data = generate_demo(n_accounts=args.accounts, days=90, seed=11)
    write_demo(engine, data)
    get_instance(settings).add_dynamic_partitions("config_id", [str(i) for i in range(1, args.accounts + 1)])
    print(f"fleet: {args.accounts:,} accounts, {data.insights.height:,} insight rows; as of {data.end_date}")
    show("warm", run_job(TREE))
    for round_ in range(args.repeat):
        restate(engine, data.end_date, args.accounts, args.restate, round_)
        if args.ref is not None:
            show("ref", run_job(args.ref))
        show("this", run_job(TREE))
        if args.plain:  # after "this", which must see the restated accounts as changed
            show("plain", run_job(TREE, "plain"))


if __name__ == "__main__":
    main()
