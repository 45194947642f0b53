"""Fleet-scale timing of `detect_anomalies`: N campaigns x D days (default 12,000 x 90, about 1M rows).

Usage: .venv/bin/python benchmarks/bench_anomalies.py [campaigns] [days]
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import numpy as np
import polars as pl

from famachat_ml_pipeline.core.anomalies import detect_anomalies
from famachat_ml_pipeline.core.frames import DAILY_SCHEMA


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


def main() -> None:
    campaigns = int(sys.argv[1]) if len(sys.argv) > 1 else 12_000
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 90
    frame, as_of = synthetic_fleet(campaigns, days)
    for lookback in (1, 7):
        t0 = time.perf_counter()
        out = detect_anomalies(frame, as_of, lookback_days=lookback)
        elapsed = time.perf_counter() - t0
        print(
            f"detect_anomalies lookback={lookback}: {campaigns:,} campaigns x {days} days"
            f" = {frame.height:,} rows"
            f" in {elapsed:.2f} s ({frame.height / elapsed:,.0f} rows/s), {out.height:,} anomalies"
        )
        print(out.group_by("anomaly_type", "severity").len().sort("anomaly_type", "severity"))


if __name__ == "__main__":
    main()
