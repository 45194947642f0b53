"""Every asset is partitioned by FamaChat ad account (`config_id`), kept in step by a sensor.

One run over many accounts is one vectorised pass (see design.md). Past one machine, MAX_PARTITIONS_PER_RUN
switches the assets to `BackfillPolicy.multi_run` and makes schedules and sensors request one ranged run
per chunk, so the run queue (K8sRunLauncher in deploy/) spreads the chunks over pods.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import dagster as dg

from famachat_ml_pipeline.defs.shared.interrupts import interrupts_win

config_partitions = dg.DynamicPartitionsDefinition(name="config_id")

AS_OF_TAG = "famachat/as_of"
# The run's accounts whose every source row was set aside as malformed (comma-separated config_ids), pinned
# by ad_insights: the later assets of the run write nothing for them (defs/shared/account_run.py).
RESULTS_KEPT_TAG = "famachat/results_kept"

# Every asset is in this pool, limited to one run at a time in dagster.yaml (`concurrency: pools:`,
# granularity run): unlike the `famachat/pipeline` job tag, it also covers the implicit asset job and
# backfills, i.e. any run that materialises any of our assets.
PIPELINE_POOL = "famachat_pipeline"


def build_backfill_policy(max_partitions_per_run: int | None) -> dg.BackfillPolicy:
    if max_partitions_per_run:
        return dg.BackfillPolicy.multi_run(max_partitions_per_run=max_partitions_per_run)
    return dg.BackfillPolicy.single_run()


def _setting(name: str) -> int | None:
    # validated by Settings and exported before the definitions load (settings.resource_environment)
    value = os.environ.get(name, "")
    return int(value) if value else None


MAX_PARTITIONS_PER_RUN: int | None = _setting("MAX_PARTITIONS_PER_RUN")
backfill_policy = build_backfill_policy(MAX_PARTITIONS_PER_RUN)


def account_asset(**kwargs: object):  # noqa: ANN201
    """@dg.asset partitioned by account, processed as one vectorised run over all partitions in it; an
    interrupt stays an interrupt (interrupts.py), so a run stopped by a rollout is re-run."""
    decorate = dg.asset(
        partitions_def=config_partitions, backfill_policy=backfill_policy, pool=PIPELINE_POOL, **kwargs
    )
    return lambda fn: decorate(interrupts_win(fn))


def sensor_interval(seconds: int) -> int:
    """A sensor's minimum interval, unless SENSOR_INTERVAL_SECONDS shortens them all (e2e test, demos)."""
    return _setting("SENSOR_INTERVAL_SECONDS") or seconds


def ranged_run_tags(first: str, last: str) -> dict[str, str]:
    return {
        "dagster/asset_partition_range_start": first,
        "dagster/asset_partition_range_end": last,
    }


def chunks(keys: Sequence[str], size: int | None) -> list[list[str]]:
    """`keys` in order, cut into pieces of at most `size` (one piece when size is None)."""
    if not keys:
        return []
    if not size:
        return [list(keys)]
    return [list(keys[i : i + size]) for i in range(0, len(keys), size)]


def ranged_run_requests(
    keys: Sequence[str],
    *,
    run_key_prefix: str | None = None,
    tags: Mapping[str, str] | None = None,
    max_partitions_per_run: int | None = MAX_PARTITIONS_PER_RUN,
) -> list[dg.RunRequest]:
    """Ranged runs covering `keys`, a contiguous stretch of the instance's partition order: one run, or
    one per chunk of `max_partitions_per_run` when that is set. With a prefix, each run key names its
    range, so a sensor never requests the same chunk twice in one tick."""
    return [
        dg.RunRequest(
            run_key=f"{run_key_prefix}:{chunk[0]}..{chunk[-1]}" if run_key_prefix else None,
            tags={**(tags or {}), **ranged_run_tags(chunk[0], chunk[-1])},
        )
        for chunk in chunks(keys, max_partitions_per_run)
    ]
