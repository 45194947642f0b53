"""MAX_PARTITIONS_PER_RUN: one ranged run per chunk, and the assets' backfill policy follows the setting."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import dagster as dg

from famachat_ml_pipeline.defs.shared.partitions import (
    build_backfill_policy,
    chunks,
    ranged_run_requests,
)


def _ranges(requests: list[dg.RunRequest]) -> list[tuple[str, str]]:
    return [
        (r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"])
        for r in requests
    ]


def test_chunks_cut_in_order_and_keep_every_key() -> None:
    keys = [str(k) for k in range(7)]
    assert chunks(keys, 3) == [["0", "1", "2"], ["3", "4", "5"], ["6"]]
    assert chunks(keys, None) == [keys]
    assert chunks([], 3) == []


def test_ranged_run_requests_one_per_chunk_with_distinct_run_keys() -> None:
    keys = ["10", "11", "12", "13", "14"]
    requests = ranged_run_requests(keys, run_key_prefix="data", tags={"x": "y"}, max_partitions_per_run=2)
    assert _ranges(requests) == [("10", "11"), ("12", "13"), ("14", "14")]
    assert [r.run_key for r in requests] == ["data:10..11", "data:12..13", "data:14..14"]
    assert all(r.tags["x"] == "y" for r in requests)
    (single,) = ranged_run_requests(keys, max_partitions_per_run=None)
    assert _ranges([single]) == [("10", "14")] and single.run_key is None


def test_backfill_policy_follows_the_setting() -> None:
    assert build_backfill_policy(None).max_partitions_per_run is None
    assert build_backfill_policy(25).max_partitions_per_run == 25


_PROBE = """
import json, dagster as dg
from famachat_ml_pipeline.definitions import defs
policies = {a.node_def.name: a.backfill_policy.max_partitions_per_run
            for a in defs.resolve_asset_graph().assets_defs if a.partitions_def}
with dg.instance_for_test() as instance:
    instance.add_dynamic_partitions("config_id", ["1", "2", "3", "4", "5"])
    schedule = defs.get_schedule_def("daily_ml_pipeline")
    ticks = schedule.evaluate_tick(dg.build_schedule_context(instance=instance))
    ranges = [(r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"])
              for r in ticks.run_requests]
print(json.dumps({"policies": policies, "ranges": ranges}))
"""


def test_the_setting_switches_assets_to_multi_run_and_schedules_to_chunks() -> None:
    env = {**os.environ, "MAX_PARTITIONS_PER_RUN": "2"}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True, timeout=240
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["policies"] and set(result["policies"].values()) == {2}
    assert [tuple(r) for r in result["ranges"]] == [("1", "2"), ("3", "4"), ("5", "5")]
