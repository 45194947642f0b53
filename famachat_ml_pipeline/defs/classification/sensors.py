"""The first model of a fresh deployment: trained once as soon as there are accounts, instead of waiting
for the 05:00 retraining (until then, and whenever no model wins, classification uses the rules). And the
training jobs of runs that ended without finishing them: closed, whoever launched the run."""

import dagster as dg

from famachat_ml_pipeline.db.orchestration_queries import any_model_trained
from famachat_ml_pipeline.dead_runs import close_training_jobs_of_ended_runs
from famachat_ml_pipeline.defs.classification.assets import MODEL_TYPE
from famachat_ml_pipeline.defs.classification.jobs import model_retraining_job
from famachat_ml_pipeline.defs.shared.partitions import config_partitions, sensor_interval
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource

FIRST_MODEL_RUN_KEY = "first-model"  # Dagster skips a run key a sensor already requested: once, ever


@dg.sensor(
    job=model_retraining_job,
    minimum_interval_seconds=sensor_interval(300),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="On a fresh deployment with accounts and no model ever registered, requests one "
    "model_retraining run (once, ever) instead of waiting for the 05:00 retraining.",
)
def first_model_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource
) -> dg.SensorResult | dg.SkipReason:
    """Requests one model_retraining run when accounts exist and no model was ever registered.
    Cursor: the run key once requested, after which the sensor does nothing."""
    if context.cursor == FIRST_MODEL_RUN_KEY:
        return dg.SkipReason("the first model was already requested; retraining runs daily at 05:00")
    if not context.instance.get_dynamic_partitions(config_partitions.name):
        return dg.SkipReason("no accounts yet")
    if any_model_trained(database.engine(), MODEL_TYPE):
        return dg.SensorResult(skip_reason="a model is already registered", cursor=FIRST_MODEL_RUN_KEY)
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=FIRST_MODEL_RUN_KEY)], cursor=FIRST_MODEL_RUN_KEY
    )


@dg.sensor(
    minimum_interval_seconds=sensor_interval(60),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Closes the ml_training_jobs rows left PENDING or RUNNING by a run that ended without "
    "finishing them (FAILED; CANCELLED for a cancelled run), so FamaChat never shows them running for good.",
)
def dead_training_jobs_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource
) -> dg.SkipReason:
    """Closes the PENDING or RUNNING ml_training_jobs rows whose Dagster run has ended (a daemon run
    killed, then marked failed by run monitoring; a run cancelled in the UI), as `famachat-ml run`'s
    sweep does for CLI runs. FamaChat would otherwise show that training as running for good."""
    failed = close_training_jobs_of_ended_runs(context.instance, database.engine())
    for run_id in failed:
        context.log.warning(f"training jobs of run {run_id} closed: its run ended without finishing them")
    if not failed:
        return dg.SkipReason("no training job of an ended run left unfinished")
    return dg.SkipReason(f"training jobs of {len(failed)} ended runs closed: {', '.join(failed)}")
