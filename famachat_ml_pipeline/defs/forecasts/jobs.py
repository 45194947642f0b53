"""The seed's batch predictions (every 4 hours) and the morning validation of past predictions."""

from famachat_ml_pipeline.defs.shared.schedules import account_job, all_accounts_schedule

forecast_job = account_job("batch_predictions", "ad_insights", "campaign_forecasts")
validation_job = account_job("daily_prediction_validation", "ad_insights", "forecast_accuracy")

batch_predictions_schedule = all_accounts_schedule("batch_predictions_schedule", forecast_job, "15 */4 * * *")
daily_prediction_validation_schedule = all_accounts_schedule(
    "daily_prediction_validation_schedule", validation_job, "0 8 * * *"
)
