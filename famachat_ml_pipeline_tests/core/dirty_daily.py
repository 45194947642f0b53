"""A random, dirty daily frame for the bit-equality tests of the batched feature paths."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from famachat_ml_pipeline.core.frames import DAILY_SCHEMA
from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE

END = dt.date(2026, 3, 14)


def dirty_daily(seed: int = 0, days: int = 45) -> pl.DataFrame:
    """Accounts of 150, 20 and 3 campaigns (a large account's reference adds 150 floats: a change in their
    order shows in the last bits), campaigns starting on random days (young ones too) and some stopping
    early, zero days, set-aside days (null metrics), spend on wide scales, nulls in budget, rows shuffled."""
    rng = np.random.default_rng(seed)
    parts = []
    for config_id, n_campaigns in ((7, 150), (2, 20), (31, 3)):
        for c in range(n_campaigns):
            start = int(rng.integers(0, days))
            stop = days - int(rng.integers(0, days - start)) * (rng.random() < 0.15)  # some stopped early
            n = stop - start
            dates = [END - dt.timedelta(days=days - 1 - i) for i in range(start, stop)]
            spend = np.round(rng.lognormal(3, 1.5, n), 2) * (rng.random(n) > 0.2)
            leads = rng.poisson(spend / rng.uniform(5, 80)) * (rng.random(n) > 0.1)
            impressions = (spend * rng.uniform(20, 200)).astype(np.int64)
            unknown = rng.random(n) < 0.05
            parts.append(
                pl.DataFrame(
                    {
                        "config_id": config_id,
                        "campaign_id": f"{config_id}{c:04d}",
                        "date": dates,
                        "spend": np.where(unknown, np.nan, spend),
                        "impressions": impressions,
                        "clicks": (impressions * rng.uniform(0, 0.05, n)).astype(np.int64),
                        "reach": (impressions * rng.uniform(0.3, 1, n)).astype(np.int64),
                        "leads": leads.astype(np.int64),
                        "has_row": ~unknown,
                        "status": rng.choice(["ACTIVE", "PAUSED", "ARCHIVED"], n),
                        "effective_status": "ACTIVE",
                        "objective": "OUTCOME_LEADS",
                        "daily_budget": rng.choice([np.nan, 20.0, 55.5], n),
                        "currency": "BRL",
                        "timezone_name": DEFAULT_TIMEZONE,
                    }
                ).with_columns(
                    *[
                        pl.when(pl.col("has_row")).then(pl.col(m))
                        for m in ("spend", "impressions", "clicks", "reach", "leads")
                    ],
                    daily_budget=pl.col("daily_budget").fill_nan(None),
                )
            )
    return (
        pl.concat(parts)
        .select([pl.col(c).cast(t) for c, t in DAILY_SCHEMA.items()])
        .sample(fraction=1.0, shuffle=True, seed=seed)
    )


def same_bits(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    """Equal schemas and bit-equal values: polars writes each float in its shortest exact form."""
    return a.schema == b.schema and a.write_csv() == b.write_csv()
