"""Facts the offline agent reads from the source for a verdict or a day's move: one day against the day
before and the same weekday a week earlier, with each campaign's share of the move ("por que o CPL subiu
ontem?"); the account's CPL against its own history ("meu custo por lead tá bom?"); and the figures behind
each active pause or budget-cut recommendation ("quais campanhas devo pausar?"). No benchmark of the market:
the account is weighed against itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.agent.tools.analysis import PERIOD_FORMATS, driver_rows, period_figures
from famachat_ml_pipeline.agent.tools.campaigns import account_state, is_active
from famachat_ml_pipeline.core.anomalies.config import DEFAULT_CONFIG as DEFAULT_ANOMALY_CONFIG
from famachat_ml_pipeline.core.forecasting.common import BUDGET_OVERSPEND
from famachat_ml_pipeline.core.recommendations.config import DEFAULT_CONFIG as RECOMMENDATION_CONFIG
from famachat_ml_pipeline.db import agent_queries as q
from famachat_ml_pipeline.source.read import first_insight_day, read_daily_insights

WEEK = dt.timedelta(days=7)
DAY = dt.timedelta(days=1)


def _valid(daily: pl.DataFrame) -> pl.DataFrame:
    """The campaign-days with a source row and valid metrics (a row set aside has null metrics)."""
    return daily.filter(pl.col("has_row") & pl.col("spend").is_not_null())


def _by_campaign(valid: pl.DataFrame, day: dt.date) -> dict[str, tuple[float, int]]:
    rows = valid.filter(pl.col("date") == day).group_by("campaign_id").agg(pl.col("spend", "leads").sum())
    return {
        r["campaign_id"]: (float(r["spend"] or 0.0), int(r["leads"] or 0)) for r in rows.iter_rows(named=True)
    }


def _pct(new: float | None, old: float | None) -> float | None:
    return (new - old) / old * 100.0 if new is not None and old else None


def day_move_figures(ctx: ToolContext, day: dt.date) -> dict[str, Any]:
    """One complete day of the account against the day before and the same weekday a week earlier (spend,
    leads, CPL; each side as `period_figures` reads it, None when the source has no row that day), the %
    changes, the CPL's factors against the day before, and each campaign's spend, leads and CPL on both
    days with its effect on the account's CPL: CPL1 - CPL0 = sum over campaigns of (Δspend - CPL0 x Δleads)
    / leads1, exact, so the effects add up to the account's move."""
    daily = read_daily_insights(ctx.engine, [ctx.config_id], day, 8, now=ctx.now).daily
    valid = _valid(daily)
    days = {"day": day, "before": day - DAY, "week": day - WEEK}
    with_rows = set(valid["date"].unique().to_list())
    raw = {k: period_figures(daily, d, d) if d in with_rows else None for k, d in days.items()}
    now, before = raw["day"], raw["before"]
    changes = {
        side: {k: _pct(now[k], raw[side][k]) for k in ("spend", "leads", "cpl")} if now and raw[side] else {}
        for side in ("before", "week")
    }
    effects: list[dict[str, Any]] = []
    if now and before:
        new, old = _by_campaign(valid, day), _by_campaign(valid, day - DAY)
        cpl0, leads1 = before["cpl"], now["leads"]
        for cid in sorted(set(new) | set(old)):
            (s1, l1), (s0, l0) = new.get(cid, (0.0, 0)), old.get(cid, (0.0, 0))
            if not (s1 or s0 or l1 or l0):
                continue
            effect = ((s1 - s0) - cpl0 * (l1 - l0)) / leads1 if cpl0 is not None and leads1 else None
            effects.append(
                {
                    "campaign_id": cid,
                    "name": ctx.name_of(cid),
                    "spend1": s1,
                    "spend0": s0,
                    "leads1": l1,
                    "leads0": l0,
                    "cpl1": s1 / l1 if l1 else None,
                    "cpl0": s0 / l0 if l0 else None,
                    "effect_v": effect,
                    "effect": abs(effect) if effect is not None else None,
                    "d_spend_v": s1 - s0,
                    "d_spend": abs(s1 - s0),
                    "d_leads": l1 - l0,
                }
            )
    money = dict.fromkeys(("spend1", "spend0", "cpl1", "cpl0", "effect", "d_spend"), "money")
    pcts = {k: "pct0" for k in ("spend", "leads", "cpl")}
    return {
        "days": days,
        "raw": raw,
        "sides": {k: ctx.fmt1(v, PERIOD_FORMATS) if v else None for k, v in raw.items()},
        "changes": {k: ctx.fmt1(v, pcts) if v else {} for k, v in changes.items()},
        "changes_v": changes,
        "drivers": [d.model_dump() for d in driver_rows(ctx, now, before)] if now and before else [],
        "campaigns": ctx.fmt(effects, money),
    }


JUDGE_DAYS = 28  # a day's CPL is weighed against the 28 days before it (each weekday 4 times)
JUDGE_WEEKS = 12  # the last 7 days' CPL against up to 12 whole weeks before them
JUDGE_MIN = 4  # fewer weeks (or days) of history than this: no verdict


def _rank(now: float, history: list[float]) -> dict[str, Any]:
    """How the CPL `now` sits among `history` (inf = spend with no lead): how many were cheaper, the
    median, the range of the finite ones."""
    finite = sorted(x for x in history if x != float("inf"))
    ordered = sorted(history)
    n = len(ordered)
    median = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2 if n else None
    return {
        "n": n,
        "cheaper": sum(1 for x in history if x < now),
        "higher": sum(1 for x in history if x > now),
        "median": median if median is not None and median != float("inf") else None,
        "low": finite[0] if finite else None,
        "high": finite[-1] if finite else None,
        "no_leads": sum(1 for x in history if x == float("inf")),
    }


def _cpls(valid: pl.DataFrame, spans: list[tuple[dt.date, dt.date]]) -> list[float]:
    """The CPL of each span with spend (inf when it spent with no lead; a span with no spend is left out)."""
    found = []
    for first, last in spans:
        d = valid.filter(pl.col("date").is_between(first, last))
        spend, leads = float(d["spend"].sum() or 0.0), int(d["leads"].sum() or 0)
        if spend > 0:
            found.append(spend / leads if leads else float("inf"))
    return found


def _rates(valid: pl.DataFrame, spans: list[tuple[dt.date, dt.date]], figure: str) -> list[float]:
    """The CPM, CTR or leads per click of each span with spend (a span with no impression or click is left
    out)."""
    found = []
    for first, last in spans:
        f = period_figures(valid, first, last)
        if f["spend"] > 0 and f[figure] is not None:
            found.append(f[figure])
    return found


def cpl_history_figures(ctx: ToolContext, day: dt.date | None = None, figure: str = "cpl") -> dict[str, Any]:
    """ "Meu CPL tá bom?": the last 7 days' CPL against the CPL of each whole week before them (up to
    `JUDGE_WEEKS`, only weeks the source fully covers); with `day`, that day's CPL against each of the
    `JUDGE_DAYS` days before it. `_rank` of it, formatted; "enough" False below `JUDGE_MIN` of history.
    `figure` "cpm", "ctr" or "cvr" ("o cpm tá caro?") weighs that rate the same way instead."""
    through = ctx.data_through()
    first_data = first_insight_day(ctx.engine, ctx.config_id)
    if day is not None:
        last, span = day, 1
        spans = [(day - DAY * i, day - DAY * i) for i in range(1, JUDGE_DAYS + 1)]
    else:
        last, span = through, 7
        spans = [(through - WEEK * i - DAY * 6, through - WEEK * i) for i in range(1, JUDGE_WEEKS + 1)]
    spans = [s for s in spans if first_data is not None and s[0] >= first_data]
    first = min((a for a, _ in spans), default=last - DAY * (span - 1))
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, (last - first).days + 1, now=ctx.now).daily
    valid = _valid(daily)
    now = period_figures(daily, last - DAY * (span - 1), last)
    history = _cpls(valid, spans) if figure == "cpl" else _rates(valid, spans, figure)
    out: dict[str, Any] = {
        "figure": figure,
        "day": day,
        "first_day": last - DAY * (span - 1),
        "last_day": last,
        "history_first": first,
        "history_last": last - DAY * span,
        "now": ctx.fmt1(now, PERIOD_FORMATS),
        "enough": now[figure] is not None and len(history) >= JUDGE_MIN,
    }
    if now[figure] is None:
        return out
    rank = _rank(now[figure], history)
    kind = PERIOD_FORMATS[figure]
    return {**out, **rank, **ctx.fmt1(rank, {"median": kind, "low": kind, "high": kind})}


def first_cut_figures(ctx: ToolContext) -> dict[str, Any] | None:
    """ "Qual eu pauso primeiro?": the active campaign whose 7 days cost the most beyond what its leads would
    at the account's CPL (spend - leads x the account's 7-day CPL, ml_features); None when none costs more."""
    feats, _, as_of = account_state(ctx)
    best = None
    for cid, f in feats.items():
        spend, leads, acc = (
            float(f.get("spend_7d") or 0.0),
            int(f.get("leads_7d") or 0),
            f.get("account_cpl_7d"),
        )
        if not acc or not is_active(ctx.campaigns.get(cid) or {}):
            continue
        excess = spend - leads * float(acc)
        if excess > 0 and (best is None or excess > best["excess"]):
            best = {
                "campaign_id": cid,
                "spend": spend,
                "leads": leads,
                "account_cpl": float(acc),
                "excess": excess,
            }
    if best is None:
        return None
    shown = ctx.fmt1(best, dict.fromkeys(("spend", "account_cpl", "excess"), "money"))
    return {**shown, "name": ctx.name_of(best["campaign_id"]), "as_of": as_of}


def cut_figures(ctx: ToolContext) -> dict[str, Any]:
    """The active PAUSE_CAMPAIGN and BUDGET_DECREASE recommendations with their campaign's 7-day figures
    (ml_features, the window the rules read): spend, leads, CPL, the account's CPL, the ratio, the CPL's
    move on the 7 days before, the tier; and the pause rule's thresholds, to say why a cut is no pause."""
    feats, tiers, as_of = account_state(ctx)
    rows = []
    for r in q.read_active_recommendations(ctx.engine, ctx.config_id):
        cut = r["recommendation_type"] in {"PAUSE_CAMPAIGN", "BUDGET_DECREASE"}
        if not cut or not ctx.owns(r["entity_id"]):
            continue
        f = feats.get(r["entity_id"], {})
        cpl, acc = f.get("cpl_7d") if f.get("leads_7d") else None, f.get("account_cpl_7d")
        rows.append(
            {
                "campaign_id": r["entity_id"],
                "name": ctx.name_of(r["entity_id"]),
                "type": r["recommendation_type"],
                "priority": r["priority"],
                "title": r["title"],
                "spend_7d": f.get("spend_7d"),
                "leads_7d": int(f.get("leads_7d") or 0),
                "cpl_7d": cpl,
                "account_cpl_7d": acc,
                "ratio": float(cpl) / float(acc) if cpl and acc else None,
                "spend_ratio": float(f.get("spend_7d") or 0.0) / float(acc) if acc else None,
                "cpl_trend": f.get("cpl_trend"),
                "trend_v": f.get("cpl_trend"),
                "tier": tiers.get(r["entity_id"]),
            }
        )
    rows.sort(key=lambda x: (x["type"] != "PAUSE_CAMPAIGN", -(x["priority"] or 0), -(x["ratio"] or 0.0)))
    spec = {"spend_7d": "money", "cpl_7d": "money", "account_cpl_7d": "money", "cpl_trend": "pct0"}
    return {
        "as_of": as_of,
        "rows": ctx.fmt(rows, spec),
        "pause_multiple": RECOMMENDATION_CONFIG.pause_min_spend_cpl_multiple,
        "decrease_ratio": RECOMMENDATION_CONFIG.decrease_min_cpl_ratio,
        "decrease_trend": RECOMMENDATION_CONFIG.decrease_min_cpl_trend,
    }


BUDGET_SLACK = BUDGET_OVERSPEND - 1.0  # the source contract: spend may exceed the budget by 25 % on a day


def overspent(over: pl.DataFrame, budgeted: pl.DataFrame) -> pl.DataFrame:
    """Per campaign with days `over` the margin: how many, its worst (the highest spend / budget, the
    earliest of equals: date, spend, daily_budget, ratio), and its spend and budgets summed over
    `budgeted` (its days with spend and a budget); the worst overspend first."""
    worst = (
        over.with_columns(ratio=pl.col("spend") / pl.col("daily_budget"))
        .sort(["ratio", "date"], descending=[True, False])
        .group_by("campaign_id", maintain_order=True)
        .agg(pl.len().alias("days"), pl.col("date", "spend", "daily_budget", "ratio").first())
    )
    weeks = budgeted.group_by("campaign_id").agg(
        pl.col("spend").sum().alias("spend_7d"), pl.col("daily_budget").sum().alias("budget_7d")
    )
    return worst.join(weeks, on="campaign_id").sort(["ratio", "campaign_id"], descending=[True, False])


def budget_figures(ctx: ToolContext) -> dict[str, Any]:
    """ "Tem campanha estourando o orçamento?": each campaign's days of the last 7 whose spend passed its
    daily budget by more than `BUDGET_SLACK` (Meta may spend up to 25 % over on a day, so less is no
    overspend), the worst of them, and its 7 days' spend against 7 budgets; the campaigns that spent with
    no campaign-level budget (set at ad-set level) are counted apart."""
    through = ctx.data_through()
    daily = read_daily_insights(ctx.engine, [ctx.config_id], through, 7, now=ctx.now).daily
    d = _valid(daily).filter(pl.col("date").is_between(through - DAY * 6, through) & (pl.col("spend") > 0))
    budgeted = d.filter(pl.col("daily_budget").is_not_null() & (pl.col("daily_budget") > 0))
    over = budgeted.filter(pl.col("spend") > pl.col("daily_budget") * (1 + BUDGET_SLACK))
    within = budgeted.filter(
        (pl.col("spend") > pl.col("daily_budget"))
        & (pl.col("spend") <= pl.col("daily_budget") * (1 + BUDGET_SLACK))
    )
    rows = [
        {
            "campaign_id": r["campaign_id"],
            "name": ctx.name_of(r["campaign_id"]),
            "days": r["days"],
            "day": r["date"],
            "spend": float(r["spend"]),
            "budget": float(r["daily_budget"]),
            "above": (float(r["ratio"]) - 1) * 100,
            "above_v": float(r["ratio"]) - 1,
            "spend_7d": float(r["spend_7d"]),
            "budget_7d": float(r["budget_7d"]),
        }
        for r in overspent(over, budgeted).iter_rows(named=True)
    ]
    money = dict.fromkeys(("spend", "budget", "spend_7d", "budget_7d"), "money")
    no_budget = d.filter(pl.col("daily_budget").is_null())["campaign_id"].n_unique()
    return {
        "first_day": through - DAY * 6,
        "last_day": through,
        "campaigns": ctx.fmt(rows, {**money, "above": "pct0"}),
        "within_days": within.height,
        "no_budget": no_budget,
        "slack": BUDGET_SLACK,
    }


LEARNING_LEADS = 50  # Meta's bar to leave the learning phase: about 50 results in 7 days (a proxy here)


def learning_figures(ctx: ToolContext) -> dict[str, Any]:
    """ "Quais campanhas estão em fase de aprendizado?": the source has no learning status, so the proxy a
    buyer uses: each campaign that spent in the last 7 complete days with its leads there, those under
    `LEARNING_LEADS` (fewest first) apart from those at or over it."""
    through = ctx.data_through()
    daily = read_daily_insights(ctx.engine, [ctx.config_id], through, 7, now=ctx.now).daily
    d = _valid(daily).filter(pl.col("date").is_between(through - DAY * 6, through))
    per = d.group_by("campaign_id").agg(pl.col("spend", "leads").sum()).filter(pl.col("spend") > 0)
    rows = [
        {
            "campaign_id": r["campaign_id"],
            "name": ctx.name_of(r["campaign_id"]),
            "spend": float(r["spend"]),
            "leads": int(r["leads"] or 0),
        }
        for r in per.iter_rows(named=True)
    ]
    rows.sort(key=lambda x: (x["leads"], x["campaign_id"]))
    under = [x for x in rows if x["leads"] < LEARNING_LEADS]
    return {
        "first_day": through - DAY * 6,
        "last_day": through,
        "bar": LEARNING_LEADS,
        "under": ctx.fmt(under, {"spend": "money"}),
        "over": len(rows) - len(under),
    }


# a campaign saturates when its frequency rises while its CTR falls (the same people see the ad more and
# click it less): both moves of at least SATURATION_MOVE, last 7 complete days against the 7 before
SATURATION_MOVE = 5.0  # %


def saturation_figures(ctx: ToolContext, campaign_id: str) -> dict[str, Any]:
    """ "A campanha 4 tá saturando?": its frequency (impressions / summed daily reach, as ml_features'
    frequency_7d) and CTR over the last 7 complete days and the 7 before, their % changes, and the verdict
    by the rule above: "yes" both moved that way, "no" neither did, "unclear" only one did."""
    through = ctx.data_through()
    daily = read_daily_insights(ctx.engine, [ctx.config_id], through, 14, now=ctx.now).daily
    d = _valid(daily).filter(pl.col("campaign_id") == campaign_id)

    def week(last: dt.date) -> dict[str, Any]:
        w = d.filter(pl.col("date").is_between(last - DAY * 6, last))
        imps, reach = int(w["impressions"].sum() or 0), int(w["reach"].sum() or 0)
        clicks = int(w["clicks"].sum() or 0)
        return {
            "first_day": last - DAY * 6,
            "last_day": last,
            "frequency": imps / reach if reach else None,
            "ctr": clicks / imps * 100.0 if imps else None,
        }

    now, before = week(through), week(through - WEEK)
    freq_ch, ctr_ch = _pct(now["frequency"], before["frequency"]), _pct(now["ctr"], before["ctr"])
    if freq_ch is None or ctr_ch is None:
        verdict = "no_data"
    else:
        signs = (freq_ch >= SATURATION_MOVE, ctr_ch <= -SATURATION_MOVE)
        verdict = "yes" if all(signs) else "unclear" if any(signs) else "no"
    return {
        "campaign_id": campaign_id,
        "name": ctx.name_of(campaign_id),
        "now": now,
        "before": before,
        "freq_change": freq_ch,
        "ctr_change": ctr_ch,
        "verdict": verdict,
        "move": SATURATION_MOVE,
        "threshold": DEFAULT_ANOMALY_CONFIG.frequency_threshold,
    }
