"""The campaigns whose daily CPL varies least ("qual campanha tem o cpl mais estável?"): over the last 14
complete days, the coefficient of variation (sample standard deviation ÷ mean) of each campaign's CPL on
the days it had leads, only for campaigns with leads on most of those days (a CPL is undefined without a
lead, so a campaign with few lead days has too few CPLs to judge)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.source.read import read_daily_insights

STABILITY_DAYS = 14
MIN_LEAD_DAYS = 10  # "most days": leads on at least 10 of the 14


def cpl_variation(daily: pl.DataFrame, first: dt.date, last: dt.date) -> pl.DataFrame:
    """One row per campaign with leads on at least MIN_LEAD_DAYS days of first..last: lead days, the mean,
    lowest and highest daily CPL and its coefficient of variation (cv, a fraction), steadiest first. Pure:
    a daily frame (campaign_id, date, spend, leads) in, the ranking out."""
    days = daily.filter(
        pl.col("date").is_between(first, last) & pl.col("spend").is_not_null() & (pl.col("leads") > 0)
    ).with_columns((pl.col("spend") / pl.col("leads")).alias("cpl"))
    return (
        days.group_by("campaign_id")
        .agg(
            pl.len().alias("lead_days"),
            pl.col("cpl").mean().alias("mean"),
            pl.col("cpl").min().alias("low"),
            pl.col("cpl").max().alias("high"),
            (pl.col("cpl").std(ddof=1) / pl.col("cpl").mean()).alias("cv"),
        )
        .filter(pl.col("lead_days") >= MIN_LEAD_DAYS)
        .sort(["cv", "campaign_id"])
    )


def stability_figures(ctx: ToolContext) -> dict[str, Any]:
    """The 14 days read, every campaign ranked by `cpl_variation` (names and money formatted), and how
    many campaigns spent in those days."""
    last = ctx.data_through()
    first = last - dt.timedelta(days=STABILITY_DAYS - 1)
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, STABILITY_DAYS, now=ctx.now).daily
    ranked = cpl_variation(daily, first, last)
    spenders = daily.filter(pl.col("date").is_between(first, last) & (pl.col("spend") > 0))
    rows = [
        {
            **r,
            "name": ctx.name_of(r["campaign_id"]),
            **{
                f"{k}_text": v
                for k, v in ctx.fmt1(
                    {k: r[k] for k in ("mean", "low", "high")},
                    dict.fromkeys(("mean", "low", "high"), "money"),
                ).items()
            },
        }
        for r in ranked.iter_rows(named=True)
    ]
    return {"first": first, "last": last, "campaigns": rows, "spenders": spenders["campaign_id"].n_unique()}
