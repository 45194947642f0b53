"""Sensor benchmark: one evaluation of the restated-data sensor and of the new-accounts sensor on an N-account
fleet (default 1,000 x ~12 campaigns x 90 days) in Postgres, Dagster's own storage on Postgres too.

For 1, 10 and N changed (or new) accounts it prints the time of one evaluation (best and median of
--repeats), the number of run requests and their partition ranges. Evaluating a sensor with
`dg.build_sensor_context` applies nothing, so every repeat sees the same state.

    python benchmarks/bench_sensors.py [--accounts 1000] [--repeats 3] [--server postgresql://...]

The end-to-end reaction (restated row -> run requested -> run succeeded, real daemon and webserver) is
measured by famachat_ml_pipeline_tests/e2e/test_served_pipeline.py, which prints it (run with `-s`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable

from bench_env import DEFAULT_SERVER, bench_environment, drop_database

RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def _timed(evaluate: Callable[[], object], repeats: int) -> tuple[object, float, float]:
    seconds, result = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        result = evaluate()
        seconds.append(time.perf_counter() - t)
    return result, min(seconds), statistics.median(seconds)


def _describe(result: object) -> str:
    import dagster as dg

    if not isinstance(result, dg.SensorResult):
        return f"skipped: {result.skip_message}"  # type: ignore[attr-defined]
    ranges = [f"{r.tags[RANGE_START]}..{r.tags[RANGE_END]}" for r in result.run_requests]
    shown = ", ".join(ranges[:6]) + (f", ... ({len(ranges) - 6} more)" if len(ranges) > 6 else "")
    return f"{len(result.run_requests)} run requests [{shown}]"


def _spread(accounts: int, k: int) -> list[int]:
    """k config_ids spread evenly over the fleet (the worst case for batching into ranges)."""
    step = accounts / k
    return sorted({1 + int(i * step) for i in range(k)})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--server", default=DEFAULT_SERVER)
    args = parser.parse_args()

    data_url, dagster_url = bench_environment(args.server, "fcml_bench_sensors")

    import dagster as dg

    from famachat_ml_pipeline.db.engine import get_engine, migrate
    from famachat_ml_pipeline.defs.orchestration.sensors import new_accounts_sensor, source_data_sensor
    from famachat_ml_pipeline.defs.shared.partitions import config_partitions
    from famachat_ml_pipeline.defs.shared.resources import DatabaseResource
    from famachat_ml_pipeline.demo.generator import generate_demo
    from famachat_ml_pipeline.demo.loader import write_demo
    from famachat_ml_pipeline.instance import get_instance
    from famachat_ml_pipeline.settings import get_settings
    from famachat_ml_pipeline.source.tables import insights_table

    settings = get_settings()
    engine = get_engine(settings.database_url)
    migrate(settings.database_url)
    data = generate_demo(n_accounts=args.accounts, days=args.days, seed=11)
    write_demo(engine, data)
    ids = list(range(1, args.accounts + 1))
    print(
        f"fleet: {args.accounts:,} accounts, {data.insights.height:,} insight rows; best/median of "
        f"{args.repeats} evaluations"
    )
    database = DatabaseResource(url=settings.database_url, default_timezone=settings.default_timezone)
    instance = get_instance(settings)
    name = config_partitions.name

    def tick(sensor: dg.SensorDefinition, cursor: str | None) -> object:
        context = dg.build_sensor_context(instance=instance, resources={"database": database}, cursor=cursor)
        return sensor(context)

    # new accounts: the fleet's partitions are added in three steps, so k = N, then 10, then 1 are new
    print("\nnew_accounts_sensor (partitions added + one ranged run for the new accounts)")
    for k in sorted({args.accounts, 10, 1, 0}, reverse=True):
        known = instance.get_dynamic_partitions(name)
        instance.add_dynamic_partitions(name, [str(c) for c in ids[len(known) : args.accounts - k]])
        result, best, median = _timed(lambda: tick(new_accounts_sensor, None), args.repeats)
        print(f"  {k:>5} new accounts: {best:6.3f} s best, {median:6.3f} s median -> {_describe(result)}")

    # restated data: baseline tick, then k accounts' latest insight restated after the cursor
    print("\nsource_data_sensor (max(updated_at) per account over 28 days, ranged runs, gaps <= 50 joined)")
    baseline, best, median = _timed(lambda: tick(source_data_sensor, None), args.repeats)
    assert isinstance(baseline, dg.SensorResult) and baseline.cursor
    print(f"  first tick (baseline): {best:6.3f} s best, {median:6.3f} s median -> cursor {baseline.cursor}")
    cursor = baseline.cursor
    result, best, median = _timed(lambda: tick(source_data_sensor, cursor), args.repeats)
    print(f"      0 changed accounts: {best:6.3f} s best, {median:6.3f} s median -> {_describe(result)}")
    for k in sorted({1, 10, args.accounts}):
        restated = dt.datetime.fromisoformat(cursor) + dt.timedelta(minutes=1)
        changed = _spread(args.accounts, k)
        with engine.begin() as conn:
            conn.execute(
                insights_table.update()
                .where(insights_table.c.config_id.in_(changed), insights_table.c.date_start == data.end_date)
                .values(spend=insights_table.c.spend + 1, updated_at=restated)
            )
        result, best, median = _timed(lambda: tick(source_data_sensor, cursor), args.repeats)  # noqa: B023
        print(f"  {k:>5} changed accounts: {best:6.3f} s best, {median:6.3f} s median -> {_describe(result)}")
        assert isinstance(result, dg.SensorResult) and result.cursor
        cursor = result.cursor
    instance.dispose()
    engine.dispose()
    for url in (data_url, dagster_url):
        drop_database(args.server, url)


if __name__ == "__main__":
    main()
