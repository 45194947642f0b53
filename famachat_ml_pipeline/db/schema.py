"""The ml_* tables: FamaChat reads them directly, so their layout is a public interface.

This mirrors section 8 of the seed document (names, types, defaults, foreign keys, enums, indexes).
Migrations create it; this module describes it for queries and writes.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from famachat_ml_pipeline.core.vocab import (
    JOB_STATUSES,
    MODEL_STATUSES,
    MODEL_TYPES,
    PREDICTION_TYPES,
    RECOMMENDATION_TYPES,
    SEVERITIES,
    TIERS,
)

JSON = sa.JSON().with_variant(JSONB(), "postgresql")

ENUMS: dict[str, tuple[str, ...]] = {
    "model_type_enum": MODEL_TYPES,
    "model_status_enum": MODEL_STATUSES,
    "prediction_type_enum": PREDICTION_TYPES,
    "campaign_tier_enum": TIERS,
    "recommendation_type_enum": RECOMMENDATION_TYPES,
    "anomaly_severity_enum": SEVERITIES,
    "job_status_enum": JOB_STATUSES,
}


def enum(name: str) -> sa.Enum:
    # create_type=False: the migration owns the CREATE TYPE, tables only reference it.
    return sa.Enum(*ENUMS[name], name=name, create_type=False)


metadata = sa.MetaData()
now = sa.func.now()

ml_trained_models = sa.Table(
    "ml_trained_models",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("model_type", enum("model_type_enum"), nullable=False),
    sa.Column("version", sa.String(50), nullable=False),
    sa.Column("config_id", sa.Integer),
    sa.Column("model_path", sa.String(500), nullable=False),
    sa.Column("parameters", JSON),
    sa.Column("feature_columns", JSON),
    sa.Column("training_metrics", JSON),
    sa.Column("validation_metrics", JSON),
    sa.Column("status", enum("model_status_enum"), server_default="TRAINING"),
    sa.Column("is_active", sa.Boolean, server_default=sa.false()),
    sa.Column("training_data_start", sa.DateTime),
    sa.Column("training_data_end", sa.DateTime),
    sa.Column("samples_count", sa.Integer),
    sa.Column("created_at", sa.DateTime, server_default=now),
    sa.Column("trained_at", sa.DateTime),
    sa.Column("last_used_at", sa.DateTime),
)

ml_predictions = sa.Table(
    "ml_predictions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("model_id", sa.Integer, sa.ForeignKey("ml_trained_models.id")),
    sa.Column("config_id", sa.Integer, nullable=False),
    sa.Column("entity_type", sa.String(50), nullable=False),
    sa.Column("entity_id", sa.String(100), nullable=False),
    sa.Column("prediction_type", enum("prediction_type_enum"), nullable=False),
    sa.Column("forecast_date", sa.DateTime, nullable=False),
    sa.Column("horizon_days", sa.Integer, server_default=sa.text("1")),
    sa.Column("predicted_value", sa.Float, nullable=False),
    sa.Column("confidence_lower", sa.Float),
    sa.Column("confidence_upper", sa.Float),
    sa.Column("actual_value", sa.Float),
    sa.Column("absolute_error", sa.Float),
    sa.Column("percentage_error", sa.Float),
    sa.Column("created_at", sa.DateTime, server_default=now),
)

ml_campaign_classifications = sa.Table(
    "ml_campaign_classifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("config_id", sa.Integer, nullable=False),
    sa.Column("campaign_id", sa.String(100), nullable=False),
    sa.Column("tier", enum("campaign_tier_enum"), nullable=False),
    sa.Column("confidence_score", sa.Float, nullable=False),
    sa.Column("metrics_snapshot", JSON),
    sa.Column("feature_importances", JSON),
    sa.Column("previous_tier", enum("campaign_tier_enum")),
    sa.Column("tier_change_direction", sa.String(20)),
    sa.Column("classified_at", sa.DateTime, server_default=now),
    sa.Column("valid_until", sa.DateTime),
)

ml_recommendations = sa.Table(
    "ml_recommendations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("config_id", sa.Integer, nullable=False),
    sa.Column("entity_type", sa.String(50), nullable=False),
    sa.Column("entity_id", sa.String(100), nullable=False),
    sa.Column("recommendation_type", enum("recommendation_type_enum"), nullable=False),
    sa.Column("priority", sa.Integer, server_default=sa.text("5")),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("suggested_action", JSON),
    sa.Column("confidence_score", sa.Float, server_default=sa.text("0.5")),
    sa.Column("reasoning", JSON),
    sa.Column("is_active", sa.Boolean, server_default=sa.true()),
    sa.Column("was_applied", sa.Boolean, server_default=sa.false()),
    sa.Column("applied_at", sa.DateTime),
    sa.Column("applied_by", sa.Integer),
    sa.Column("dismissed", sa.Boolean, server_default=sa.false()),
    sa.Column("dismissed_at", sa.DateTime),
    sa.Column("dismissed_by", sa.Integer),
    sa.Column("dismissed_reason", sa.Text),
    sa.Column("created_at", sa.DateTime, server_default=now),
    sa.Column("expires_at", sa.DateTime),
)

ml_anomalies = sa.Table(
    "ml_anomalies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("config_id", sa.Integer, nullable=False),
    sa.Column("entity_type", sa.String(50), nullable=False),
    sa.Column("entity_id", sa.String(100), nullable=False),
    sa.Column("anomaly_type", sa.String(50), nullable=False),
    sa.Column("metric_name", sa.String(50), nullable=False),
    sa.Column("observed_value", sa.Float, nullable=False),
    sa.Column("expected_value", sa.Float, nullable=False),
    sa.Column("deviation_score", sa.Float, nullable=False),
    sa.Column("severity", enum("anomaly_severity_enum"), nullable=False),
    sa.Column("is_acknowledged", sa.Boolean, server_default=sa.false()),
    sa.Column("acknowledged_at", sa.DateTime),
    sa.Column("acknowledged_by", sa.Integer),
    sa.Column("resolution_notes", sa.Text),
    sa.Column("anomaly_date", sa.DateTime, nullable=False),
    sa.Column("detected_at", sa.DateTime, server_default=now),
    sa.Column("recommendation_id", sa.Integer, sa.ForeignKey("ml_recommendations.id")),
)

ml_features = sa.Table(
    "ml_features",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("config_id", sa.Integer, nullable=False),
    sa.Column("campaign_id", sa.String(100), nullable=False),
    sa.Column("window_days", sa.Integer, nullable=False),
    sa.Column("feature_date", sa.DateTime, nullable=False),
    sa.Column("features", JSON),
    sa.Column("insufficient_data", sa.Boolean, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime, server_default=now),
)

ml_forecasts = sa.Table(
    "ml_forecasts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("config_id", sa.Integer, nullable=False),
    sa.Column("entity_type", sa.String(50), nullable=False),
    sa.Column("entity_id", sa.String(100), nullable=False),
    sa.Column("target_metric", sa.String(50), nullable=False),
    sa.Column("horizon_days", sa.Integer, server_default=sa.text("7")),
    sa.Column("method", sa.String(50), nullable=False),
    sa.Column("predictions", JSON),
    sa.Column("forecast_date", sa.DateTime, nullable=False),
    sa.Column("window_days", sa.Integer),
    sa.Column("model_version", sa.String(50)),
    sa.Column("insufficient_data", sa.Boolean, server_default=sa.false()),
    sa.Column("prediction_type", enum("prediction_type_enum")),
    sa.Column("created_at", sa.DateTime, server_default=now),
)

ml_training_jobs = sa.Table(
    "ml_training_jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("model_type", enum("model_type_enum"), nullable=False),
    sa.Column("config_id", sa.Integer),
    sa.Column("celery_task_id", sa.String(255)),
    sa.Column("status", enum("job_status_enum"), server_default="PENDING"),
    sa.Column("progress", sa.Float, server_default=sa.text("0.0")),
    sa.Column("model_id", sa.Integer, sa.ForeignKey("ml_trained_models.id")),
    sa.Column("error_message", sa.Text),
    sa.Column("created_at", sa.DateTime, server_default=now),
    sa.Column("started_at", sa.DateTime),
    sa.Column("completed_at", sa.DateTime),
)

sa.Index("ix_ml_trained_models_type_active", ml_trained_models.c.model_type, ml_trained_models.c.is_active)
sa.Index(
    "ix_ml_predictions_entity_date",
    ml_predictions.c.entity_type,
    ml_predictions.c.entity_id,
    ml_predictions.c.forecast_date,
)
sa.Index(
    "ix_ml_classifications_campaign",
    ml_campaign_classifications.c.config_id,
    ml_campaign_classifications.c.campaign_id,
    ml_campaign_classifications.c.classified_at,
)
sa.Index("ix_ml_recommendations_active", ml_recommendations.c.config_id, ml_recommendations.c.is_active)
sa.Index("ix_ml_anomalies_severity", ml_anomalies.c.config_id, ml_anomalies.c.severity)

ML_TABLES = tuple(metadata.sorted_tables)
