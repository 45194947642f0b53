"""An interrupt during training (Ctrl-C, a run terminated) is a BaseException, not an Exception: the
training job must still end CANCELLED, never stay RUNNING."""

from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.core import classifier
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.defs.classification.assets import classifier_model
from famachat_ml_pipeline.defs.shared.partitions import AS_OF_TAG
from famachat_ml_pipeline.defs.shared.resources import ModelStore
from famachat_ml_pipeline_tests.defs.conftest import DemoAccounts


def test_an_interrupted_training_is_cancelled(
    demo_accounts: DemoAccounts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = demo_accounts

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(classifier, "build_training_set", interrupted)
    context = dg.build_asset_context(instance=d.instance, run_tags={AS_OF_TAG: d.as_of.isoformat()})
    with pytest.raises(KeyboardInterrupt):
        classifier_model(context, database=d.database, model_store=ModelStore(path=str(tmp_path)))
    j = schema.ml_training_jobs
    with d.engine.connect() as conn:
        [(status, completed)] = conn.execute(sa.select(j.c.status, j.c.completed_at)).fetchall()
    assert str(status) == "CANCELLED" and completed is not None
