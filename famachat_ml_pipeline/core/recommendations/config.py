"""Recommendation settings and output layout: thresholds, priorities, expiry, the output schema."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from famachat_ml_pipeline.core.tiers import LIKELY_TO_FALL_P

# The seed's table (section 4.4).
PRIORITIES: dict[str, int] = {
    "BUDGET_INCREASE": 8,
    "BUDGET_DECREASE": 7,
    "PAUSE_CAMPAIGN": 9,
    "SCALE_UP": 8,
    "CREATIVE_REFRESH": 6,
    "AUDIENCE_REVIEW": 7,
    "REACTIVATE": 5,
    "OPTIMIZE_SCHEDULE": 4,
}

OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "config_id": pl.Int64(),
    "entity_type": pl.String(),
    "entity_id": pl.String(),
    "recommendation_type": pl.String(),
    "priority": pl.Int32(),
    "title": pl.String(),  # <= 255 characters
    "description": pl.String(),
    # JSON {field, current, suggested, change_percent, expected_impact, currency}
    "suggested_action": pl.String(),
    "confidence_score": pl.Float64(),
    "reasoning": pl.String(),  # JSON with the numbers that fired the rule; always has "severity_metric"
    "expires_at": pl.Datetime("us"),  # naive, like the table's TIMESTAMP
    "severity_metric": pl.Float64(),
}
REC_KEY = ["config_id", "entity_type", "entity_id", "recommendation_type"]
SEVERITY_KEY = "severity_metric"  # the key in reasoning that `reconcile` reads back from dismissed rows

# Anomaly types that explain each recommendation (for ml_anomalies.recommendation_id).
ANOMALY_LINKS: dict[str, tuple[str, ...]] = {
    "PAUSE_CAMPAIGN": ("PERFORMANCE_DROP", "CPL_SPIKE"),
    "BUDGET_DECREASE": ("CPL_SPIKE", "PERFORMANCE_DROP"),
    "CREATIVE_REFRESH": ("CTR_DROP",),
    "AUDIENCE_REVIEW": ("REACH_SATURATION", "FREQUENCY_ALERT"),
}

DEFAULT_EXPIRY = {
    # budget and pause advice goes stale fast; structural advice lasts longer. A daily run refreshes
    # the expiry of every recommendation that still fires, so this only matters when runs stop.
    "BUDGET_INCREASE": 3,
    "BUDGET_DECREASE": 3,
    "PAUSE_CAMPAIGN": 2,
    "SCALE_UP": 7,
    "CREATIVE_REFRESH": 7,
    "AUDIENCE_REVIEW": 7,
    "REACTIVATE": 14,
    "OPTIMIZE_SCHEDULE": 14,
}


@dataclass(frozen=True)
class RecommendationConfig:
    # safety
    # No budget step larger than this, in either direction. The seed allows 20-50 %; 20 % is Meta's own
    # guidance for edits that do not restart the learning phase, so larger moves are split into steps.
    max_budget_step_pct: float = 20.0
    # Meta's learning-phase proxy (50 results in 7 days). Reported in the budget rules' reasoning only:
    # it gates nothing (cutting losses is never unsafe; scaling needs `scale_evidence_alpha` evidence).
    learning_min_leads_7d: int = 50
    # Scaling up needs evidence: the one-sided (1 - alpha) upper bound of the CPL (Poisson/Gamma on the
    # leads given spend, see evidence.py) below the account's CPL, over 7 days (and 30 for SCALE_UP).
    scale_evidence_alpha: float = 0.05
    # ... and no forecast fall: with a model, P(next week's tier below today's) must stay under this.
    scale_max_fall_probability: float = LIKELY_TO_FALL_P
    critical_block_days: int | None = None  # None: any open CRITICAL anomaly blocks scaling, however old
    anomaly_trigger_days: int = 7  # open anomalies younger than this can trigger a recommendation
    # lifecycle
    dismiss_cooldown_days: int = 7
    applied_cooldown_days: int = 7  # after a user applies one, wait as long as Meta's learning period
    materially_worse_pct: float = 25.0  # severity must grow this much to break a cooldown
    expires_in_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_EXPIRY))
    # confidence
    volume_full_leads: int = 100  # leads a week for full volume evidence
    # BUDGET_INCREASE (seed: HIGH_PERFORMER, cpl_ratio < 0.7, days_with_leads_ratio > 0.5, cpl_trend < 10)
    increase_pct: float = 30.0  # the seed's example; capped by max_budget_step_pct
    increase_max_cpl_ratio: float = 0.7
    increase_min_days_with_leads_ratio: float = 0.5
    increase_max_cpl_trend: float = 10.0
    increase_min_budget_use: float = 0.8  # avg daily spend / daily budget: below it, budget is not the limit
    # SCALE_UP: consistent HIGH_PERFORMER over 30 days
    scale_pct: float = 50.0  # the seed's upper bound; capped by max_budget_step_pct
    scale_max_cpl_ratio_30d: float = 0.7
    scale_min_days_with_leads_ratio_30d: float = 0.8
    scale_min_days_30d: int = 28
    # BUDGET_DECREASE (seed: high CPL, worsening trend; reduce 20-30 %). Also, without a rising trend, a
    # campaign whose CPL is above decrease_min_cpl_ratio x the account's with evidence (its 7-day CPL lower
    # bound at scale_evidence_alpha): a stable money-burner at 7 x the account's CPL is a loss to cut too.
    decrease_pct: float = 30.0  # capped by max_budget_step_pct
    decrease_min_cpl_ratio: float = 1.3
    decrease_min_cpl_trend: float = 15.0
    # PAUSE_CAMPAIGN (seed: UNDERPERFORMER without leads)
    pause_min_spend_cpl_multiple: float = 2.0
    # CREATIVE_REFRESH (seed: low CTR, high frequency)
    creative_min_frequency: float = 2.5
    creative_max_ctr_ratio: float = 0.7  # CTR <= 70 % of the account's
    creative_min_ctr_drop_pct: float = 25.0  # or CTR down >= 25 % on the previous 7 days
    creative_min_impressions: int = 1000
    ctr_z: float = 3.0  # count-aware: the CTR gap must also be >= 3 standard errors
    # AUDIENCE_REVIEW (seed: frequency > 5, saturated reach)
    audience_max_frequency: float = 5.0
    saturation_min_frequency: float = 3.5
    saturation_min_reach_drop_pct: float = 10.0
    saturation_max_spend_drop_pct: float = 10.0  # reach must fall while spend held, not because of it
    audience_min_impressions: int = 1000
    # REACTIVATE (seed: paused with a good history)
    reactivate_lookback_days: int = 90
    reactivate_history_days: int = 30  # the campaign's last delivered days that form its history
    reactivate_min_paused_days: int = 3  # respect a fresh pause decision for a few days
    reactivate_min_leads: int = 10
    reactivate_min_days_with_leads_ratio: float = 0.5
    reactivate_max_cpl_ratio: float = 1.0
    # OPTIMIZE_SCHEDULE (seed: performance varies by day)
    schedule_window_days: int = 28
    schedule_min_spread_pct: float = 50.0  # worst weekday CPL >= 1.5 x best weekday CPL
    schedule_min_total_leads: int = 20
    schedule_min_best_leads: int = 5
    schedule_min_expected_leads: float = 5.0  # leads the worst weekday should have had at the others' rate
    schedule_alpha: float = 0.01  # Poisson test, Bonferroni-corrected for picking 1 of 7 weekdays

    def step_pct(self, wanted: float) -> float:
        return min(wanted, self.max_budget_step_pct)


DEFAULT_CONFIG = RecommendationConfig()  # frozen: one shared default is safe
