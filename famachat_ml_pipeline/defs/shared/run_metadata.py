"""Where a ranged run's materialisation metadata goes.

A ranged run over 1,000 accounts writes one materialisation event per account and asset, and Dagster copies
an asset's MaterializeResult/Output metadata (and its IO manager's output metadata) onto each of them. The
run-wide figures (counts, seconds per stage, where the frame went, ...) are true of the run, not of one
account, and copying them cost 25.9 MB of event rows per run. So every partition's event carries only
`as_of`, `run_partitions` and `run_figures_on` (the partition key whose event holds the figures), and the
figures go once, onto the event Dagster stores last, which the UI shows as the asset's latest
materialisation. That is not the run's last key: Dagster 1.13 writes a step's events in the order of its
output's partitions subset, a Python set, so in string-hash order, which changes from process to process
(`event_order` builds the same set). A one-partition run (and an unpartitioned asset) keeps everything on
its one event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dagster as dg

RUN_PARTITIONS = "run_partitions"
RUN_FIGURES_ON = "run_figures_on"


def event_order(partitions_def: dg.PartitionsDefinition, keys: Sequence[str]) -> list[str]:
    """The order in which Dagster writes the materialisation events of a step over `keys`: that of the
    output's partitions subset, built as dagster/_core/execution/context/output.py builds it (an empty
    subset with the range's keys), so the same set with the same iteration order in this process. An
    IO manager gets that list itself, as OutputContext.asset_partition_keys."""
    return list(partitions_def.empty_subset().with_partition_keys(keys).get_partition_keys())


def figures_partition(events_in_order: Sequence[str]) -> str | None:
    """The partition whose event carries the run-wide figures: the one Dagster stores last (give the keys
    in event_order). None when the run has at most one event per asset, which then carries everything."""
    return events_in_order[-1] if len(events_in_order) > 1 else None


def partition_metadata(as_of: dt.date, partitions: int, figures_on: str) -> dict[str, object]:
    """What every partition's event says: the day, and where the run's figures are."""
    return {"as_of": as_of.isoformat(), RUN_PARTITIONS: partitions, RUN_FIGURES_ON: figures_on}
