"""The seed's rule tiers (section 4.1), vectorised over `compute_features_wide`'s output. Pure polars.

A campaign's CPL over the window is compared with its account's CPL over the same window (the
reference). Rules are checked in order and the first that holds wins:

| tier            | rule (ratio = campaign CPL / account CPL)                      |
|-----------------|----------------------------------------------------------------|
| HIGH_PERFORMER  | ratio <= 0.70 and days with leads >= 4                         |
| MODERATE        | ratio <= 1.00 and leads >= 2                                   |
| LOW             | ratio <= 1.50                                                  |
| UNDERPERFORMER  | ratio > 1.50, or 0 leads with spend                            |

So a campaign with a cheap CPL but a single lead is LOW (it fails MODERATE's 2-lead rule), and one with a
cheap CPL on 3 days with leads is MODERATE. Boundaries are inclusive exactly as written (<=, >=). The
ratio is rounded to 9 decimals before it is compared, so float noise in spend / leads cannot move a
campaign that sits exactly on 0.70, 1.00 or 1.50 across the line.

Edge cases, decided here once:
- no spend in the window: not classified (null tier), whether or not it has leads. No spend and no leads
  is "nothing to judge"; leads without spend is a reporting artefact (late attribution), not a CPL.
- too little history: a campaign with fewer than `min_days` days in the window (default 4, the fewest
  with which every tier is reachable) is not classified. A day counts if the dense frame has it, i.e.
  from the campaign's first delivered day on.
- 0 leads with spend: UNDERPERFORMER, with or without a reference. Its confidence grows with how many
  reference CPLs it spent without a lead (spending 3x the account CPL for nothing is certain).
- an account with no leads at all in the window (reference undefined): every spending campaign has 0 leads
  and is therefore UNDERPERFORMER by the 0-leads rule, at the floor confidence (0.5), since there is no
  reference to say how much is too much. The reason says so.

These rules alone set `tier` (today's tier), with or without an active classifier: the model's forecast of
next week's tier is stored beside it, and `fall_probability` turns its probabilities into a "likely to
fall" signal relative to today's tier.

`confidence_score` is in [0.5, 1.0]: 0.5 + 0.5 * margin * volume * history, where
- margin: distance of the ratio from the nearest threshold (0.70, 1.00, 1.50) in log space, reaching 1
  at a factor of 1.25 away (a campaign on a boundary has margin 0);
- volume: leads / 10, capped at 1 (for 0 leads: spend / (3 x reference CPL), capped at 1);
- history: days in window / window.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import polars as pl

from famachat_ml_pipeline.core.exprs import clip01
from famachat_ml_pipeline.core.frames import KEY
from famachat_ml_pipeline.core.vocab import TIER_RANK, TIERS

__all__ = [
    "LIKELY_TO_FALL_P",
    "TIERS",
    "fall_probability",
    "rule_tier",
    "rule_tiers",
    "tier_change_direction",
]

HIGH_MAX_RATIO = 0.70
MODERATE_MAX_RATIO = 1.00
LOW_MAX_RATIO = 1.50
HIGH_MIN_DAYS_WITH_LEADS = 4
MODERATE_MIN_LEADS = 2
MIN_DAYS_IN_WINDOW = 4
# Confidence scales
_MARGIN_FULL = math.log(1.25)
_LEADS_FULL = 10
_ZERO_LEAD_SPEND_FULL = 3.0  # reference CPLs spent without a lead for full confidence
# The model's "likely to fall": next week's tier more likely below today's than not.
LIKELY_TO_FALL_P = 0.5


class _Rule(NamedTuple):
    """The rules' inputs and tests over one window, as expressions on the wide frame."""

    spend: pl.Expr
    leads: pl.Expr
    dwl: pl.Expr
    days: pl.Expr
    ref: pl.Expr
    ratio: pl.Expr
    no_spend: pl.Expr
    too_young: pl.Expr
    zero_leads: pl.Expr
    tier: pl.Expr


def _rule(window: int, min_days: int) -> _Rule:
    c = lambda name: pl.col(f"{name}_{window}d")  # noqa: E731
    spend, leads, dwl, days = c("spend"), c("leads"), c("days_with_leads"), c("days_in_window")
    ref = c("account_cpl")
    # Nulls (a set-aside day) never reach the comparisons: sums over known days only, as in features.
    spend, leads = spend.fill_null(0.0), leads.fill_null(0)
    ratio = pl.when((leads > 0) & (ref > 0)).then((spend / leads / ref).round(9))

    no_spend = spend <= 0
    too_young = days.fill_null(0) < min_days
    zero_leads = leads == 0
    tier = (
        pl.when(no_spend | too_young)
        .then(None)
        .when(zero_leads)
        .then(pl.lit("UNDERPERFORMER"))
        .when((ratio <= HIGH_MAX_RATIO) & (dwl >= HIGH_MIN_DAYS_WITH_LEADS))
        .then(pl.lit("HIGH_PERFORMER"))
        .when((ratio <= MODERATE_MAX_RATIO) & (leads >= MODERATE_MIN_LEADS))
        .then(pl.lit("MODERATE"))
        .when(ratio <= LOW_MAX_RATIO)
        .then(pl.lit("LOW"))
        .otherwise(pl.lit("UNDERPERFORMER"))
    )
    return _Rule(spend, leads, dwl, days, ref, ratio, no_spend, too_young, zero_leads, tier)


def rule_tier(window: int = 7, min_days: int = MIN_DAYS_IN_WINDOW) -> pl.Expr:
    """rule_tiers' `tier` alone, as an expression on the wide frame (the classifier's training snapshots
    need neither the confidence nor the reason, whose strings cost most of rule_tiers)."""
    return _rule(window, min_days).tier.alias("tier")


def rule_tiers(wide: pl.DataFrame, window: int = 7, min_days: int = MIN_DAYS_IN_WINDOW) -> pl.DataFrame:
    """config_id, campaign_id, tier (null: not classified), confidence_score, reason; a row per campaign."""
    spend, leads, dwl, days, ref, ratio, no_spend, too_young, zero_leads, tier = _rule(window, min_days)
    log_ratio = ratio.log()
    margin = pl.min_horizontal(
        *[(log_ratio - math.log(t)).abs() for t in (HIGH_MAX_RATIO, MODERATE_MAX_RATIO, LOW_MAX_RATIO)]
    )
    margin = pl.when(zero_leads).then(1.0).otherwise(clip01(margin / _MARGIN_FULL))
    volume = (
        pl.when(zero_leads)
        .then(clip01(spend / (_ZERO_LEAD_SPEND_FULL * ref)).fill_null(0.0))  # no reference: floor
        .otherwise(clip01(leads / _LEADS_FULL))
    )
    history = clip01(days.cast(pl.Float64) / window)
    confidence = pl.when(tier.is_not_null()).then((0.5 + 0.5 * margin * volume * history).round(4))

    fmt = lambda e: e.round(2).cast(pl.String)  # noqa: E731
    reason = (
        pl.when(no_spend)
        .then(pl.format("no spend in the last {} days", pl.lit(window)))
        .when(too_young)
        .then(pl.format("only {} days of history (< {})", days, pl.lit(min_days)))
        .when(zero_leads & ref.is_null())
        .then(pl.format("0 leads with spend {}; the account has no leads (no reference CPL)", fmt(spend)))
        .when(zero_leads)
        .then(pl.format("0 leads with spend {} (account CPL {})", fmt(spend), fmt(ref)))
        .otherwise(
            pl.format(
                "CPL {} = {}x account CPL {}; {} leads on {} days",
                fmt(spend / leads),
                ratio.round(3).cast(pl.String),
                fmt(ref),
                leads,
                dwl,
            )
        )
    )
    return wide.select(
        *KEY,
        tier.alias("tier"),
        confidence.alias("confidence_score"),
        reason.alias("reason"),
    )


def tier_change_direction(tier: str = "tier", previous: str = "previous_tier") -> pl.Expr:
    """UP / DOWN / SAME from the previous tier to this one by TIER_RANK (ml_campaign_classifications'
    tier_change_direction); null without a previous tier (a campaign's first classification)."""
    rank = lambda c: pl.col(c).replace_strict(TIER_RANK, default=None, return_dtype=pl.Int8)  # noqa: E731
    now, before = rank(tier), rank(previous)
    return (
        pl.when(pl.col(previous).is_null())
        .then(None)
        .when(now > before)
        .then(pl.lit("UP"))
        .when(now < before)
        .then(pl.lit("DOWN"))
        .otherwise(pl.lit("SAME"))
    )


def fall_probability(tier: str = "tier", probabilities: str = "probabilities") -> pl.Expr:
    """The model's probability that next week's tier ranks below today's `tier` (the sum of the worse tiers'
    probabilities in the `probabilities` struct of the 4 tiers); 0 for UNDERPERFORMER, null without a
    prediction or a tier."""
    now = pl.col(tier).replace_strict(TIER_RANK, default=None, return_dtype=pl.Int8)
    p = pl.col(probabilities)
    worse = [pl.when(now > TIER_RANK[t]).then(p.struct.field(t)).otherwise(0.0) for t in TIERS]
    return pl.when(p.is_not_null() & now.is_not_null()).then(pl.sum_horizontal(worse))
