"""`famachat-ml serve` stopped mid-run and started again: what becomes of the run (an on-call question).

Fresh demo data (6 accounts, SQLite) and a fresh instance (SQLite under DAGSTER_HOME, or Dagster's storage on
a new Postgres database with `--storage pg`); serve (`--no-api`) runs the sensors' first runs. When a run of
`--job` reaches the STEP_START of `--step`, its worker is stopped (SIGSTOP) and serve is stopped: `--stop
term` is a rollout (SIGTERM to serve; the worker goes on once serve has passed the signal on, so it takes it
mid-step), `--stop kill` a node's death (SIGKILL of serve and every process of the deployment). Then serve is
started again on the same instance and the script prints, each time it changes, every run's status with the
seconds since that second start; at the end the run's status and tags, its engine events, the training jobs,
each account's latest ml_features / ml_campaign_classifications day and the run that last materialised
each ml_* asset per account. Old code: `PYTHONPATH=OTHER_TREE .venv/bin/python benchmarks/restart_mid_run.py`
(serve and its children inherit it). Leaves its folder (`--root`) and its Postgres database
(`restart_mid_run_*`, dropped and created again by the next run with the same flags) for inspection."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

BIN = Path(sys.executable).parent
PG_ADMIN = ["psql", "-h", "127.0.0.1", "-U", "root", "-d", "test"]
ACCOUNTS = [str(i) for i in range(1, 7)]


def deployment_pids(home: Path) -> list[int]:
    marker = f"DAGSTER_HOME={home}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--storage", choices=["sqlite", "pg"], default="sqlite")
    ap.add_argument("--stop", choices=["term", "kill"], default="kill")
    ap.add_argument("--step", default="campaign_features")
    ap.add_argument("--job", default="ml_pipeline")
    ap.add_argument("--wait", type=float, default=300, help="seconds to follow the restarted serve at most")
    ap.add_argument("--port", type=int, default=3950)
    ap.add_argument("--root", type=Path, default=None)
    args = ap.parse_args()
    root = args.root or Path(f"/tmp/restart_mid_run/{args.storage}-{args.stop}-{args.step}")
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    home = root / "home"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{root / 'data.db'}",
        "DAGSTER_HOME": str(home),
        "MODELS_STORAGE_PATH": str(root / "models"),
        "FRAMES_STORAGE_PATH": str(root / "frames"),
        "SENSOR_INTERVAL_SECONDS": "5",
        "RUN_QUEUE_INTERVAL_SECONDS": "1",
        "DAGSTER_EVENT_LOG_CONSUMER_DAEMON_INTERVAL_SECONDS": "1",
    }
    env.pop("DAGSTER_PG_URL", None)
    if args.storage == "pg":
        db = f"restart_mid_run_{args.stop}_{args.step}".lower()
        drop, create = f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', f'CREATE DATABASE "{db}"'
        subprocess.run([*PG_ADMIN, "-c", drop, "-c", create], check=True, capture_output=True)
        env["DAGSTER_PG_URL"] = os.environ["DAGSTER_PG_URL"] = f"postgresql://root@127.0.0.1:5432/{db}"
    subprocess.run([BIN / "famachat-ml", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([BIN / "famachat-ml", "generate-demo-data"], env=env, check=True, capture_output=True)
    t0 = time.monotonic()

    def say(text: str) -> None:
        print(f"{time.monotonic() - t0:7.1f}s {text}", flush=True)

    def start(n: int) -> subprocess.Popen:
        log = (root / f"serve{n}.log").open("w")
        argv = [BIN / "famachat-ml", "serve", "--no-api", "--port", str(args.port)]
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        say(f"serve {n} started (pid {proc.pid})")
        return proc

    first = start(1)
    while not (home / "dagster.yaml").exists():
        time.sleep(0.5)
    time.sleep(3)
    instance = dg.DagsterInstance.from_config(str(home))
    print(
        "code:",
        subprocess.run(
            [BIN / "python", "-c", "import famachat_ml_pipeline as p; print(p.__file__)"],
            env=env,
            cwd=root,  # not this tree: `python -c` puts the working directory before PYTHONPATH
            capture_output=True,
            text=True,
        ).stdout.strip(),
        "run launcher:",
        type(instance.run_launcher).__name__,
    )

    def events(run_id: str) -> list[dg.DagsterEvent]:
        return [e.dagster_event for e in instance.all_logs(run_id) if e.dagster_event]

    target = None
    deadline = time.monotonic() + 300
    while target is None and time.monotonic() < deadline:
        for run in instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])):
            ev = events(run.run_id) if run.job_name == args.job else []
            if any(e.is_step_start and e.step_key == args.step for e in ev):
                pid = next(e.pid for e in ev if e.pid)
                os.kill(pid, signal.SIGSTOP)
                target = (run, pid)
                break
        time.sleep(0.05)
    assert target is not None, f"no {args.job} run reached {args.step} within 300 s"
    run, pid = target
    say(
        f"run {run.run_id[:8]} ({run.job_name}, {run.tags.get('dagster/sensor_name')}) stopped at {args.step}"
    )
    if args.stop == "term":
        first.send_signal(signal.SIGTERM)
        while "stopping" not in (root / "serve1.log").read_text():
            time.sleep(0.05)
        os.kill(pid, signal.SIGCONT)
    else:
        for p in deployment_pids(home):
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
    first.wait()
    time.sleep(1)
    stopped = instance.get_run_by_id(run.run_id)
    say(f"serve 1 gone (exit {first.returncode}); run {stopped.status.value}")
    engine = sa.create_engine(env["DATABASE_URL"])

    def jobs() -> list:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT id, status, error_message FROM ml_training_jobs")).all()

    say(f"training jobs: {jobs()}")
    restarted = time.monotonic()
    second = start(2)
    last = None
    while time.monotonic() - restarted < args.wait:
        runs = instance.get_runs()
        state = sorted((r.run_id[:8], r.job_name, r.status.value, (r.parent_run_id or "")[:8]) for r in runs)
        if state != last:
            say(f"+{time.monotonic() - restarted:5.1f}s after the restart: {state}")
            last = state
        current = instance.get_run_by_id(run.run_id)
        retried = [r for r in runs if r.parent_run_id == run.run_id and r.is_finished]
        # settled: nothing left to run, and the run's re-run (if it is to have one) has ended
        awaited = current.is_finished and (retried or current.tags.get("dagster/will_retry") == "false")
        if awaited and all(r.is_finished for r in runs):
            break
        time.sleep(1)
    final = instance.get_run_by_id(run.run_id)
    tags = {k: v for k, v in final.tags.items() if "retry" in k or "failure" in k}
    say(f"final: run {final.status.value} {tags}")
    for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        print("   engine event:", entry.message[:240].replace("\n", " "))
    say(f"training jobs: {jobs()}")
    with engine.connect() as conn:
        for table, column in (
            ("ml_features", "feature_date"),
            ("ml_campaign_classifications", "classified_at"),
        ):
            q = f"SELECT config_id, max({column}), count(*) FROM {table} GROUP BY 1 ORDER BY 1"
            print(f"   {table}:", [(r[0], str(r[1])[:10], r[2]) for r in conn.execute(sa.text(q))])
    for asset in (
        "campaign_anomalies",
        "campaign_features",
        "campaign_classifications",
        "campaign_recommendations",
    ):
        latest = {}
        for account in ACCOUNTS:
            where = dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[account])
            records = instance.fetch_materializations(where, limit=1).records
            latest[account] = records[0].run_id[:8] if records else None
        print(f"   last materialised {asset} by run:", latest)
    second.send_signal(signal.SIGTERM)
    second.wait()
    instance.dispose()


if __name__ == "__main__":
    main()
