"""Today's CPL so far against the account's usual ("por que o cpl subiu hoje?"): the day is not over, so its
spend and leads are partial, but their ratio, the CPL's factors and each campaign's part of the spend and
the leads compare with the days before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.agent.tools.analysis import driver_rows, period_figures
from famachat_ml_pipeline.source.read import read_daily_insights

USUAL_DAYS = 28  # the usual: the 28 complete days before today (each weekday 4 times)


def today_cpl_figures(ctx: ToolContext, today: dt.date) -> dict[str, Any]:
    """Today's spend, leads and CPL so far against the USUAL_DAYS before it summed (CPL0 = their spend over
    their leads), the CPL's factors (CPM, CTR, leads per click) on both sides, and each campaign's effect on
    the account's CPL. The usual is scaled to today's spend (k = spend today / usual spend), so a campaign's
    effect is its change of mix: CPL1 - CPL0 = sum over campaigns of ((s1 - k s0) - CPL0 (l1 - k l0)) / L1,
    exact for any k, the effects adding up to the account's move."""
    first, last = today - dt.timedelta(days=USUAL_DAYS), today - dt.timedelta(days=1)
    daily = read_daily_insights(ctx.engine, [ctx.config_id], today, USUAL_DAYS + 1, now=ctx.now).daily
    valid = daily.filter(pl.col("has_row") & pl.col("spend").is_not_null() & (pl.col("date") >= first))
    now, usual = period_figures(valid, today, today), period_figures(valid, first, last)
    found: dict[str, Any] = {"today": today, "first": first, "last": last, "now": now, "usual": usual}
    found["usual_days"] = valid.filter(pl.col("date") <= last)["date"].n_unique()
    if not (now["spend"] and now["leads"] and usual["spend"] and usual["leads"]):
        return {**found, "drivers": [], "campaigns": []}
    cpl0, k, leads1 = usual["spend"] / usual["leads"], now["spend"] / usual["spend"], now["leads"]
    by = (
        valid.with_columns(today=pl.col("date") == today)
        .group_by("campaign_id")
        .agg(
            s1=pl.col("spend").filter(pl.col("today")).sum(),
            l1=pl.col("leads").filter(pl.col("today")).sum(),
            s0=pl.col("spend").filter(~pl.col("today")).sum(),
            l0=pl.col("leads").filter(~pl.col("today")).sum(),
        )
        .with_columns(
            effect=((pl.col("s1") - k * pl.col("s0")) - cpl0 * (pl.col("l1") - k * pl.col("l0"))) / leads1,
            spend_share1=pl.col("s1") / now["spend"] * 100.0,
            spend_share0=pl.col("s0") / usual["spend"] * 100.0,
            leads_share1=pl.col("l1") / now["leads"] * 100.0,
            leads_share0=pl.col("l0") / usual["leads"] * 100.0,
        )
        .filter((pl.col("s1") > 0) | (pl.col("s0") > 0))
        .sort(["effect", "campaign_id"], descending=[True, False])
    )
    campaigns = [
        {
            **r,
            "name": ctx.name_of(r["campaign_id"]),
            "cpl1": r["s1"] / r["l1"] if r["l1"] else None,
            "cpl0": r["s0"] / r["l0"] if r["l0"] else None,
        }
        for r in by.iter_rows(named=True)
    ]
    drivers = [d.model_dump() for d in driver_rows(ctx, now, usual)]
    return {**found, "drivers": drivers, "campaigns": campaigns}
