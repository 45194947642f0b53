"""The project's shared words, defined once: statuses, tiers, types, severities, metrics, timezone.

Every other module imports these; `db/schema.py` builds the ml_* enums from them, so the tables, the
core and the agent can never disagree on a name.
"""

from __future__ import annotations

import polars as pl

DEFAULT_TIMEZONE = "America/Sao_Paulo"  # FamaChat's column default, and the seed's schedules' zone

# Campaign statuses (sistema_facebook_ads_campaigns.status / effective_status).
# A campaign is inactive when either field says so: an ad set paused under an ACTIVE campaign delivers
# nothing, so anomaly detection, forecasts and recommendations must all treat it the same way.
INACTIVE_STATUSES: tuple[str, ...] = ("PAUSED", "DELETED", "ARCHIVED", "CAMPAIGN_PAUSED", "ADSET_PAUSED")


def is_inactive(status: str = "status", effective_status: str = "effective_status") -> pl.Expr:
    """True where either status field marks the campaign as not delivering (null counts as active)."""
    return pl.col(status).is_in(INACTIVE_STATUSES).fill_null(False) | pl.col(effective_status).is_in(
        INACTIVE_STATUSES
    ).fill_null(False)


# Performance tiers, best first (the seed's campaign_tier_enum order).
TIERS: tuple[str, ...] = ("HIGH_PERFORMER", "MODERATE", "LOW", "UNDERPERFORMER")
TIER_RANK: dict[str, int] = {t: len(TIERS) - 1 - i for i, t in enumerate(TIERS)}  # higher is better

RECOMMENDATION_TYPES: tuple[str, ...] = (
    "BUDGET_INCREASE",
    "BUDGET_DECREASE",
    "PAUSE_CAMPAIGN",
    "SCALE_UP",
    "CREATIVE_REFRESH",
    "AUDIENCE_REVIEW",
    "REACTIVATE",
    "OPTIMIZE_SCHEDULE",
)

ANOMALY_TYPES: tuple[str, ...] = (
    "SPEND_SPIKE",
    "SPEND_DROP",
    "CPL_SPIKE",
    "CPL_DROP",
    "CTR_SPIKE",
    "CTR_DROP",
    "PERFORMANCE_DROP",
    "PERFORMANCE_SPIKE",
    "FREQUENCY_ALERT",
    "REACH_SATURATION",
    "ZERO_SPEND",
    "ZERO_IMPRESSIONS",
)
SEVERITIES: tuple[str, ...] = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
# Anomalies in the buyer's favour (more leads, a cheaper lead, more clicks): worth knowing, not a problem.
GOOD_NEWS_ANOMALIES = frozenset({"PERFORMANCE_SPIKE", "CPL_DROP", "CTR_SPIKE"})

# Columns FamaChat's users set (apply, dismiss, acknowledge): the pipeline never writes them.
RECOMMENDATION_USER_COLUMNS: tuple[str, ...] = (
    "was_applied",
    "applied_at",
    "applied_by",
    "dismissed",
    "dismissed_at",
    "dismissed_by",
    "dismissed_reason",
)
ANOMALY_USER_COLUMNS: tuple[str, ...] = (
    "is_acknowledged",
    "acknowledged_at",
    "acknowledged_by",
    "resolution_notes",
)

MODEL_TYPES: tuple[str, ...] = (
    "TIME_SERIES_CPL",
    "TIME_SERIES_LEADS",
    "CAMPAIGN_CLASSIFIER",
    "ANOMALY_DETECTOR",
    "RECOMMENDER",
)
MODEL_STATUSES: tuple[str, ...] = ("TRAINING", "READY", "ACTIVE", "DEPRECATED", "FAILED")
JOB_STATUSES: tuple[str, ...] = ("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED")

# Forecast metrics and the ml_predictions.prediction_type that stores each (a bijection).
PREDICTION_TYPE_OF: dict[str, str] = {
    "spend": "SPEND_FORECAST",
    "leads": "LEADS_FORECAST",
    "cpl": "CPL_FORECAST",
}
METRIC_OF: dict[str, str] = {v: k for k, v in PREDICTION_TYPE_OF.items()}
PREDICTION_TYPES: tuple[str, ...] = ("CPL_FORECAST", "LEADS_FORECAST", "SPEND_FORECAST")  # enum order
