"""The seed's daily-model-retraining (05:00) and daily-classification (06:00)."""

import dagster as dg

from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.defs.shared.schedules import JOB_TAGS, RUNNING, account_job, all_accounts_schedule

# The model is trained on every account at once, so this job is unpartitioned; it shares the queue tag
# because it reads the whole source and competes for the same cores.
model_retraining_job = dg.define_asset_job(
    "model_retraining",
    selection=dg.AssetSelection.assets("classifier_model"),
    tags=JOB_TAGS,
    description="Trains the tier classifier on every account; the only job that trains.",
)
model_retraining_schedule = dg.ScheduleDefinition(
    name="daily_model_retraining",
    job=model_retraining_job,
    cron_schedule="0 5 * * *",
    execution_timezone=DEFAULT_TIMEZONE,
    default_status=RUNNING,
    description="The seed's daily-model-retraining: 05:00, one run over the whole fleet.",
)

classification_job = account_job(
    "daily_classification",
    "ad_insights",
    "campaign_classifications",
    description="Re-classifies every campaign with the active model (or the rules).",
)
daily_classification_schedule = all_accounts_schedule(
    "daily_classification",
    classification_job,
    "0 6 * * *",
    description="The seed's daily-classification: 06:00, after the 05:00 retraining.",
)
