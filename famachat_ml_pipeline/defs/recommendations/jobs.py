"""The seed's daily-recommendations (07:00): after the 06:00 classification, from the latest anomalies and
forecasts."""

from famachat_ml_pipeline.defs.shared.schedules import account_job, all_accounts_schedule

recommendations_job = account_job(
    "daily_recommendations",
    "ad_insights",
    "campaign_recommendations",
    description="Regenerates recommendations from the latest tiers, anomalies and forecasts.",
)
daily_recommendations_schedule = all_accounts_schedule(
    "daily_recommendations",
    recommendations_job,
    "0 7 * * *",
    description="The seed's daily-recommendations: 07:00, after the 06:00 classification.",
)
