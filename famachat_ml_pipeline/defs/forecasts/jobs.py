"""The seed's batch predictions (every 4 hours) and the morning validation of past predictions."""

from famachat_ml_pipeline.defs.shared.schedules import account_job, all_accounts_schedule

forecast_job = account_job(
    "batch_predictions",
    "ad_insights",
    "campaign_forecasts",
    description="Forecasts spend, leads and CPL for the next days (7 by default) of every campaign.",
)
validation_job = account_job(
    "daily_prediction_validation",
    "ad_insights",
    "forecast_accuracy",
    description="Fills in the actual values of past forecasts whose day has come, and scores them.",
)

batch_predictions_schedule = all_accounts_schedule(
    "batch_predictions_schedule",
    forecast_job,
    "15 */4 * * *",
    description="The seed's batch-predictions: every 4 hours at :15.",
)
daily_prediction_validation_schedule = all_accounts_schedule(
    "daily_prediction_validation_schedule",
    validation_job,
    "0 8 * * *",
    description="The seed's daily-prediction-validation: 08:00.",
)
