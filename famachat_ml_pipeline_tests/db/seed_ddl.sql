-- 1. Modelos treinados
CREATE TABLE ml_trained_models (
    id SERIAL PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    model_type model_type_enum NOT NULL,
    version VARCHAR(50) NOT NULL,
    config_id INTEGER,
    model_path VARCHAR(500) NOT NULL,
    parameters JSONB,
    feature_columns JSONB,
    training_metrics JSONB,
    validation_metrics JSONB,
    status model_status_enum DEFAULT 'TRAINING',
    is_active BOOLEAN DEFAULT FALSE,
    training_data_start TIMESTAMP,
    training_data_end TIMESTAMP,
    samples_count INTEGER,
    created_at TIMESTAMP DEFAULT NOW(),
    trained_at TIMESTAMP,
    last_used_at TIMESTAMP
);

-- 2. Previsões
CREATE TABLE ml_predictions (
    id SERIAL PRIMARY KEY,
    model_id INTEGER REFERENCES ml_trained_models(id),
    config_id INTEGER NOT NULL,
    entity_type VARCHAR(50) NOT NULL,
    entity_id VARCHAR(100) NOT NULL,
    prediction_type prediction_type_enum NOT NULL,
    forecast_date TIMESTAMP NOT NULL,
    horizon_days INTEGER DEFAULT 1,
    predicted_value FLOAT NOT NULL,
    confidence_lower FLOAT,
    confidence_upper FLOAT,
    actual_value FLOAT,
    absolute_error FLOAT,
    percentage_error FLOAT,
    created_at TIMESTAMP DEFAULT NOW()
);

-- 3. Classificações
CREATE TABLE ml_campaign_classifications (
    id SERIAL PRIMARY KEY,
    config_id INTEGER NOT NULL,
    campaign_id VARCHAR(100) NOT NULL,
    tier campaign_tier_enum NOT NULL,
    confidence_score FLOAT NOT NULL,
    metrics_snapshot JSONB,
    feature_importances JSONB,
    previous_tier campaign_tier_enum,
    tier_change_direction VARCHAR(20),
    classified_at TIMESTAMP DEFAULT NOW(),
    valid_until TIMESTAMP
);

-- 4. Recomendações
CREATE TABLE ml_recommendations (
    id SERIAL PRIMARY KEY,
    config_id INTEGER NOT NULL,
    entity_type VARCHAR(50) NOT NULL,
    entity_id VARCHAR(100) NOT NULL,
    recommendation_type recommendation_type_enum NOT NULL,
    priority INTEGER DEFAULT 5,
    title VARCHAR(255) NOT NULL,
    description TEXT NOT NULL,
    suggested_action JSONB,
    confidence_score FLOAT DEFAULT 0.5,
    reasoning JSONB,
    is_active BOOLEAN DEFAULT TRUE,
    was_applied BOOLEAN DEFAULT FALSE,
    applied_at TIMESTAMP,
    applied_by INTEGER,
    dismissed BOOLEAN DEFAULT FALSE,
    dismissed_at TIMESTAMP,
    dismissed_by INTEGER,
    dismissed_reason TEXT,
    created_at TIMESTAMP DEFAULT NOW(),
    expires_at TIMESTAMP
);

-- 5. Anomalias
CREATE TABLE ml_anomalies (
    id SERIAL PRIMARY KEY,
    config_id INTEGER NOT NULL,
    entity_type VARCHAR(50) NOT NULL,
    entity_id VARCHAR(100) NOT NULL,
    anomaly_type VARCHAR(50) NOT NULL,
    metric_name VARCHAR(50) NOT NULL,
    observed_value FLOAT NOT NULL,
    expected_value FLOAT NOT NULL,
    deviation_score FLOAT NOT NULL,
    severity anomaly_severity_enum NOT NULL,
    is_acknowledged BOOLEAN DEFAULT FALSE,
    acknowledged_at TIMESTAMP,
    acknowledged_by INTEGER,
    resolution_notes TEXT,
    anomaly_date TIMESTAMP NOT NULL,
    detected_at TIMESTAMP DEFAULT NOW(),
    recommendation_id INTEGER REFERENCES ml_recommendations(id)
);

-- 6. Features
CREATE TABLE ml_features (
    id SERIAL PRIMARY KEY,
    config_id INTEGER NOT NULL,
    campaign_id VARCHAR(100) NOT NULL,
    window_days INTEGER NOT NULL,
    feature_date TIMESTAMP NOT NULL,
    features JSONB,
    insufficient_data BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMP DEFAULT NOW()
);

-- 7. Forecasts
CREATE TABLE ml_forecasts (
    id SERIAL PRIMARY KEY,
    config_id INTEGER NOT NULL,
    entity_type VARCHAR(50) NOT NULL,
    entity_id VARCHAR(100) NOT NULL,
    target_metric VARCHAR(50) NOT NULL,
    horizon_days INTEGER DEFAULT 7,
    method VARCHAR(50) NOT NULL,
    predictions JSONB,
    forecast_date TIMESTAMP NOT NULL,
    window_days INTEGER,
    model_version VARCHAR(50),
    insufficient_data BOOLEAN DEFAULT FALSE,
    prediction_type prediction_type_enum,
    created_at TIMESTAMP DEFAULT NOW()
);

-- 8. Training Jobs
CREATE TABLE ml_training_jobs (
    id SERIAL PRIMARY KEY,
    model_type model_type_enum NOT NULL,
    config_id INTEGER,
    celery_task_id VARCHAR(255),
    status job_status_enum DEFAULT 'PENDING',
    progress FLOAT DEFAULT 0.0,
    model_id INTEGER REFERENCES ml_trained_models(id),
    error_message TEXT,
    created_at TIMESTAMP DEFAULT NOW(),
    started_at TIMESTAMP,
    completed_at TIMESTAMP
);
CREATE TYPE model_type_enum AS ENUM (
    'TIME_SERIES_CPL', 'TIME_SERIES_LEADS',
    'CAMPAIGN_CLASSIFIER', 'ANOMALY_DETECTOR', 'RECOMMENDER'
);

CREATE TYPE model_status_enum AS ENUM (
    'TRAINING', 'READY', 'ACTIVE', 'DEPRECATED', 'FAILED'
);

CREATE TYPE prediction_type_enum AS ENUM (
    'CPL_FORECAST', 'LEADS_FORECAST', 'SPEND_FORECAST'
);

CREATE TYPE campaign_tier_enum AS ENUM (
    'HIGH_PERFORMER', 'MODERATE', 'LOW', 'UNDERPERFORMER'
);

CREATE TYPE recommendation_type_enum AS ENUM (
    'BUDGET_INCREASE', 'BUDGET_DECREASE', 'PAUSE_CAMPAIGN',
    'SCALE_UP', 'CREATIVE_REFRESH', 'AUDIENCE_REVIEW',
    'REACTIVATE', 'OPTIMIZE_SCHEDULE'
);

CREATE TYPE anomaly_severity_enum AS ENUM (
    'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'
);

CREATE TYPE job_status_enum AS ENUM (
    'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'
);
-- Performance indexes
CREATE INDEX ix_ml_trained_models_type_active ON ml_trained_models(model_type, is_active);
CREATE INDEX ix_ml_predictions_entity_date ON ml_predictions(entity_type, entity_id, forecast_date);
CREATE INDEX ix_ml_classifications_campaign ON ml_campaign_classifications(config_id, campaign_id, classified_at);
CREATE INDEX ix_ml_recommendations_active ON ml_recommendations(config_id, is_active);
CREATE INDEX ix_ml_anomalies_severity ON ml_anomalies(config_id, severity);
