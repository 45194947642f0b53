"""Fleet benchmark: N accounts (default 1,000 x ~12 campaigns x 90 days, ~1M insight rows) on Postgres.

Prints rows/s for each pure stage, then one ranged run of the whole graph over every partition with
Dagster's storage on Postgres too, split into reading, compute, writing and Dagster's bookkeeping.

    python benchmarks/bench_fleet.py [--accounts 1000] [--server postgresql://root@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass

import fleet_profile
import polars as pl
import sqlalchemy as sa
from bench_env import DEFAULT_SERVER, bench_environment

# OpenMP waits passively on the shared cores (as `make` and the CLI set it), here and in the run's process
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--skip-run", action="store_true", help="pure stages only")
    args = parser.parse_args()

    bench_environment(args.server, "fcml_bench")

    from famachat_ml_pipeline.core.anomalies import detect_anomalies
    from famachat_ml_pipeline.core.features import compute_features
    from famachat_ml_pipeline.core.forecasting import forecast_fleet
    from famachat_ml_pipeline.db.engine import get_engine, migrate
    from famachat_ml_pipeline.demo.generator import generate_demo
    from famachat_ml_pipeline.demo.loader import write_demo
    from famachat_ml_pipeline.settings import get_settings
    from famachat_ml_pipeline.source.read import read_daily_insights

    settings = get_settings()
    engine = get_engine(settings.database_url)
    migrate(settings.database_url)

    t = time.perf_counter()
    data = generate_demo(n_accounts=args.accounts, days=90, seed=11)
    gen_s = time.perf_counter() - t
    t = time.perf_counter()
    write_demo(engine, data)
    load_s = time.perf_counter() - t
    rows = data.insights.height
    campaigns = data.campaigns.height
    print(f"fleet: {args.accounts:,} accounts, {campaigns:,} campaigns, {rows:,} insight rows")
    print(f"generate   {gen_s:7.2f} s   {rows / gen_s:12,.0f} rows/s")
    print(f"load (COPY){load_s:7.2f} s   {rows / load_s:12,.0f} rows/s")

    ids = list(range(1, args.accounts + 1))
    as_of = data.end_date
    t = time.perf_counter()
    read = read_daily_insights(engine, ids, as_of)
    read_s = time.perf_counter() - t
    daily = read.daily
    print(f"read+clean {read_s:7.2f} s   {rows / read_s:12,.0f} rows/s  -> {daily.height:,} campaign-days")

    def stage(name: str, fn) -> None:  # noqa: ANN001
        t = time.perf_counter()
        out = fn()
        s = time.perf_counter() - t
        print(f"{name:<11}{s:7.2f} s   {daily.height / s:12,.0f} rows/s  -> {out.height:,} rows")

    stage("features", lambda: compute_features(daily, as_of))
    stage("anomalies", lambda: detect_anomalies(daily, as_of))
    stage("forecasts", lambda: forecast_fleet(daily, as_of))

    from famachat_ml_pipeline.core import classifier
    from famachat_ml_pipeline.core.features import compute_features_wide
    from famachat_ml_pipeline.defs.classification.sampling import sampled_as_of_dates

    t = time.perf_counter()
    dates = sampled_as_of_dates(classifier.training_as_of_dates(daily), campaigns)
    trained = classifier.train_classifier(classifier.build_training_set(daily, dates))
    train_s = time.perf_counter() - t
    print(
        f"train      {train_s:7.2f} s   {trained.samples_count:,} samples, {len(dates)} as-of days; held-out "
        f"F1-macro {trained.metrics['model']['f1_macro']:.3f} vs persistence "
        f"{trained.metrics['baseline']['f1_macro']:.3f}"
    )
    wide = compute_features_wide(daily, as_of)
    stage("classify", lambda: classifier.classify(wide, trained.model))

    if args.skip_run:
        return
    measure_run(settings, engine, args.accounts, ids, as_of, rows)


def measure_run(settings, engine, accounts: int, ids: list[int], as_of, rows: int) -> None:  # noqa: ANN001
    """The ranged run (in a child process, as `famachat-ml run` is), the I/O floor it is held to, the
    hourly anomaly job, one account, and the retraining job."""
    from famachat_ml_pipeline.instance import get_instance, initialise_storage

    # Dagster's tables exist before the measured run, as for every daily run but a deployment's first
    # (`famachat-ml serve` creates them at start): creating them in the run's process cost ~0.5 s
    initialise_storage(settings)
    floor_read = copy_source_out(engine, ids, as_of)
    print(
        f"\nI/O floor, source: COPY {floor_read.rows:,} insight rows out into polars "
        f"{floor_read.seconds:6.2f} s"
    )

    child = ranged_run_in_child(as_of)
    instance = get_instance(settings)
    profile = fleet_profile.profile_run(instance, child["run_id"])
    wall = child["end"] - child["start"]
    print(
        f"\nranged run over {accounts:,} partitions, Dagster storage on Postgres: "
        f"{'success' if child['success'] else 'FAILED'} in {wall:.1f} s (run_pipeline in a child process; "
        f"{child['process_seconds']:.1f} s with the interpreter's start and imports)"
    )
    print(
        f"  peak RSS of the run's process: {child['peak_rss_mb']:,.0f} MB "
        "(getrusage RUSAGE_CHILDREN ru_maxrss)"
    )
    # the process's CPU (all its threads) over run_pipeline; Postgres's own work is in its server processes
    print(f"  CPU of the run's process over run_pipeline: {child['cpu']:.1f} s (code: {child['code']})")
    fleet_profile.print_steps(profile)
    fleet_profile.print_bookkeeping(profile, child["start"], child["end"])
    fleet_profile.print_event_bytes(fleet_profile.event_bytes(os.environ["DAGSTER_PG_URL"], child["run_id"]))
    print(f"  {rows / wall:,.0f} source rows/s end to end")

    bare, indexed = copy_outputs_in(engine, indexes=False), copy_outputs_in(engine, indexes=True)
    print("\nI/O floor, results: COPY the run's rows into copies of the ml_* tables (bare / with indexes)")
    for table, (n, s) in bare.tables.items():
        print(f"  {table:<28}{n:>10,} rows  {s:6.2f} s  {indexed.tables[table][1]:6.2f} s")
    print(f"  {'total':<28}{bare.rows:>10,} rows  {bare.seconds:6.2f} s  {indexed.seconds:6.2f} s")
    for what, write in (("copies without indexes", bare), ("copies with the tables' indexes", indexed)):
        floor = floor_read.seconds + write.seconds
        print(
            f"I/O floor ({what}) {floor:.2f} s; run wall / I/O floor = {wall:.1f} / {floor:.2f} "
            f"= {wall / floor:.1f}x"
        )

    hourly_anomalies(instance, settings)
    one_account(settings, instance, ids[0], as_of)

    # The 05:00 retraining job is separate from the daily graph: time it on its own.
    from famachat_ml_pipeline.definitions import defs

    t = time.perf_counter()
    retrain = defs.resolve_job_def("model_retraining").execute_in_process(instance=instance)
    print(
        f"retraining job (classifier_model alone): {'success' if retrain.success else 'FAILED'} "
        f"in {time.perf_counter() - t:.1f} s"
    )


@dataclass
class Floor:
    rows: int
    seconds: float
    tables: dict[str, tuple[int, float]]


def copy_source_out(engine: sa.Engine, ids: list[int], as_of: dt.date) -> Floor:
    """The reader's raw COPY of the source rows it needs (the same SELECT), into a polars frame; no
    casting, no cleaning."""
    from famachat_ml_pipeline.source.read import _CAMPAIGN_COLS, INSIGHT_COLUMNS, _select_sql
    from famachat_ml_pipeline.source.tables import CAMPAIGNS, INSIGHTS

    start = as_of - dt.timedelta(days=89)
    id_list = ",".join(str(i) for i in ids)
    queries = [
        (_select_sql(CAMPAIGNS, _CAMPAIGN_COLS, f"config_id IN ({id_list})"), _CAMPAIGN_COLS),
        (
            _select_sql(INSIGHTS, INSIGHT_COLUMNS, f"config_id IN ({id_list}) AND date_start >= '{start}'"),
            INSIGHT_COLUMNS,
        ),
    ]
    raw = engine.raw_connection()
    try:
        t = time.perf_counter()
        with raw.driver_connection.cursor() as cur:
            for sql, cols in queries:
                buf = io.BytesIO()
                with cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as cp:
                    for block in cp:
                        buf.write(block)
                buf.seek(0)
                frame = pl.read_csv(buf, schema=dict.fromkeys(cols, pl.String))
        seconds = time.perf_counter() - t
    finally:
        raw.close()
    return Floor(frame.height, seconds, {})


def copy_outputs_in(engine: sa.Engine, indexes: bool) -> Floor:
    """The run's rows of each ml_* table, read out first (not timed), then COPY'd into a fresh
    `CREATE TABLE ... (LIKE ...)`: the least any writer of those rows could spend. Without `indexes` a bare
    copy (a lower bound: no writer of the real tables skips their indexes); with them `INCLUDING ALL` (the
    tables' indexes, defaults and checks; LIKE never copies foreign keys), i.e. what a COPY into the ml_*
    tables themselves costs."""
    from famachat_ml_pipeline.db import schema

    tables: dict[str, tuple[int, float]] = {}
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        for table in schema.ML_TABLES:
            name = table.name
            with conn.cursor() as cur:
                buf = io.BytesIO()
                with cur.copy(f"COPY (SELECT * FROM {name}) TO STDOUT") as cp:
                    for block in cp:
                        buf.write(block)
                n = conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                if not n:
                    continue
                cur.execute(f"DROP TABLE IF EXISTS {name}_copy")
                like = f"{name} INCLUDING ALL" if indexes else name  # ALL: indexes, defaults, checks
                cur.execute(f"CREATE TABLE {name}_copy (LIKE {like})")
                conn.commit()
                t = time.perf_counter()
                with cur.copy(f"COPY {name}_copy FROM STDIN") as cp:
                    cp.write(buf.getvalue())
                conn.commit()
                tables[name] = (n, time.perf_counter() - t)
                cur.execute(f"DROP TABLE {name}_copy")
                conn.commit()
    finally:
        raw.close()
    return Floor(sum(n for n, _ in tables.values()), sum(s for _, s in tables.values()), tables)


_RUN_CHILD = """
import datetime as dt, json, sys, time
import famachat_ml_pipeline
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import get_settings
start, cpu = time.time(), time.process_time()
(run,) = run_pipeline(get_settings(), as_of=dt.date.fromisoformat(sys.argv[1]), echo=lambda _: None)
print(json.dumps({"run_id": run.run_id, "success": run.success, "start": start, "end": time.time(),
                  "cpu": time.process_time() - cpu, "code": famachat_ml_pipeline.__file__}))
"""


def ranged_run_in_child(as_of: dt.date) -> dict:
    """run_pipeline in a fresh process (as the CLI runs it), so its peak RSS is its own."""
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _RUN_CHILD, as_of.isoformat()], capture_output=True, text=True, env=os.environ
    )
    seconds = time.perf_counter() - t
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # ru_maxrss is in KiB on Linux; the only child waited for so far is this one
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {**result, "process_seconds": seconds, "peak_rss_mb": peak}


def hourly_anomalies(instance, settings) -> None:  # noqa: ANN001
    """The hourly anomaly job for every account, with the run request its schedule makes."""
    import dagster as dg

    from famachat_ml_pipeline.definitions import defs
    from famachat_ml_pipeline.runner import execute_here

    schedule = defs.get_schedule_def("hourly_anomaly_detection_schedule")
    (request,) = schedule.evaluate_tick(dg.build_schedule_context(instance=instance)).run_requests
    t = time.perf_counter()
    summary = execute_here(
        instance,
        schedule.job_name,
        None,
        dict(request.tags),
        "WARNING",
        lambda _: None,
        str(settings.frames_storage_path),
    )
    wall = time.perf_counter() - t
    profile = fleet_profile.profile_run(instance, summary.run_id)
    print(
        f"\nhourly anomaly job ({schedule.job_name}, all accounts, as its schedule requests it): "
        f"{'success' if summary.success else 'FAILED'} in {wall:.1f} s; steps {profile.steps_seconds:.1f} s, "
        f"their read+compute+write {profile.metadata_seconds:.1f} s"
    )


def one_account(settings, instance, config_id: int, as_of: dt.date) -> None:  # noqa: ANN001
    from famachat_ml_pipeline.runner import run_pipeline

    t = time.perf_counter()
    (run,) = run_pipeline(
        settings, config_ids=[config_id], as_of=as_of, echo=lambda _: None, log_level="WARNING"
    )
    wall = time.perf_counter() - t
    profile = fleet_profile.profile_run(instance, run.run_id)
    stages = profile.metadata_by_stage()
    print(
        f"one account (config_id {config_id}): {'success' if run.success else 'FAILED'} "
        f"in {wall:.1f} s wall; "
        f"compute {stages['compute']:.2f} s (read {stages['read']:.2f} s, write {stages['write']:.2f} s, "
        f"steps {profile.steps_seconds:.1f} s)"
    )


if __name__ == "__main__":
    main()
