"""The daily pipeline (the seed's daily-ml-pipeline, 02:00): the whole graph except training.

Training is the 05:00 retraining job (defs/classification/jobs.py); classification uses the active model
or the rules. A run of this job, from the schedule, the CLI, a sensor or the UI, never trains.
"""

import dagster as dg

from famachat_ml_pipeline.defs.shared.partitions import config_partitions
from famachat_ml_pipeline.defs.shared.schedules import JOB_TAGS, all_accounts_schedule

TRAINING_ASSET = "classifier_model"

ml_pipeline_job = dg.define_asset_job(
    "ml_pipeline",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(TRAINING_ASSET),
    partitions_def=config_partitions,
    tags=JOB_TAGS,
    description="Every account asset, from the source to the recommendations; never trains "
    "(that is the model_retraining job).",
)
daily_ml_pipeline = all_accounts_schedule(
    "daily_ml_pipeline",
    ml_pipeline_job,
    "0 2 * * *",
    description="The seed's daily-ml-pipeline: 02:00, the whole graph except training, every account.",
)
