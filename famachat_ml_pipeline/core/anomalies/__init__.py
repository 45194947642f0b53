"""Anomaly detection: robust statistics (`robust`), single-series detectors (`series`, used by the NAB
evaluation) and the seed's 12 campaign anomaly types (`campaign`, on matrices built by `campaign_frames`).
"""

from famachat_ml_pipeline.core.anomalies.campaign import detect_anomalies, detect_anomalies_zscore
from famachat_ml_pipeline.core.anomalies.config import (
    ANOMALY_SCHEMA,
    ANOMALY_TYPES,
    OUTPUT_KEY,
    SEVERITIES,
    AnomalyConfig,
    severity_from_pct,
    severity_from_z,
)
from famachat_ml_pipeline.core.anomalies.robust import (
    RobustZ,
    plain_z,
    robust_seasonal_z,
    seasonal_lag_median,
)
from famachat_ml_pipeline.core.anomalies.series import (
    SeriesConfig,
    detect_series,
    detect_series_zscore,
    infer_period,
)

__all__ = [
    "ANOMALY_SCHEMA",
    "ANOMALY_TYPES",
    "OUTPUT_KEY",
    "SEVERITIES",
    "AnomalyConfig",
    "RobustZ",
    "SeriesConfig",
    "detect_anomalies",
    "detect_anomalies_zscore",
    "detect_series",
    "detect_series_zscore",
    "infer_period",
    "plain_z",
    "robust_seasonal_z",
    "seasonal_lag_median",
    "severity_from_pct",
    "severity_from_z",
]
