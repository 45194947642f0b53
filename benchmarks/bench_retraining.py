"""The retraining job (`model_retraining`, classifier_model alone) on Postgres, optionally against older code.

    .venv/bin/python benchmarks/bench_retraining.py --accounts 1000 --days 120 --runs 3
    # old vs new, back to back on the same databases (an older tree exported with its pyproject.toml):
    git archive <commit> famachat_ml_pipeline pyproject.toml | tar -x -C /tmp/old
    .venv/bin/python benchmarks/bench_retraining.py --accounts 1000 --days 120 --runs 3 --old-code /tmp/old

Loads N accounts x D days (the job reads 120) into fresh databases, then runs the job `--runs` times, each in
a child process (with --old-code: the old tree's run, then this tree's, alternately). Prints the job's wall
time, the asset's read and compute timers, the child's CPU seconds, the training samples and F1-macro.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys

from bench_env import DEFAULT_SERVER, bench_environment, drop_database

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

_CHILD = r"""
import json, time
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.settings import get_settings
instance = get_instance(get_settings())
t, c = time.perf_counter(), time.process_time()
result = defs.resolve_job_def("model_retraining").execute_in_process(instance=instance)
wall, cpu = time.perf_counter() - t, time.process_time() - c
(event,) = [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]
md = {k: getattr(v, "value", v) for k, v in event.event_specific_data.materialization.metadata.items()}
print(json.dumps({"wall": wall, "cpu": cpu, "md": {k: v for k, v in md.items() if k != "artifact"}}))
"""


def run_job(pythonpath: str) -> dict:
    env = dict(os.environ, PYTHONPATH=pythonpath)
    # cwd outside the repository, so PYTHONPATH (not the current directory) decides which tree is imported
    out = subprocess.run([sys.executable, "-c", _CHILD], cwd="/tmp", env=env, capture_output=True, text=True)
    lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
    if out.returncode or not lines:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(lines[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--accounts", type=int, default=1000)
    p.add_argument("--days", type=int, default=120)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--old-code", default=None, help="a tree with famachat_ml_pipeline/ and pyproject.toml")
    p.add_argument("--server", default=DEFAULT_SERVER)
    a = p.parse_args()
    data_url, dagster_url = bench_environment(a.server, "fcml_retrain")
    try:
        from famachat_ml_pipeline.db.engine import get_engine, migrate
        from famachat_ml_pipeline.demo.generator import generate_demo
        from famachat_ml_pipeline.demo.loader import write_demo

        engine = get_engine(data_url)
        migrate(data_url)
        data = generate_demo(n_accounts=a.accounts, days=a.days, seed=11)
        write_demo(engine, data)
        engine.dispose()
        print(f"{a.accounts:,} accounts x {a.days} days: {data.insights.height:,} insight rows")
        trees = [("old", a.old_code), ("new", "")] if a.old_code else [("new", "")]
        for i in range(a.runs):
            for name, path in trees:
                r = run_job(path)
                md, m = r["md"], r["md"]["metrics"]
                print(
                    f"{name} run {i}: job {r['wall']:.1f} s (read {md['seconds_read']:.1f} + compute "
                    f"{md['seconds_compute']:.1f}), CPU {r['cpu']:.1f} s, {md['samples']:,} samples, "
                    f"held-out F1-macro {md['f1_macro_model']:.4f} vs persistence "
                    f"{md['f1_macro_persistence']:.4f} "
                    f"({m['split']['holdout_start']}..{m['split']['holdout_end']}), CV {m['cv']}, "
                    f"load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    finally:
        drop_database(a.server, data_url)
        drop_database(a.server, dagster_url)
        scratch = os.environ["FAMACHAT_ML_DATA_DIR"]
        if scratch.startswith("/tmp/fcml_retrain_"):  # ours (bench_environment's default), not a user's
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
