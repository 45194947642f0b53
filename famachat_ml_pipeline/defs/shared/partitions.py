"""Every asset is partitioned by FamaChat ad account (`config_id`), kept in step by a sensor."""

from __future__ import annotations

import dagster as dg

config_partitions = dg.DynamicPartitionsDefinition(name="config_id")

# One run over many accounts is one vectorised pass (see design.md); past a machine's size, switch to
# BackfillPolicy.multi_run(max_partitions_per_run=N) and let the run queue spread the chunks.
backfill_policy = dg.BackfillPolicy.single_run()

AS_OF_TAG = "famachat/as_of"

# Every asset is in this pool, limited to one run at a time in dagster.yaml (`concurrency: pools:`,
# granularity run): unlike the `famachat/pipeline` job tag, it also covers the implicit asset job and
# backfills, i.e. any run that materialises any of our assets.
PIPELINE_POOL = "famachat_pipeline"


def account_asset(**kwargs: object):  # noqa: ANN201
    """@dg.asset partitioned by account, processed as one vectorised run over all partitions in it."""
    return dg.asset(
        partitions_def=config_partitions, backfill_policy=backfill_policy, pool=PIPELINE_POOL, **kwargs
    )
