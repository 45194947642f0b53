"""Compute once, pass along: the daily graph with the pass-along gives the same ml_* rows as the plain path
(each asset recomputing the features and reading tiers and forecasts back from the tables), and a run of
only some assets (the 06:00 and 07:00 jobs) takes the plain path by itself."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import numpy as np
import polars as pl
import pytest
import sqlalchemy as sa
import xgboost as xgb

from famachat_ml_pipeline.core import classifier
from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.db import registry, schema
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.defs.shared.io_managers import (
    PASS_ALONG_IO_MANAGER,
    DailyFrameIOManager,
    PassAlongIOManager,
)
from famachat_ml_pipeline.defs.shared.partitions import AS_OF_TAG, config_partitions
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource
from famachat_ml_pipeline.defs.shared.schedules import ranged_run_tags
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline_tests.conftest import create_pg_database, drop_pg_database, instance_for_test

ACCOUNTS = ["1", "2", "3"]
RESULT_TABLES = [
    schema.ml_features,
    schema.ml_campaign_classifications,
    schema.ml_anomalies,
    schema.ml_forecasts,
    schema.ml_predictions,
    schema.ml_recommendations,
]
# Row ids, and the wall-clock columns (when a row was written, not what it says about as_of).
IGNORED = {"id", "created_at", "detected_at", "expires_at"}
MODEL_VERSION = "vTEST"


def _rows(engine: sa.Engine, table: sa.Table) -> pl.DataFrame:
    cols = [c for c in table.columns if c.name not in IGNORED]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*cols)).fetchall()
    # JSON columns as text with sorted keys, so a dict read back compares by value
    data = [
        tuple(json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v for v in r) for r in rows
    ]
    frame = pl.DataFrame(data, schema=[c.name for c in cols], orient="row", infer_schema_length=None)
    return frame.sort(pl.all())


def _run(
    instance: dg.DagsterInstance, url: str, frames: Path, as_of: str, enabled: bool, assets: set[str]
) -> dict[str, dict]:
    """One ranged run over ACCOUNTS of `assets` (by key); returns each asset's materialisation metadata."""
    job = defs.resolve_job_def("ml_pipeline").get_subset(asset_selection={dg.AssetKey(a) for a in assets})
    result = job.execute_in_process(
        instance=instance,
        tags={**ranged_run_tags(ACCOUNTS[0], ACCOUNTS[-1]), AS_OF_TAG: as_of},
        resources={
            "database": DatabaseResource(url=url, default_timezone=DEFAULT_TIMEZONE),
            "daily_frame_io_manager": DailyFrameIOManager(base_dir=str(frames)),
            PASS_ALONG_IO_MANAGER: PassAlongIOManager(base_dir=str(frames), enabled=enabled),
        },
    )
    assert result.success
    return {
        e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }


def _active_model(url: str, path: Path) -> None:
    """A real 4-class XGBoost model on FEATURE_COLUMNS, registered ACTIVE: tiers get probabilities."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(classifier.FEATURE_COLUMNS))).astype(np.float32)
    y = (x[:, 0] > 0).astype(int) + 2 * (x[:, 1] > 0).astype(int)  # all four classes, from the inputs
    model = xgb.XGBClassifier(**{**classifier.XGB_PARAMS, "n_estimators": 5}).fit(x, y)
    registry.register_model(
        get_engine(url),
        name="m",
        model_type="CAMPAIGN_CLASSIFIER",
        version=MODEL_VERSION,
        path=str(classifier.save_model(model, path)),
        parameters={},
        feature_columns=list(classifier.FEATURE_COLUMNS),
        training_metrics={},
        validation_metrics={},
        samples_count=400,
        data_start=dt.date(2026, 1, 1),
        data_end=dt.date(2026, 1, 1),
        activate=True,
    )


@pytest.fixture(
    params=[
        ("sqlite", False),
        ("sqlite", True),
        pytest.param(("postgres", True), marks=pytest.mark.postgres),
    ],
    ids=["sqlite-rules", "sqlite-model", "postgres-model"],
)
def twin_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, str, str]]:
    """Two databases holding the same demo accounts (and the same active model, in the model cases), the
    as_of, and the classifier the run should use."""
    kind, with_model = request.param
    data = generate_demo(n_accounts=len(ACCOUNTS), days=90, seed=7)
    if kind == "sqlite":
        urls = [f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db")]
    else:
        urls = [create_pg_database(), create_pg_database()]
    try:
        for url in urls:
            migrate(url)
            write_demo(get_engine(url), data)
            if with_model:
                _active_model(url, tmp_path / "model.ubj")
        yield urls[0], urls[1], data.end_date.isoformat(), MODEL_VERSION if with_model else "rules"
    finally:
        if kind == "postgres":
            for url in urls:
                drop_pg_database(url)


def _job_assets(job: str) -> set[str]:
    return {k.to_user_string() for k in defs.resolve_job_def(job).asset_layer.selected_asset_keys}


def test_pass_along_gives_the_plain_paths_rows(
    twin_databases: tuple[str, str, str, str], tmp_path: Path
) -> None:
    passed_url, plain_url, as_of, classifier_used = twin_databases
    daily = _job_assets("ml_pipeline")
    with instance_for_test() as instance:
        instance.add_dynamic_partitions(config_partitions.name, ACCOUNTS)
        passed = _run(instance, passed_url, tmp_path / "f1", as_of, True, daily)
        plain = _run(instance, plain_url, tmp_path / "f2", as_of, False, daily)
    # each path really was taken
    assert passed["campaign_recommendations"]["passed_along"] == {
        "features": True,
        "classifications": True,
        "forecasts": True,
    }
    assert passed["campaign_classifications"]["features_passed_along"] is True
    assert not any(plain["campaign_recommendations"]["passed_along"].values())
    assert plain["campaign_classifications"]["features_passed_along"] is False
    assert passed["campaign_recommendations"]["recommendations"] > 0
    assert passed["campaign_classifications"]["model"] == plain["campaign_classifications"]["model"]
    assert passed["campaign_classifications"]["model"] == classifier_used
    for table in RESULT_TABLES:
        a, b = _rows(get_engine(passed_url), table), _rows(get_engine(plain_url), table)
        assert a.height > 0, table.name
        assert a.equals(b), table.name


@pytest.mark.parametrize("twin_databases", [("sqlite", True)], indirect=True, ids=["sqlite-model"])
def test_a_run_without_the_producers_takes_the_plain_path(
    twin_databases: tuple[str, str, str, str], tmp_path: Path
) -> None:
    """The 07:00 job (ad_insights + campaign_recommendations) after a daily run: the tiers and forecasts
    come from the tables, the features are computed in the step, and the rows equal the daily run's."""
    url, _, as_of, _ = twin_databases
    daily = {k.to_user_string() for k in defs.resolve_job_def("ml_pipeline").asset_layer.selected_asset_keys}
    seven = {
        k.to_user_string()
        for k in defs.resolve_job_def("daily_recommendations").asset_layer.selected_asset_keys
    }
    six = {
        k.to_user_string()
        for k in defs.resolve_job_def("daily_classification").asset_layer.selected_asset_keys
    }
    engine = get_engine(url)
    with instance_for_test() as instance:
        instance.add_dynamic_partitions(config_partitions.name, ACCOUNTS)
        _run(instance, url, tmp_path / "f", as_of, True, daily)
        before = {t.name: _rows(engine, t) for t in RESULT_TABLES}
        tiers = _run(instance, url, tmp_path / "f", as_of, True, six)
        recs = _run(instance, url, tmp_path / "f", as_of, True, seven)
    assert tiers["campaign_classifications"]["features_passed_along"] is False
    assert not any(recs["campaign_recommendations"]["passed_along"].values())
    for table in RESULT_TABLES:
        assert _rows(engine, table).equals(before[table.name]), table.name
