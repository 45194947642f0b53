"""Small hand-made campaign frames for the campaign detector tests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from famachat_ml_pipeline.core.frames import DAILY_SCHEMA

AS_OF = dt.date(2025, 3, 31)
DAYS = 42


def jitter(n: int, seed: int = 1, sd: float = 0.04) -> np.ndarray:
    return np.random.default_rng(seed).lognormal(0.0, sd, n)


def campaign(
    spend: np.ndarray | None = None,
    *,
    leads: np.ndarray | None = None,
    impressions: np.ndarray | None = None,
    clicks: np.ndarray | None = None,
    reach: np.ndarray | None = None,
    status: str = "ACTIVE",
    effective_status: str | None = None,
    budget: float | None = None,
    campaign_id: str = "120000000001",
    config_id: int = 1,
    end: dt.date = AS_OF,
) -> pl.DataFrame:
    """A dense daily frame for one campaign; unspecified metrics follow spend (CPL 10, CTR 1 %, freq 1.5)."""
    if spend is None:
        spend = 100.0 * jitter(DAYS)
    spend = np.asarray(spend, dtype=float)
    n = len(spend)
    impressions = np.round(spend * 100) if impressions is None else np.asarray(impressions)
    clicks = np.round(impressions * 0.01) if clicks is None else np.asarray(clicks)
    reach = np.round(impressions / 1.5) if reach is None else np.asarray(reach)
    leads = np.round(spend / 10.0) if leads is None else np.asarray(leads)
    start = end - dt.timedelta(days=n - 1)
    return pl.DataFrame(
        {
            "config_id": [config_id] * n,
            "campaign_id": [campaign_id] * n,
            "date": pl.date_range(start, end, eager=True),
            "spend": spend,
            "impressions": impressions.astype(np.int64),
            "clicks": clicks.astype(np.int64),
            "reach": reach.astype(np.int64),
            "leads": leads.astype(np.int64),
            "has_row": spend > 0,
            "status": [status] * n,
            "effective_status": [effective_status or status] * n,
            "objective": ["OUTCOME_LEADS"] * n,
            "daily_budget": [budget] * n,
            "currency": ["BRL"] * n,
            "timezone_name": ["America/Sao_Paulo"] * n,
        },
        schema=DAILY_SCHEMA,
    )


def base_spend() -> np.ndarray:
    return 100.0 * jitter(DAYS)


def with_last(x: np.ndarray, *values: float) -> np.ndarray:
    out = np.asarray(x, dtype=float).copy()
    out[len(out) - len(values) :] = values
    return out


def types(frame: pl.DataFrame) -> set[str]:
    return set(frame["anomaly_type"].to_list())


def only(frame: pl.DataFrame, anomaly_type: str) -> pl.DataFrame:
    return frame.filter(pl.col("anomaly_type") == anomaly_type)
