"""Campaign tiers: the classifier_model registry asset and the campaign_classifications asset."""

import dagster as dg
import polars as pl

from famachat_ml_pipeline.core import classifier
from famachat_ml_pipeline.core.features import compute_features_wide
from famachat_ml_pipeline.db import registry
from famachat_ml_pipeline.db.reader import classifications_from_rows
from famachat_ml_pipeline.db.writer import replace_classifications
from famachat_ml_pipeline.defs.classification.sampling import sampled_as_of_dates
from famachat_ml_pipeline.defs.classification.training_read import read_training_sample
from famachat_ml_pipeline.defs.shared.account_run import AccountRun, latest_complete_day_of
from famachat_ml_pipeline.defs.shared.io_managers import PASS_ALONG_IO_MANAGER
from famachat_ml_pipeline.defs.shared.partitions import PIPELINE_POOL, account_asset
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource, ModelStore
from famachat_ml_pipeline.source.read import list_config_ids

MODEL_TYPE = "CAMPAIGN_CLASSIFIER"
TRAINING_LOOKBACK_DAYS = 120  # as-of dates need 60 days of feature history plus a week of labels


def is_past(run: AccountRun, database: DatabaseResource) -> bool:
    """True when the run is as of an earlier day than its accounts' latest complete day (a backfill)."""
    if not run.config_ids:
        return False
    return run.as_of < latest_complete_day_of(database.engine(), run.config_ids, database.default_timezone)


@dg.asset(group_name="classification", kinds={"xgboost", "sql"}, pool=PIPELINE_POOL)
def classifier_model(
    context: dg.AssetExecutionContext, database: DatabaseResource, model_store: ModelStore
) -> dg.MaterializeResult:
    """Trains the tier model and registers it; ACTIVE only if it beats the persistence baseline on held-out
    weeks, otherwise READY (classification then falls back to rules).

    It reads the source itself rather than taking ad_insights: it is unpartitioned and needs 120 days of
    history, while ad_insights holds the run's accounts over the scoring window. A fleet past the sample
    cap trains on a weekly sample of its accounts (sampling.py), and only those are read, while the sample
    is drawn (training_read.py). It still uses the run's one as_of (AccountRun) and the same cleaning as
    source.read.read_daily_insights."""
    engine = database.engine()
    run = AccountRun.from_context(context, database, config_ids=list_config_ids(engine))
    if is_past(run, database):
        # A backfill of the past may rewrite that day's results, never the fleet's current model (issue 10).
        context.log.info(f"classifier not trained: as_of {run.as_of} is in the past; the registry is kept")
        return run.result(status=f"not trained: as_of {run.as_of} is in the past")
    job_id = registry.start_training_job(engine, MODEL_TYPE, context.run_id)
    try:
        registry.update_training_job(engine, job_id, "RUNNING", 0.05)
        with run.timer("read"):
            # the sample's counting and the cleaning run beside the COPY (training_read.py)
            accounts, read = read_training_sample(engine, run.config_ids, run.as_of, TRAINING_LOOKBACK_DAYS)
            daily = read.daily
        registry.update_training_job(engine, job_id, "RUNNING", 0.25)
        with run.timer("compute"):
            campaigns = daily.select("config_id", "campaign_id").n_unique()
            dates = sampled_as_of_dates(classifier.training_as_of_dates(daily), campaigns)
            train_set = classifier.build_training_set(daily, dates)
            registry.update_training_job(engine, job_id, "RUNNING", 0.5)
            result = classifier.train_classifier(train_set)
        registry.update_training_job(engine, job_id, "RUNNING", 0.9)
        version = registry.unique_version(context.run_id)  # two trainings in one second: two files
        path = classifier.save_model(result.model, model_store.artifact_path(f"classifier-{version}.ubj"))
        model_id = registry.register_model(
            engine,
            name="campaign_tier_classifier",
            model_type=MODEL_TYPE,
            version=version,
            path=str(path),
            parameters=result.params,
            feature_columns=result.feature_columns,
            training_metrics=result.metrics.get("train", {}),
            validation_metrics={k: v for k, v in result.metrics.items() if k != "train"},
            samples_count=result.samples_count,
            data_start=result.data_start,
            data_end=result.data_end,
            activate=result.should_activate,
        )
        registry.update_training_job(engine, job_id, "COMPLETED", 1.0, model_id=model_id)
    except classifier.NotEnoughTrainingData as exc:
        # Too little history (a new deployment, a small fleet, a tier nobody is in): no model this time.
        # Classification goes on with the active model or the rules, so nothing downstream is skipped.
        registry.update_training_job(engine, job_id, "FAILED", 1.0, error=f"not enough data to train: {exc}")
        context.log.warning(f"classifier not trained: {exc}")
        return run.result(status=f"not trained: {exc}")
    except BaseException as exc:  # an interrupt (Ctrl-C, run termination) must not leave it RUNNING
        status = "FAILED" if isinstance(exc, Exception) else "CANCELLED"
        registry.update_training_job(engine, job_id, status, 1.0, error=f"{type(exc).__name__}: {exc}")
        raise
    model_f1, base_f1 = result.metrics["model"]["f1_macro"], result.metrics["baseline"]["f1_macro"]
    decision = "ACTIVE" if result.should_activate else "READY (rules stay in charge)"
    context.log.info(
        f"classifier {version}: held-out F1-macro {model_f1:.3f} vs persistence {base_f1:.3f} -> {decision}"
    )
    return run.result(
        version=version,
        status=decision,
        model_id=model_id,
        samples=result.samples_count,
        accounts_trained_on=len(accounts),
        accounts=len(run.config_ids),
        f1_macro_model=model_f1,
        f1_macro_persistence=base_f1,
        metrics=dg.MetadataValue.json(result.metrics),
        artifact=dg.MetadataValue.path(str(path)),
    )


def load_active_model(  # noqa: ANN201
    context: dg.AssetExecutionContext, database: DatabaseResource, record_use: bool = True
):
    """The active model, or None (rules) when there is none or its artifact cannot be loaded. A past
    as_of does not `record_use`: a backfill leaves the registry as it found it."""
    active = registry.active_model(database.engine(), MODEL_TYPE)
    if active is None:
        return None, "rules"
    try:
        model = classifier.load_model(active.path)
    except classifier.ModelArtifactError as exc:
        context.log.error(f"active classifier {active.version} unusable, falling back to rules: {exc}")
        return None, "rules"
    if record_use:
        registry.mark_used(database.engine(), active.id)
    return model, active.version


SNAPSHOT_METRICS = [
    "spend_7d",
    "leads_7d",
    "cpl_7d",
    "ctr_7d",
    "account_cpl_7d",
    "days_with_leads_7d",
    "cpl_ratio_7d",
    "frequency_7d",
]


def _snapshot_columns(wide: pl.DataFrame, classified: pl.DataFrame, version: str) -> pl.DataFrame:
    """metrics_snapshot: the rule's reason, the model's next-week prediction beside today's tier (null
    fields without a model) and the metrics used."""
    metrics = wide.select("config_id", "campaign_id", *SNAPSHOT_METRICS)
    predicted = pl.col("predicted_next_tier").is_not_null()
    return classified.join(metrics, on=["config_id", "campaign_id"], how="left").with_columns(
        metrics_snapshot=pl.struct(
            "method",
            "reason",
            "predicted_next_tier",
            "predicted_confidence",
            "probabilities",
            "p_fall",
            "likely_to_fall",
            pl.when(predicted).then(pl.lit(version)).alias("model_version"),
            *SNAPSHOT_METRICS,
        ).struct.json_encode(),
        feature_importances=pl.col("feature_contributions").struct.json_encode(),
    )


def _as_read(classified: pl.DataFrame) -> pl.DataFrame:
    """The rows just written, shaped as the recommendations would read them back (db.reader)."""
    return classifications_from_rows(
        classified.select(
            "config_id",
            "campaign_id",
            "tier",
            "confidence_score",
            pl.col("metrics_snapshot").alias("snapshot"),
        )
    )


@account_asset(
    group_name="classification",
    kinds={"xgboost", "sql"},
    deps=[classifier_model],  # the same folder: the model it classifies with
    # today's tiers go on to the recommendations of the same run (no read back from the table)
    io_manager_key=PASS_ALONG_IO_MANAGER,
    ins={"campaign_features": dg.AssetIn(input_manager_key=PASS_ALONG_IO_MANAGER)},
)
def campaign_classifications(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    ad_insights: pl.DataFrame,
    campaign_features: pl.DataFrame | None,
) -> dg.Output[pl.DataFrame | None]:
    """Writes ml_campaign_classifications: today's tier by the seed's rules, and, with an active model, its
    next-week prediction, probabilities and per-campaign contributions beside it (metrics_snapshot).

    `campaign_features` is the wide frame when campaign_features ran in this run, else None (the 06:00
    classification job): then the features are computed here from ad_insights, the same way."""
    run = AccountRun.from_context(context, database)
    if ad_insights.is_empty():
        return dg.Output(None, metadata=run.metadata(rows_read=0, rows_written=0))
    as_of = run.as_of
    model, version = load_active_model(context, database, record_use=not is_past(run, database))
    with run.timer("compute"):
        wide = compute_features_wide(ad_insights, as_of) if campaign_features is None else campaign_features
        classified = _snapshot_columns(wide, classifier.classify(wide, model), version)
    with run.writing():
        written = replace_classifications(database.engine(), classified, run.config_ids, as_of)
    tiers = dict(sorted(classified.group_by("tier").len().iter_rows()))
    methods = dict(sorted(classified.group_by("method").len().iter_rows()))
    falling = int(classified["likely_to_fall"].sum())
    context.log.info(f"campaign_classifications: {tiers} by {version} as of {as_of}")
    return dg.Output(
        _as_read(classified),
        metadata=run.metadata(
            model=version,
            rows_read=ad_insights.height,
            campaigns=wide.height,
            rows_written=written["written"],
            tier_changes=written["changed"],
            tier_distribution=dg.MetadataValue.json(tiers),
            classified_by=dg.MetadataValue.json(methods),
            likely_to_fall=falling,
            features_passed_along=campaign_features is not None,
        ),
    )
