"""Classification in the graph: registry gating, one active model, artifact failures, tier history."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import sqlalchemy as sa
import xgboost as xgb

from famachat_ml_pipeline.core import classifier
from famachat_ml_pipeline.db import registry, schema
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.defs.shared.partitions import config_partitions
from famachat_ml_pipeline.defs.shared.schedules import ranged_run_tags
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline.source.tables import insights_table
from famachat_ml_pipeline_tests.conftest import ON_POSTGRES

D0 = dt.date(2026, 1, 1)
ASSET_RECS = "campaign_recommendations"


def _register(url: str, version: str, activate: bool, path: str = "/nowhere.ubj") -> int:
    return registry.register_model(
        get_engine(url),
        name="m",
        model_type="CAMPAIGN_CLASSIFIER",
        version=version,
        path=path,
        parameters={},
        feature_columns=[],
        training_metrics={},
        validation_metrics={},
        samples_count=1,
        data_start=D0,
        data_end=D0,
        activate=activate,
    )


def _models(url: str) -> list[tuple]:
    m = schema.ml_trained_models
    with get_engine(url).connect() as conn:
        return [
            tuple(r) for r in conn.execute(sa.select(m.c.version, m.c.status, m.c.is_active).order_by(m.c.id))
        ]


def test_at_most_one_active_model_and_a_ready_model_hands_back_to_rules(migrated_url: str) -> None:
    engine = get_engine(migrated_url)
    _register(migrated_url, "v1", activate=True)
    assert registry.active_model(engine, "CAMPAIGN_CLASSIFIER").version == "v1"
    _register(migrated_url, "v2", activate=False)  # no longer beats persistence: the rules take over
    assert registry.active_model(engine, "CAMPAIGN_CLASSIFIER") is None
    _register(migrated_url, "v3", activate=True)
    assert _models(migrated_url) == [
        ("v1", "DEPRECATED", False),
        ("v2", "READY", False),
        ("v3", "ACTIVE", True),
    ]


def _classifications(engine: sa.Engine) -> pl.DataFrame:
    t = schema.ml_campaign_classifications
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                t.c.campaign_id,
                t.c.tier,
                t.c.previous_tier,
                t.c.tier_change_direction,
                t.c.classified_at,
                t.c.metrics_snapshot,
            )
        ).fetchall()
    return pl.DataFrame(
        [
            (r[0], r[1], r[2], r[3], r[4], (r[5] if isinstance(r[5], dict) else json.loads(r[5]))["method"])
            for r in rows
        ],
        schema=["campaign_id", "tier", "previous_tier", "direction", "at", "method"],
        orient="row",
    )


@ON_POSTGRES
def test_tier_history_and_model_fallback(settings: Settings) -> None:
    data = generate_demo(n_accounts=3, days=90, seed=4)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    day1, day2 = data.end_date - dt.timedelta(days=1), data.end_date
    retrain(settings)
    assert run_pipeline(settings, as_of=day1, echo=lambda _: None)[0].success
    jobs = schema.ml_training_jobs
    with engine.connect() as conn:
        (status, progress, model_id) = conn.execute(
            sa.select(jobs.c.status, jobs.c.progress, jobs.c.model_id)
        ).one()
    assert (status, progress) == ("COMPLETED", 1.0) and model_id is not None

    # The active model's artifact gets corrupted: classification logs it and falls back to the rules.
    active = registry.active_model(engine, "CAMPAIGN_CLASSIFIER")
    if active is None:  # the gate kept the model out: make one active to corrupt
        _register(
            settings.database_url, "vX", activate=True, path=str(Path(settings.models_storage_path) / "x.ubj")
        )
        active = registry.active_model(engine, "CAMPAIGN_CLASSIFIER")
    Path(active.path).parent.mkdir(parents=True, exist_ok=True)
    Path(active.path).write_bytes(b"not a model")

    job = defs.resolve_job_def("ml_pipeline")
    only_classify = job.get_subset(
        asset_selection={dg_key("ad_insights"), dg_key("campaign_classifications")}
    )
    result = only_classify.execute_in_process(
        instance=get_instance(settings),
        tags={**ranged_run_tags("1", "3"), "famachat/as_of": day2.isoformat()},
    )
    assert result.success
    rows = _classifications(engine)
    second = rows.filter(pl.col("at") == dt.datetime.combine(day2, dt.time()))
    assert second.height > 0 and set(second["method"]) == {"rules"}

    # previous_tier is the campaign's day-1 tier; day-1 rows stay as history; a re-run does not duplicate
    first = rows.filter(pl.col("at") == dt.datetime.combine(day1, dt.time()))
    joined = second.join(first.select("campaign_id", pl.col("tier").alias("tier1")), on="campaign_id")
    assert joined.height > 0 and (joined["previous_tier"] == joined["tier1"]).all()
    same = joined.filter(pl.col("tier") == pl.col("tier1"))
    assert (same["direction"] == "SAME").all()
    assert run_pipeline(settings, as_of=day2, echo=lambda _: None)[0].success
    again = _classifications(engine)
    assert again.group_by("campaign_id", "at").len()["len"].max() == 1
    assert again.filter(pl.col("at") == dt.datetime.combine(day1, dt.time())).height == first.height


def dg_key(name: str):  # noqa: ANN201
    import dagster as dg

    return dg.AssetKey(name)


@ON_POSTGRES
def test_too_little_history_to_train_still_classifies_and_recommends(settings: Settings) -> None:
    data = generate_demo(n_accounts=1, days=40, seed=4)
    write_demo(get_engine(settings.database_url), data)
    with get_engine(settings.database_url).begin() as conn:  # FamaChat synced this account 10 days ago
        conn.execute(
            insights_table.delete().where(insights_table.c.date_start < data.end_date - dt.timedelta(days=9))
        )
    training, run = run_pipeline(settings, as_of=data.end_date, echo=lambda _: None, train_if_no_model=True)
    assert training.success and training.accounts == 0 and run.success
    engine = get_engine(settings.database_url)
    jobs = schema.ml_training_jobs
    with engine.connect() as conn:
        (status, error) = conn.execute(sa.select(jobs.c.status, jobs.c.error_message)).one()
        classified = conn.execute(
            sa.select(sa.func.count()).select_from(schema.ml_campaign_classifications)
        ).scalar_one()
    assert status == "FAILED" and "not enough data" in error
    assert classified > 0  # by the rules


def retrain(settings: Settings) -> None:
    """The 05:00 retraining job, executed here."""
    from famachat_ml_pipeline.db.engine import migrate
    from famachat_ml_pipeline.definitions import defs

    migrate(settings.database_url)
    from famachat_ml_pipeline.instance import get_instance

    assert (
        defs.resolve_job_def("model_retraining").execute_in_process(instance=get_instance(settings)).success
    )


def _registry_rows(engine: sa.Engine) -> tuple[list[tuple], int]:
    m, jobs = schema.ml_trained_models, schema.ml_training_jobs
    with engine.connect() as conn:
        models = [
            tuple(r) for r in conn.execute(sa.select(m.c.id, m.c.status, m.c.is_active, m.c.last_used_at))
        ]
        return models, conn.execute(sa.select(sa.func.count()).select_from(jobs)).scalar_one()


@ON_POSTGRES
def test_manual_and_past_runs_never_touch_the_registry(settings: Settings) -> None:
    """Issue 10 defect 2, the registry half: a run for some accounts, a past --as-of and the retraining
    job over a past day neither train, register, activate, retire nor mark a model used."""
    from famachat_ml_pipeline.definitions import defs
    from famachat_ml_pipeline.instance import get_instance

    data = generate_demo(n_accounts=2, days=60, seed=4)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    (run,) = run_pipeline(settings, config_ids=[1], echo=lambda _: None, train_if_no_model=True)
    assert run.success and _registry_rows(engine) == ([], 0)  # some accounts: never trains

    _register(settings.database_url, "v1", activate=True)
    before = _registry_rows(engine)
    past = data.end_date - dt.timedelta(days=10)
    runs = run_pipeline(settings, as_of=past, echo=lambda _: None, train_if_no_model=True)
    assert [r.accounts for r in runs] == [2] and runs[0].success
    retraining = defs.resolve_job_def("model_retraining").execute_in_process(
        instance=get_instance(settings), tags={"famachat/as_of": past.isoformat()}
    )
    assert retraining.success
    assert _registry_rows(engine) == before  # same models, statuses, last use; no training job row


def _optimistic_model(path: Path) -> str:
    """A real 4-class XGBoost model on FEATURE_COLUMNS that calls nearly everything MODERATE next week: the
    kind of forecast that, when it overrode the rules, stored zero-lead spenders as MODERATE."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, len(classifier.FEATURE_COLUMNS))).astype(np.float32)
    y = np.r_[[0, 1, 2, 3], np.ones(196, dtype=int)]
    model = xgb.XGBClassifier(**{**classifier.XGB_PARAMS, "n_estimators": 5}).fit(x, y)
    return str(classifier.save_model(model, path))


@ON_POSTGRES
def test_active_model_never_overrides_the_zero_leads_rule(settings: Settings) -> None:
    data = generate_demo(n_accounts=1, days=60, seed=4, dirty=False)
    spender = "120200000040000001"  # ACTIVE with a campaign daily budget: its tracking breaks for 7 days
    week = pl.col("date_start") > data.end_date - dt.timedelta(days=7)
    insights = data.insights.with_columns(
        leads=pl.when(week & (pl.col("campaign_id") == spender)).then(0).otherwise(pl.col("leads")),
        actions=pl.lit(None, dtype=pl.String),
    )
    data = type(data)(data.campaigns, insights, data.incidents, data.end_date)
    assert data.campaigns.filter(pl.col("campaign_id") == spender)["status"].item() == "ACTIVE"
    migrate(settings.database_url)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    path = _optimistic_model(Path(settings.models_storage_path) / "optimistic.ubj")
    _register(settings.database_url, "vOPT", activate=True, path=path)

    job = defs.resolve_job_def("ml_pipeline").get_subset(
        asset_selection={dg_key(k) for k in ("ad_insights", "campaign_classifications", ASSET_RECS)}
    )
    instance = get_instance(settings)
    instance.add_dynamic_partitions(config_partitions.name, ["1"])
    tags = {**ranged_run_tags("1", "1"), "famachat/as_of": data.end_date.isoformat()}
    assert job.execute_in_process(instance=instance, tags=tags).success

    t = schema.ml_campaign_classifications
    with engine.connect() as conn:
        tier, snap = conn.execute(
            sa.select(t.c.tier, t.c.metrics_snapshot).where(t.c.campaign_id == spender)
        ).one()
        recs = {
            r[0]
            for r in conn.execute(
                sa.select(schema.ml_recommendations.c.recommendation_type).where(
                    schema.ml_recommendations.c.entity_id == spender
                )
            )
        }
    snap = snap if isinstance(snap, dict) else json.loads(snap)
    # the model's forecast sits beside the rule tier; it does not replace it
    predicted = (snap["predicted_next_tier"], snap["model_version"], snap["method"])
    assert predicted == ("MODERATE", "vOPT", "rules+model")
    assert snap["leads_7d"] == 0 and snap["spend_7d"] > 0
    assert tier == "UNDERPERFORMER"
    assert "PAUSE_CAMPAIGN" in recs
