"""Settings, output schema and the seed's severity tables, shared by the series and campaign detectors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from famachat_ml_pipeline.core.vocab import ANOMALY_TYPES, SEVERITIES

__all__ = ["ANOMALY_SCHEMA", "ANOMALY_TYPES", "OUTPUT_KEY", "SEVERITIES", "AnomalyConfig"]

ANOMALY_SCHEMA: dict[str, pl.DataType] = {
    "config_id": pl.Int64(),
    "entity_type": pl.String(),
    "entity_id": pl.String(),
    "anomaly_type": pl.String(),
    "metric_name": pl.String(),
    "observed_value": pl.Float64(),
    "expected_value": pl.Float64(),
    "deviation_score": pl.Float64(),
    "severity": pl.String(),
    "anomaly_date": pl.Date(),
}
OUTPUT_KEY = ["config_id", "entity_id", "anomaly_type", "metric_name", "anomaly_date"]


@dataclass(frozen=True)
class AnomalyConfig:
    # the seed's settings (section 4.2)
    z_threshold: float = 2.5  # the seed's plain z score (baseline)
    robust_z_threshold: float = 3.5  # MAD-based z: Iglewicz and Hoaglin's classic cut-off
    iqr_multiplier: float = 1.5
    change_pct: float = 30.0
    change_recent_days: int = 3
    change_previous_days: int = 7
    min_history_days: int = 7
    # robust core
    history_days: int = 28
    seasonal_lags: int = 4  # same weekday over the last 4 weeks
    scale_floor_std: float = 0.25  # where MAD is 0 (lumpy data), a quarter of the std is the scale
    min_relative_scale: float = 0.05  # campaign metrics: day-to-day jitter is at least 5 % of the level
    min_effect_pct: float = 20.0  # a z alert on a campaign metric also needs a material change
    # the pooled (multi-day) CTR test is a weaker signal than one striking day: it needs a bigger effect
    sustained_effect_pct: float = 50.0
    # count-aware tests for rates
    alpha: float = 0.001  # strict: a fleet run makes tens of thousands of tests a day
    min_count: int = 5  # a rate test needs this many observed or expected events
    # delivery and audience
    frequency_threshold: float = 3.5
    frequency_window_days: int = 7
    frequency_min_impressions: int = 1000
    saturation_min_frequency: float = 2.0
    saturation_frequency_growth_pct: float = 20.0
    saturation_reach_growth_pct: float = 5.0
    budget_tolerance: float = 1.25
    zero_recent_days: int = 7
    zero_min_delivery_days: int = 4  # delivered on 4 of the last 7 days: it should be delivering


def severity_from_z(z: np.ndarray) -> np.ndarray:
    """The seed's table: |z| < 3 LOW, 3-4 MEDIUM, 4-5 HIGH, > 5 CRITICAL."""
    a = np.abs(z)
    return np.select([a < 3.0, a < 4.0, a <= 5.0], ["LOW", "MEDIUM", "HIGH"], "CRITICAL")


def severity_from_pct(pct: np.ndarray) -> np.ndarray:
    """The seed's table: |change| < 30 % LOW, 30-50 MEDIUM, 50-80 HIGH, > 80 CRITICAL."""
    a = np.abs(pct)
    return np.select([a < 30.0, a < 50.0, a <= 80.0], ["LOW", "MEDIUM", "HIGH"], "CRITICAL")


DEFAULT_CONFIG = AnomalyConfig()
