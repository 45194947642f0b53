"""The whole graph as one job and its nightly schedule (the seed's daily-ml-pipeline). Stage jobs live in
their stage's folder."""

from famachat_ml_pipeline.defs.shared.schedules import account_job, all_accounts_schedule

ml_pipeline_job = account_job("ml_pipeline", description="The whole graph (the seed's daily-ml-pipeline).")
daily_ml_pipeline = all_accounts_schedule("daily_ml_pipeline", ml_pipeline_job, "0 2 * * *")
