"""CPU seconds of the ad_insights cleaning and the forecasting compute, this tree against another commit's.

    git archive d723d53 | tar -x -C /tmp/fcml-ref   # (into an empty folder) the code to compare with
    .venv/bin/python benchmarks/bench_ingest.py --ref /tmp/fcml-ref [--accounts 1000] [--rounds 3] \
        [--threads 1]

Generates the demo fleet (seed 11, 90 days) into a fresh Postgres database, reads its raw source rows
once (cached as Parquet), then alternates ref / this for `--rounds` rounds, each code in a fresh process
(its tree first on PYTHONPATH), which: computes `read_daily_insights` from the database and
`forecast_fleet` of its daily frame (kept, to compare), then times each function on the same inputs,
best of 3 `time.process_time` (CPU seconds, all threads); `read_daily_insights WALL` is wall-clock
(it waits on Postgres). Prints per function the best and the median over the rounds of those bests, and
checks that both codes' first-round outputs are equal: `assert_frame_equal(check_exact=True)`, every float
column bit for bit, and the counts and examples of rows set aside. Drops its databases at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
THIS = HERE.parent
NOW = dt.datetime(2026, 1, 2, 15, tzinfo=dt.UTC)  # the next day, 15:00 UTC: AS_OF is complete everywhere
AS_OF = dt.date(2026, 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--ref", required=True, help="another commit's tree (git archive REV | tar -x -C DIR)"
    )
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, help="POLARS_MAX_THREADS for the timed processes (unset)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(Path(args.child))

    sys.path.insert(0, str(HERE))
    from bench_env import DEFAULT_SERVER, bench_environment, drop_database

    data_url, dagster_url = bench_environment(DEFAULT_SERVER, "fcml_ingest")
    try:
        run(args)
    finally:
        from famachat_ml_pipeline.db.engine import get_engine

        get_engine.cache_clear()
        for url in (data_url, dagster_url):
            drop_database(DEFAULT_SERVER, url)


def run(args: argparse.Namespace) -> None:
    """The fleet, then the alternated processes and the table."""
    from famachat_ml_pipeline.db.engine import get_engine, migrate
    from famachat_ml_pipeline.demo.generator import generate_demo
    from famachat_ml_pipeline.demo.loader import write_demo
    from famachat_ml_pipeline.settings import get_settings
    from famachat_ml_pipeline.source.read import read_source

    settings = get_settings()
    engine = get_engine(settings.database_url)
    migrate(settings.database_url)
    data = generate_demo(n_accounts=args.accounts, days=90, seed=11, end_date=AS_OF)
    write_demo(engine, data)
    work = Path(tempfile.mkdtemp(prefix="fcml_ingest_"))
    start = AS_OF - dt.timedelta(days=89)
    campaigns, insights = read_source(engine, list(range(1, args.accounts + 1)), start)
    campaigns.write_parquet(work / "campaigns.parquet")
    insights.write_parquet(work / "insights.parquet")
    print(
        f"fleet: {args.accounts:,} accounts, {campaigns.height:,} campaigns, "
        f"{insights.height:,} insight rows; POLARS_MAX_THREADS={args.threads or 'unset'}; "
        f"load average {os.getloadavg()[0]:.1f} at start"
    )
    codes = {"ref": Path(args.ref).resolve(), "this": THIS}
    seconds: dict[str, dict[str, list[float]]] = {code: {} for code in codes}
    for r in range(args.rounds):
        for code, tree in codes.items():
            out = work / f"{code}_{r}"
            out.mkdir()
            env = {**os.environ, "PYTHONPATH": str(tree), "BENCH_ACCOUNTS": str(args.accounts)}
            env.pop("POLARS_MAX_THREADS", None)
            if args.threads:
                env["POLARS_MAX_THREADS"] = str(args.threads)
            cmd = [sys.executable, str(HERE / "bench_ingest.py"), "--ref", "-", "--child", str(out)]
            subprocess.run(cmd, env=env, cwd=tree, check=True)
            for name, s in json.loads((out / "seconds.json").read_text()).items():
                seconds[code].setdefault(name, []).append(s)
    print(
        f"load average {os.getloadavg()[0]:.1f} at the end; CPU s, best of 3 per process,"
        f" {args.rounds} rounds"
    )
    print(
        f"{'function (spend: on the spend matrix)':<38}{'ref best':>10}{'median':>9}"
        f"{'this best':>11}{'median':>9}{'ref/this':>10}"
    )
    for name in seconds["this"]:
        ref, new = seconds["ref"][name], seconds["this"][name]
        print(
            f"{name:<38}{min(ref):10.3f}{statistics.median(ref):9.3f}"
            f"{min(new):11.3f}{statistics.median(new):9.3f}{min(ref) / min(new):9.1f}x"
        )
    same = compare(work / "ref_0", work / "this_0")
    shutil.rmtree(work)
    print(
        "outputs equal (read_daily_insights: daily frame and counts; forecast_fleet), floats bit for bit:",
        same,
    )


def compare(ref: Path, new: Path) -> bool:
    """Frames equal exactly, and every float column bit for bit (signed zeros too; NaN as NaN)."""
    import numpy as np
    import polars as pl
    from polars.testing import assert_frame_equal

    for name in ("daily", "forecast"):
        a, b = pl.read_parquet(new / f"{name}.parquet"), pl.read_parquet(ref / f"{name}.parquet")
        assert_frame_equal(a, b, check_exact=True)
        for col, dtype in a.schema.items():
            if dtype == pl.Float64:
                x, y = a[col].to_numpy(), b[col].to_numpy()
                nan = np.isnan(x)
                assert np.array_equal(nan, np.isnan(y)), (name, col)
                assert np.array_equal(x[~nan].view(np.int64), y[~nan].view(np.int64)), (name, col)
    assert (new / "counts.json").read_text() == (ref / "counts.json").read_text()
    return True


def best_cpu(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def best_wall(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def child(out: Path) -> None:
    """In the code under test's process: outputs to compare, then the timings."""
    import numpy as np
    import polars as pl

    import famachat_ml_pipeline
    from famachat_ml_pipeline.core.forecasting import calibration, forecast_fleet, matrix, point_methods
    from famachat_ml_pipeline.core.forecasting.fleet import fleet_matrix
    from famachat_ml_pipeline.db.engine import get_engine
    from famachat_ml_pipeline.settings import get_settings
    from famachat_ml_pipeline.source import clean
    from famachat_ml_pipeline.source.read import read_daily_insights

    assert Path(famachat_ml_pipeline.__file__).is_relative_to(Path.cwd()), famachat_ml_pipeline.__file__
    accounts = int(os.environ["BENCH_ACCOUNTS"])
    read = read_daily_insights(
        get_engine(get_settings().database_url), list(range(1, accounts + 1)), AS_OF, now=NOW
    )
    daily = read.daily
    daily.write_parquet(out / "daily.parquet")
    counts = {
        "rows_read": read.rows_read,
        "rejected": dict(sorted(read.rejected.items())),
        "reject_examples": read.reject_examples,
        "rows_used": read.rows_used,
        "rows_outside_window": read.rows_outside_window,
    }
    (out / "counts.json").write_text(json.dumps(counts, sort_keys=True))
    forecast_fleet(daily, AS_OF).write_parquet(out / "forecast.parquet")

    work = out.parent
    campaigns = pl.read_parquet(work / "campaigns.parquet")
    insights = pl.read_parquet(work / "insights.parquet")
    start = AS_OF - dt.timedelta(days=89)
    actions = insights.filter(pl.col("leads").is_null())["actions"]
    _, _, mats = fleet_matrix(daily, AS_OF, ["spend", "leads"])
    Y = mats["spend"]
    origins = np.append(
        calibration.backtest_origins(Y.shape[1], 7, matrix.calibration_depth(Y.shape[0])), Y.shape[1]
    )
    members = [
        np.clip(point_methods.POINT_METHODS[m](Y, origins, 7), 0.0, None)
        for m in ("hw", "ses", "seasonal_mean")
    ]
    engine = get_engine(get_settings().database_url)
    ids = list(range(1, accounts + 1))
    hw = point_methods.POINT_METHODS["hw"]
    seconds = {
        "read_daily_insights WALL": best_wall(lambda: read_daily_insights(engine, ids, AS_OF, now=NOW)),
        "clean_insights": best_cpu(
            lambda: clean.clean_insights(campaigns, insights, as_of=AS_OF, start=start, now=NOW)
        ),
        "  leads_from_actions": best_cpu(lambda: clean.leads_from_actions(actions)),
        "forecast_fleet": best_cpu(lambda: forecast_fleet(daily, AS_OF)),
        "  fleet_matrix": best_cpu(lambda: fleet_matrix(daily, AS_OF, ["spend", "leads"])),
        "  forecast_matrix_levels": best_cpu(
            lambda: matrix.forecast_matrix_levels(Y, 7, ("auto",), (0.95, 0.975))
        ),
        "    _run_backtest (spend)": best_cpu(lambda: matrix._run_backtest(Y, 7, ["combo"], True, 28)),
        "      hw (spend)": best_cpu(lambda: hw(Y, origins, 7)),
        "      recent_scale (spend)": best_cpu(lambda: calibration.recent_scale(Y, origins)),
        "      combine (spend)": best_cpu(lambda: point_methods.combine(members, Y, origins)),
    }
    (out / "seconds.json").write_text(json.dumps(seconds))


if __name__ == "__main__":
    main()
