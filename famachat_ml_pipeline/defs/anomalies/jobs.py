"""The seed's hourly anomaly detection: re-reads the source and upserts anomalies, every hour at :30."""

from famachat_ml_pipeline.defs.shared.schedules import account_job, all_accounts_schedule

anomaly_job = account_job(
    "hourly_anomaly_detection",
    "ad_insights",
    "campaign_anomalies",
    description="Re-reads the source and upserts anomalies; never duplicates them.",
)
hourly_anomaly_detection_schedule = all_accounts_schedule(
    "hourly_anomaly_detection_schedule",
    anomaly_job,
    "30 * * * *",
    description="The seed's hourly-anomaly-detection: every hour at :30, every account in one run.",
)
