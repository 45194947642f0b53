"""Source rows for the tests: one campaign, and insight rows that differ from a good one only where said."""

from __future__ import annotations

import datetime as dt

import polars as pl

from famachat_ml_pipeline.source.clean import SourceRead, clean_insights

AS_OF = dt.date(2026, 3, 10)
START = AS_OF - dt.timedelta(days=9)
NOW = dt.datetime(2026, 3, 11, 15, tzinfo=dt.UTC)  # 12:00 in São Paulo: today is 2026-03-11
T0 = "2026-03-11 06:00:00+00"
INSIGHT_SCHEMA = {
    "id": pl.Int64,
    "config_id": pl.Int64,
    "campaign_id": pl.String,
    "date_start": pl.Date,
    "date_stop": pl.Date,
    "spend": pl.Float64,
    "impressions": pl.Int64,
    "clicks": pl.Int64,
    "reach": pl.Int64,
    "leads": pl.Int64,
    "actions": pl.String,
    "updated_at": pl.String,
}


def campaigns(**over: object) -> pl.DataFrame:
    row = {
        "config_id": 1,
        "campaign_id": "111",
        "status": "ACTIVE",
        "effective_status": "ACTIVE",
        "objective": "OUTCOME_LEADS",
        "daily_budget": 5000,
        "currency": "BRL",
        "timezone_name": "America/Sao_Paulo",
        "created_time": None,
    }
    row.update(over)
    return pl.DataFrame([row], schema_overrides={"daily_budget": pl.Int64, "created_time": pl.String})


def insight(id: int, day: dt.date, **over: object) -> dict:
    row = {
        "id": id,
        "config_id": 1,
        "campaign_id": "111",
        "date_start": day,
        "date_stop": day,
        "spend": 10.0,
        "impressions": 1000,
        "clicks": 20,
        "reach": 800,
        "leads": 2,
        "actions": None,
        "updated_at": T0,
    }
    row.update(over)
    return row


def clean(rows: list[dict], camps: pl.DataFrame | None = None) -> SourceRead:
    frame = pl.DataFrame(rows, schema=INSIGHT_SCHEMA)
    return clean_insights(campaigns() if camps is None else camps, frame, as_of=AS_OF, start=START, now=NOW)


def day(result: SourceRead, d: dt.date) -> dict:
    return result.daily.filter(pl.col("date") == d).to_dicts()[0]


D1, D2, D3 = AS_OF - dt.timedelta(days=2), AS_OF - dt.timedelta(days=1), AS_OF
