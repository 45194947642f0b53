"""A run launched without our jobs' tags (the UI's implicit asset job: a materialisation, a backfill) is
still re-run from its first step after a crash: its frames lived in its process, so Dagster's default
re-execution "from failure" would have nothing to load. The strategy is read by Dagster's own run-retry
daemon code from the run as stored."""

from __future__ import annotations

import dagster as dg
from dagster._core.execution.plan.resume_retry import ReexecutionStrategy
from dagster._daemon.auto_run_reexecution.auto_run_reexecution import (
    DEFAULT_REEXECUTION_POLICY,
    get_reexecution_strategy,
)

from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.defs.shared.schedules import JOB_TAGS, ranged_run_tags
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.settings import Settings

RETRY_STRATEGY_TAG = "dagster/retry_strategy"  # what the run-retry daemon reads
UPSTREAM = {dg.AssetKey("ad_insights"), dg.AssetKey("campaign_features")}


def test_a_run_without_our_job_tags_is_retried_from_its_first_step(settings: Settings) -> None:
    migrate(settings.database_url)
    data = generate_demo(n_accounts=2, days=40, seed=9)
    write_demo(get_engine(settings.database_url), data)
    instance = get_instance(settings)
    instance.add_dynamic_partitions("config_id", ["1", "2"])
    # what the UI launches for "Materialize" over a partition range: the implicit asset job, no job tags
    job = defs.resolve_implicit_global_asset_job_def().get_subset(asset_selection=UPSTREAM)
    assert RETRY_STRATEGY_TAG not in job.tags
    result = job.execute_in_process(instance=instance, tags=ranged_run_tags("1", "2"))
    assert result.success
    stored = instance.get_run_by_id(result.run_id)
    assert stored is not None
    assert get_reexecution_strategy(stored, instance) == ReexecutionStrategy.ALL_STEPS
    assert DEFAULT_REEXECUTION_POLICY == ReexecutionStrategy.FROM_FAILURE  # what it would be otherwise
    assert stored.tags[RETRY_STRATEGY_TAG] == JOB_TAGS[RETRY_STRATEGY_TAG]  # the same as our jobs'
