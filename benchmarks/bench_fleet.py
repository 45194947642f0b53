"""Fleet benchmark: N accounts (default 1,000 x ~12 campaigns x 90 days, ~1M insight rows) on Postgres.

Prints rows/s for each pure stage, then one ranged run of the whole graph over every partition with
Dagster's storage on Postgres too, split into reading, compute, writing and Dagster's bookkeeping.

    python benchmarks/bench_fleet.py [--accounts 1000] [--server postgresql://root@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import time
import uuid

import psycopg
import sqlalchemy as sa


def _database(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument(
        "--server", default=os.environ.get("TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
    )
    parser.add_argument("--skip-run", action="store_true", help="pure stages only")
    args = parser.parse_args()

    tag = uuid.uuid4().hex[:6]
    data_url = _database(args.server, f"fcml_bench_{tag}")
    dagster_url = _database(args.server, f"fcml_bench_dagster_{tag}")
    os.environ["DATABASE_URL"] = data_url
    os.environ["DAGSTER_PG_URL"] = dagster_url
    os.environ.setdefault("FAMACHAT_ML_DATA_DIR", f"/tmp/fcml_bench_{tag}")
    os.environ["DAGSTER_HOME"] = f"/tmp/fcml_bench_{tag}/dagster_home"
    os.environ["FRAMES_STORAGE_PATH"] = f"/tmp/fcml_bench_{tag}/frames"

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
    from famachat_ml_pipeline.defs.classification.assets import sampled_as_of_dates

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
    import dagster as dg

    from famachat_ml_pipeline.instance import get_instance
    from famachat_ml_pipeline.runner import run_pipeline

    t = time.perf_counter()
    (run,) = run_pipeline(settings, as_of=as_of, echo=lambda _: None)
    total = time.perf_counter() - t
    instance = get_instance(settings)
    stages = {"read": 0.0, "compute": 0.0, "write": 0.0}
    for key in instance.get_asset_keys():
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, storage_ids=None), limit=1
        ).records
        if not records:
            continue
        meta = records[0].asset_materialization.metadata
        for s in stages:
            if f"seconds_{s}" in meta:
                stages[s] += float(meta[f"seconds_{s}"].value)
    bookkeeping = total - sum(stages.values())
    print(
        f"\nranged run over {args.accounts:,} partitions, Dagster storage on Postgres: "
        f"{'success' if run.success else 'FAILED'} in {total:.1f} s"
    )
    for s, v in stages.items():
        print(f"  {s:<12}{v:7.1f} s")
    print(f"  {'bookkeeping':<12}{bookkeeping:7.1f} s  (Dagster: planning, events, IO manager, process)")
    print(f"  {rows / total:,.0f} source rows/s end to end")

    # The 05:00 retraining job is separate from the daily graph: time it on its own.
    from famachat_ml_pipeline.definitions import defs

    t = time.perf_counter()
    retrain = defs.resolve_job_def("model_retraining").execute_in_process(instance=instance)
    print(
        f"retraining job (classifier_model alone): {'success' if retrain.success else 'FAILED'} "
        f"in {time.perf_counter() - t:.1f} s"
    )


if __name__ == "__main__":
    main()
