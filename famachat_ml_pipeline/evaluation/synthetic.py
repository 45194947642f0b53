"""A synthetic fleet that looks like Meta lead campaigns, for benchmarks and acceptance figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from famachat_ml_pipeline.core.forecasting import SEASON


@dataclass(frozen=True)
class SyntheticFleet:
    spend: np.ndarray  # (n, days), NaN before each campaign's start
    leads: np.ndarray
    budget: np.ndarray  # (n,) daily budget at the last day
    start: dt.date


def synthetic_ad_fleet(n: int = 2000, days: int = 120, seed: int = 7) -> SyntheticFleet:
    """A fleet that looks like Meta lead campaigns, for benchmarks and acceptance figures.

    Per campaign: a budget with occasional step changes; spend = budget x pacing x a weekly pattern x
    lognormal noise, capped at 1.25 x budget; a slow drift in pacing; 0-2 paused stretches of 3-20 days,
    and 10 % of campaigns stopped before the end; leads ~ Poisson(spend / CPL) with a CPL that has its
    own weekly pattern and random walk; a quarter of the campaigns start late (shorter histories).
    """
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    budget0 = np.exp(rng.normal(np.log(60), 0.8, n))
    budget = np.repeat(budget0[:, None], days, axis=1)
    for i in np.flatnonzero(rng.random(n) < 0.5):
        for day in rng.integers(10, days, rng.integers(1, 3)):
            budget[i, day:] *= rng.uniform(0.6, 1.6)
    dow = (t % SEASON)[None, :]
    shape = np.array([0.08, 0.1, 0.06, 0.02, -0.04, -0.14, -0.08])
    amp = rng.uniform(0.0, 1.5, (n, 1))
    weekly = 1.0 + amp * shape[dow]
    pacing = rng.uniform(0.65, 1.0, (n, 1)) * np.exp(rng.normal(0, 0.004, (n, 1)) * t[None, :])
    spend = budget * np.clip(pacing, 0.2, 1.2) * weekly * np.exp(rng.normal(0, 0.12, (n, days)))
    spend = np.minimum(spend, 1.25 * budget)
    active = np.ones((n, days), dtype=bool)
    for i in range(n):
        for _ in range(rng.choice(3, p=[0.55, 0.3, 0.15])):
            a = int(rng.integers(0, days - 3))
            active[i, a : a + int(rng.integers(3, 21))] = False
    stopped = rng.random(n) < 0.1
    active[stopped] &= t[None, :] < rng.integers(days // 2, days, stopped.sum())[:, None]
    spend = np.round(np.where(active, spend, 0.0), 2)
    cpl0 = np.exp(rng.normal(np.log(25), 0.7, (n, 1)))
    lead_shape = np.array([-0.05, -0.08, -0.05, 0.0, 0.05, 0.15, 0.1])
    cpl = cpl0 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, days)), axis=1)) * (1 + amp * lead_shape[dow])
    leads = rng.poisson(spend / cpl).astype(float)
    start = np.where(rng.random(n) < 0.25, rng.integers(0, days - 21, n), 0)
    pad = t[None, :] < start[:, None]
    spend[pad], leads[pad] = np.nan, np.nan
    return SyntheticFleet(spend, leads, budget[:, -1], dt.date(2026, 1, 1))


def fleet_to_daily(fleet: SyntheticFleet, accounts: int = 100) -> pl.DataFrame:
    """The synthetic fleet as a DAILY_SCHEMA-like frame (the columns `forecast_fleet` reads)."""
    n, days = fleet.spend.shape
    rows, cols = np.nonzero(~np.isnan(fleet.spend))
    dates = pl.date_range(fleet.start, fleet.start + dt.timedelta(days=days - 1), "1d", eager=True)
    return pl.DataFrame(
        {
            "config_id": (rows % accounts + 1).astype(np.int64),
            "campaign_id": pl.Series((rows + 120_000_000_000).astype(str)),
            "date": dates.gather(cols),
            "spend": fleet.spend[rows, cols],
            "leads": fleet.leads[rows, cols].astype(np.int64),
            "status": "ACTIVE",
            "daily_budget": fleet.budget[rows],
        }
    )
