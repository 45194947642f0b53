"""One run at a time also for the implicit asset job and backfills: every asset is in one concurrency
pool, and the instance (from the repo's dagster.yaml) limits that pool to one run."""

from __future__ import annotations

from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.defs.shared.partitions import PIPELINE_POOL
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.settings import Settings


def test_every_asset_of_the_implicit_job_is_in_the_pipeline_pool() -> None:
    job = defs.resolve_implicit_global_asset_job_def()
    pools = {node.name: node.definition.pool for node in job.graph.node_dict.values()}
    assert len(pools) >= 8
    assert set(pools.values()) == {PIPELINE_POOL}, pools


def test_the_instance_limits_the_pool_to_one_run(settings: Settings) -> None:
    config = get_instance(settings).get_concurrency_config()
    assert config.pool_config.default_pool_limit == 1
    assert config.pool_config.pool_granularity.value == "run"
    tags = config.run_queue_config.tag_concurrency_limits
    assert {"key": "famachat/pipeline", "limit": 1} in tags
