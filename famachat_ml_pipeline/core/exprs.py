"""Small polars expression helpers shared by features, tiers and recommendations (defined once)."""

from __future__ import annotations

import polars as pl


def div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den, null when den is 0, negative or null (a rate over nothing is undefined, not inf)."""
    return pl.when(den > 0).then(num / den)


def clip01(e: pl.Expr) -> pl.Expr:
    """Clip to [0, 1] (evidence weights and margins); null stays null."""
    return e.clip(0.0, 1.0)


def trend(cur: pl.Expr, prev: pl.Expr) -> pl.Expr:
    """Growth of `cur` over `prev` in percent; null when prev is 0 or null (growth from nothing)."""
    return pl.when(prev > 0).then((cur - prev) / prev * 100)
