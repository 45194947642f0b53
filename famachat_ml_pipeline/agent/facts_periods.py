"""Two periods set side by side from the source: this week against the last, a period against the one
before it, or two periods named, with the changes between them and the CPL's factors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.facts_source import frame_figures
from famachat_ml_pipeline.agent.intents_periods import (
    Period,
    previous_period,
    resolve_period,
    resolve_periods,
    weeks_compared,
)
from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.agent.tools.analysis import driver_rows, period_figures
from famachat_ml_pipeline.source.read import first_insight_day, read_daily_insights

# the changes between the weeks: totals to the unit, rates to a tenth (as analyze_trends), so a CTR's small
# move does not read as 0%
WEEK_CHANGE_FORMATS = {
    "spend": "pct0",
    "leads": "pct0",
    "cpl": "pct0",
    "ctr": "pct1",
    "cpm": "pct1",
    "cpc": "pct1",
}


def _changes(ctx: ToolContext, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The % change of each figure of `WEEK_CHANGE_FORMATS` from `old` to `new` (`period_figures`),
    formatted; None where either side lacks it."""
    changes = {
        k: (new[k] - old[k]) / old[k] * 100.0 if new[k] is not None and old[k] else None
        for k in WEEK_CHANGE_FORMATS
    }
    return ctx.fmt1(changes, WEEK_CHANGE_FORMATS)


def weeks_figures(ctx: ToolContext, campaign_id: str | None = None) -> dict[str, Any]:
    """ "Essa semana vs semana passada": the days of the calendar weeks `weeks_compared` picks, each as
    `source_figures` reads it, the changes of spend, leads, CPL, CTR, CPM and CPC between them, and the
    CPL's factors over them ("por que o CPL subiu essa semana?", as analyze_trends' over the 7 days)."""
    w = weeks_compared(ctx.data_through())
    daily = read_daily_insights(
        ctx.engine, [ctx.config_id], w.now.last, (w.now.last - w.before.first).days + 1, now=ctx.now
    ).daily
    own = daily if campaign_id is None else daily.filter(pl.col("campaign_id") == campaign_id)
    now = period_figures(own, w.now.first, w.now.last)
    before = period_figures(own, w.before.first, w.before.last)
    return {  # one read of the source for both weeks
        "weeks": w,
        "now": frame_figures(ctx, daily, w.now.first, w.now.last, campaign_id),
        "before": frame_figures(ctx, daily, w.before.first, w.before.last, campaign_id),
        "changes": _changes(ctx, before, now),
        # "quantos leads eu perdi essa semana?": the leads gained or lost, as a count, beside the %
        "leads_gap": int(now["leads"] - before["leads"]),
        "raw": (before, now),  # "qual a diferença?", "somando as duas?" right after (`answers_gap`)
        "cpl_drivers": [d.model_dump() for d in driver_rows(ctx, now, before)],
    }


@dataclass(frozen=True)
class ClippedPeriods:
    """The period asked and the one before it (`previous_period`), each clipped to the days the source
    covers: `first`..`last` of the asked one, `before_first`..`before.last` of the one before (empty when
    before_first > before.last)."""

    asked: Period
    first: dt.date
    last: dt.date
    now: Period
    before: Period
    before_first: dt.date


def clipped_periods(ctx: ToolContext, ref: str | None) -> ClippedPeriods | None:
    """`ClippedPeriods` of the period named in `ref`; None when it is not one or has no day of data."""
    through, first_day = ctx.data_through(), first_insight_day(ctx.engine, ctx.config_id)
    asked = resolve_period(ref, through)
    if asked is None or first_day is None:
        return None
    first, last = max(asked.first, first_day), min(asked.last, through)
    if first > last:
        return None
    now, before = previous_period(asked, first, last)
    return ClippedPeriods(asked, first, last, now, before, max(before.first, first_day))


def period_move_figures(
    ctx: ToolContext, ref: str | None, campaign_id: str | None = None
) -> dict[str, Any] | None:
    """ "O CPL subiu em outubro?": the period asked (clipped to the days the source covers) and the one
    before it (`previous_period`, clipped too), each as `source_figures` reads it, the changes between
    them (spend and leads per day when the two cover a different number of days) and the CPL's factors;
    None when the period has no day of data. `before` is None when the source has none of its days. The
    account's, or one campaign's rows only ("o CPL da campanha 22 subiu em outubro?")."""
    spans = clipped_periods(ctx, ref)
    if spans is None:
        return None
    first, last, now, before, start = spans.first, spans.last, spans.now, spans.before, spans.before_first
    found: dict[str, Any] = {"now": now, "before": before, "before_first": start}
    if start > before.last:
        daily = read_daily_insights(
            ctx.engine, [ctx.config_id], last, (last - first).days + 1, now=ctx.now
        ).daily
        now_figures = frame_figures(ctx, daily, first, last, campaign_id)
        return {**found, "now_figures": now_figures, "before_figures": None}
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, (last - start).days + 1, now=ctx.now).daily
    own = daily if campaign_id is None else daily.filter(pl.col("campaign_id") == campaign_id)
    new, old = period_figures(own, first, last), period_figures(own, start, before.last)
    days_new, days_old = (last - first).days + 1, (before.last - start).days + 1
    per_day = days_new != days_old  # totals of unequal spans are compared per day; the rates as they are
    if per_day:
        new = {**new, "spend": new["spend"] / days_new, "leads": new["leads"] / days_new}
        old = {**old, "spend": old["spend"] / days_old, "leads": old["leads"] / days_old}
    return {
        **found,
        "now_figures": frame_figures(ctx, daily, first, last, campaign_id),
        "before_figures": frame_figures(ctx, daily, start, before.last, campaign_id),
        "per_day": per_day,
        "changes": _changes(ctx, old, new),
        "cpl_drivers": [d.model_dump() for d in driver_rows(ctx, new, old)],
    }


def periods_figures(ctx: ToolContext, refs: Sequence[str], campaign_id: str | None = None) -> dict[str, Any]:
    """ "Semana passada vs retrasada", "outubro vs novembro": each period (older first) clipped to the days
    the source covers and read as `source_figures` reads one (None when it has no day of data), and the
    changes of spend, leads, CPL, CTR, CPM and CPC from the older to the newer, from one read of the source;
    the account's, or one campaign's rows only."""
    through, first = ctx.data_through(), first_insight_day(ctx.engine, ctx.config_id)
    periods = sorted(resolve_periods(refs, through), key=lambda p: p.first)
    spans = [(max(p.first, first), min(p.last, through)) if first else None for p in periods]
    spans = [s if s and s[0] <= s[1] else None for s in spans]
    covered = [s for s in spans if s]
    sides: list[dict[str, Any] | None] = [None] * len(periods)
    raw: list[dict[str, Any] | None] = [None] * len(periods)
    changes: dict[str, Any] = {}
    if covered:
        start, end = min(a for a, _ in covered), max(b for _, b in covered)
        daily = read_daily_insights(
            ctx.engine, [ctx.config_id], end, (end - start).days + 1, now=ctx.now
        ).daily
        sides = [frame_figures(ctx, daily, *s, campaign_id) if s else None for s in spans]
        own = daily if campaign_id is None else daily.filter(pl.col("campaign_id") == campaign_id)
        raw = [period_figures(own, *s) if s else None for s in spans]
        if len(raw) == 2 and raw[0] and raw[1]:
            changes = _changes(ctx, *raw)  # the rates too: "e o ctr?" right after reads the same two
    # the raw figures too: several campaigns' periods are weighed by their CPL (`_say_compare`)
    return {"periods": periods, "figures": sides, "changes": changes, "first_day": first, "raw": raw}


def days_change(
    ctx: ToolContext, days: Sequence[dict[str, Any]], campaign_id: str | None
) -> dict[str, Any] | None:
    """Two complete days compared ("ontem vs o mesmo dia da semana passada"): the older and the newer, and
    the % change of spend, leads and CPL from the older to the newer (the campaign's when one is named);
    None unless both days are complete days of the source."""
    if len(days) != 2 or any(d["status"] != "ok" for d in days):
        return None
    old, new = sorted(d["day"] for d in days)
    cid = campaign_id if campaign_id and ctx.owns(campaign_id) else None
    daily = read_daily_insights(ctx.engine, [ctx.config_id], new, (new - old).days + 1, now=ctx.now).daily
    if cid is not None:
        daily = daily.filter(pl.col("campaign_id") == cid)
    valid = daily.filter(pl.col("spend").is_not_null())
    raw = [period_figures(valid, d, d) for d in (old, new)]
    return {"old": old, "new": new, "changes": _changes(ctx, *raw), "raw": tuple(raw)}
