"""Fleet-scale timing of `detect_anomalies`.

Usage:
    .venv/bin/python benchmarks/bench_anomalies.py [campaigns] [days] [--lookback 1 7]
        a synthetic fleet of N campaigns x D days (default 12,000 x 90, about 1M rows), in this process
    .venv/bin/python benchmarks/bench_anomalies.py --accounts 1000 --lookback 28 [--ref DIR] [--rounds 3]
        the demo fleet (generate_demo, seed 11, 90 days to --as-of) through the source cleaner, as the reader
        builds it; with --ref, this tree and the tree in DIR (e.g. `git archive main | tar -x -C DIR`) each
        timed in its own process, alternating (ref, this, ref, this, ...), with POLARS_MAX_THREADS unset and
        =1: CPU seconds (time.process_time) and wall of the best of --calls calls per process, then best and
        median over the rounds, and whether the two trees' anomaly frames are equal (exact).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from famachat_ml_pipeline.core.frames import DAILY_SCHEMA

HERE = Path(__file__).resolve()
TREE = HERE.parent.parent


def synthetic_fleet(campaigns: int, days: int, seed: int = 7) -> tuple[pl.DataFrame, dt.date]:
    rng = np.random.default_rng(seed)
    as_of = dt.date(2025, 6, 30)
    start = as_of - dt.timedelta(days=days - 1)
    n = campaigns * days
    level = np.repeat(rng.lognormal(4.0, 0.8, campaigns), days)
    dow = np.tile(1.0 + 0.15 * np.sin(np.arange(days) * 2 * np.pi / 7), campaigns)
    spend = np.round(level * dow * rng.lognormal(0, 0.15, n), 2)
    impressions = rng.poisson(spend * 60)
    clicks = rng.binomial(impressions, 0.012)
    # frequency is a trait of the campaign, with a little daily noise
    frequency = np.repeat(rng.uniform(1.1, 2.5, campaigns), days) * rng.lognormal(0, 0.03, n)
    reach = (impressions / frequency).astype(np.int64)
    leads = rng.poisson(spend / 25.0)
    frame = pl.DataFrame(
        {
            "config_id": np.repeat(np.arange(campaigns) // 12, days),
            "campaign_id": np.repeat(np.arange(campaigns) + 120000000000, days).astype(str),
            "date": pl.date_range(start, as_of, eager=True).to_list() * campaigns,
            "spend": spend,
            "impressions": impressions,
            "clicks": clicks,
            "reach": reach,
            "leads": leads,
            "has_row": np.ones(n, dtype=bool),
            "status": ["ACTIVE"] * n,
            "effective_status": ["ACTIVE"] * n,
            "objective": ["OUTCOME_LEADS"] * n,
            "daily_budget": np.repeat(np.round(rng.lognormal(4.2, 0.8, campaigns), 0), days),
            "currency": ["BRL"] * n,
            "timezone_name": ["America/Sao_Paulo"] * n,
        },
        schema=DAILY_SCHEMA,
    )
    return frame, as_of


def demo_fleet(accounts: int, as_of: dt.date) -> pl.DataFrame:
    """The demo fleet's dense daily frame, through the cleaner as `read_daily_insights` runs it."""
    from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo

    return clean_demo(generate_demo(n_accounts=accounts, days=90, seed=11, end_date=as_of)).daily


def time_calls(
    frame: pl.DataFrame, as_of: dt.date, lookback: int, calls: int
) -> tuple[float, float, pl.DataFrame]:
    """Best CPU seconds and best wall seconds of `calls` calls, and the output."""
    from famachat_ml_pipeline.core.anomalies import detect_anomalies

    cpu, wall = [], []
    for _ in range(calls):
        c0, w0 = time.process_time(), time.perf_counter()
        out = detect_anomalies(frame, as_of, lookback_days=lookback)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return min(cpu), min(wall), out


def child(frame_path: str, as_of: str, lookback: int, calls: int, out_path: str) -> None:
    """One tree's timing, in the process the parent started with that tree first on PYTHONPATH."""
    import famachat_ml_pipeline

    frame = pl.read_parquet(frame_path)
    cpu, wall, out = time_calls(frame, dt.date.fromisoformat(as_of), lookback, calls)
    out.write_parquet(out_path)
    tree = str(Path(famachat_ml_pipeline.__file__).parent.parent)
    print(json.dumps({"cpu": cpu, "wall": wall, "rows": out.height, "tree": tree}))


def run_child(
    tree: Path, threads: str | None, args: argparse.Namespace, frame_path: str, out_path: str
) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "POLARS_MAX_THREADS"}
    env["PYTHONPATH"] = str(tree)
    if threads is not None:
        env["POLARS_MAX_THREADS"] = threads
    cmd = [
        sys.executable,
        str(HERE),
        "--child",
        frame_path,
        args.as_of,
        str(args.lookback[0]),
        str(args.calls),
        out_path,
    ]
    result = json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout)
    if Path(result["tree"]).resolve() != tree.resolve():
        raise SystemExit(f"the child imported {result['tree']}, not {tree}")
    return result


def compare(args: argparse.Namespace, frame: pl.DataFrame) -> None:
    """--ref: alternate the two trees, each call in a fresh process, and check their outputs are equal."""
    from polars.testing import assert_frame_equal

    from famachat_ml_pipeline.core.anomalies import OUTPUT_KEY

    ref = Path(args.ref)
    trees = {"ref": ref, "this": TREE}
    with tempfile.TemporaryDirectory() as tmp:
        frame_path = f"{tmp}/daily.parquet"
        frame.write_parquet(frame_path)
        for threads in (None, "1"):
            label = "unset" if threads is None else threads
            figures: dict[str, dict[str, list[float]]] = {name: {"cpu": [], "wall": []} for name in trees}
            rows = {}
            for r in range(args.rounds):
                for name, tree in trees.items():
                    res = run_child(tree, threads, args, frame_path, f"{tmp}/{name}.parquet")
                    figures[name]["cpu"].append(res["cpu"])
                    figures[name]["wall"].append(res["wall"])
                    rows[name] = res["rows"]
                    print(
                        f"  POLARS_MAX_THREADS={label} round {r + 1} {name:4s}: cpu {res['cpu']:.3f} s,"
                        f" wall {res['wall']:.3f} s, {res['rows']:,} anomalies",
                        flush=True,
                    )
            for name in trees:
                cpu, wall = figures[name]["cpu"], figures[name]["wall"]
                print(
                    f"POLARS_MAX_THREADS={label} {name:4s}: cpu best {min(cpu):.3f} s median"
                    f" {statistics.median(cpu):.3f} s | wall best {min(wall):.3f} s median"
                    f" {statistics.median(wall):.3f} s"
                )
            c_ref, c_this = min(figures["ref"]["cpu"]), min(figures["this"]["cpu"])
            print(f"POLARS_MAX_THREADS={label} cpu best ref / this = {c_ref / c_this:.2f}x")
        a = pl.read_parquet(f"{tmp}/ref.parquet").sort(OUTPUT_KEY)
        b = pl.read_parquet(f"{tmp}/this.parquet").sort(OUTPUT_KEY)
        assert_frame_equal(a, b, check_exact=True)
        print(f"outputs equal (exact, sorted by the key): {a.height:,} anomalies in both")
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("campaigns", nargs="?", type=int, default=12_000, help="synthetic fleet's campaigns")
    parser.add_argument("days", nargs="?", type=int, default=90, help="synthetic fleet's days")
    parser.add_argument("--accounts", type=int, help="the demo fleet of this many accounts instead")
    parser.add_argument("--as-of", default="2026-11-28", help="the demo fleet's last day")
    parser.add_argument("--lookback", type=int, nargs="+", default=[1, 7])
    parser.add_argument("--ref", help="another tree to compare with (alternating, fresh processes)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=2, help="calls per process; the best is kept")
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
        return
    args = parser.parse_args()
    if args.accounts:
        as_of = dt.date.fromisoformat(args.as_of)
        frame = demo_fleet(args.accounts, as_of)
        what = f"{args.accounts:,}-account demo fleet"
    else:
        frame, as_of = synthetic_fleet(args.campaigns, args.days)
        args.as_of = as_of.isoformat()
        what = f"{args.campaigns:,} campaigns x {args.days} days"
    print(f"{what}: {frame.height:,} campaign-days, as_of {as_of}")
    if args.ref:
        if len(args.lookback) != 1:
            raise SystemExit("--ref takes one --lookback")
        print(f"detect_anomalies lookback={args.lookback[0]}: ref {args.ref} against this tree {TREE}")
        compare(args, frame)
        return
    for lookback in args.lookback:
        cpu, wall, out = time_calls(frame, as_of, lookback, args.calls)
        print(
            f"detect_anomalies lookback={lookback}: {frame.height:,} rows in {wall:.2f} s wall,"
            f" {cpu:.2f} s cpu (best of {args.calls}; {frame.height / wall:,.0f} rows/s),"
            f" {out.height:,} anomalies"
        )
        print(out.group_by("anomaly_type", "severity").len().sort("anomaly_type", "severity"))


if __name__ == "__main__":
    main()
