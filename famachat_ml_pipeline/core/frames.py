"""The shape of the clean daily frame that every pure function consumes.

`read_daily_insights` in `source/read.py` produces it. It is dense: one row per campaign per day, from the
campaign's first delivered day to the as-of day inclusive. A day with no source row is a zero day
(`has_row` is False), never a gap and never interpolated.
"""

from __future__ import annotations

import polars as pl

DAILY_SCHEMA: dict[str, pl.DataType] = {
    "config_id": pl.Int64(),
    "campaign_id": pl.String(),  # Meta's numeric string id: never cast to int
    "date": pl.Date(),  # a day in the account's timezone
    "spend": pl.Float64(),  # major currency unit
    "impressions": pl.Int64(),
    "clicks": pl.Int64(),
    "reach": pl.Int64(),
    "leads": pl.Int64(),  # resolved: `leads`, else one alias from `actions` by precedence
    "has_row": pl.Boolean(),  # False on a filled zero day
    # campaign attributes, repeated on each of its rows
    "status": pl.String(),  # ACTIVE, PAUSED, DELETED, ARCHIVED
    "effective_status": pl.String(),
    "objective": pl.String(),
    "daily_budget": pl.Float64(),  # MAJOR unit (converted from the source's minor unit); null if unset
    "currency": pl.String(),
    "timezone_name": pl.String(),
}

KEY = ["config_id", "campaign_id"]

# Currencies whose minor unit is the major unit (Meta's budgets are not x100 for these).
ZERO_DECIMAL_CURRENCIES = ("CLP", "COP", "JPY", "KRW", "IDR", "VND")


def minor_unit_divisor(currency: pl.Expr) -> pl.Expr:
    """What a budget in the currency's minor unit is divided by to get the major unit."""
    return pl.when(currency.is_in(ZERO_DECIMAL_CURRENCIES)).then(1.0).otherwise(100.0)


def empty_daily() -> pl.DataFrame:
    return pl.DataFrame(schema=DAILY_SCHEMA)
