"""Run-scoped frames handed between the assets of one run, as one Parquet file per asset.

`<base>/runs/<run id>/<asset key>.parquet`: a run only ever reads what its own steps wrote (a concurrent
backfill of another day cannot swap it), and the whole run folder goes when the run ends
(`remove_run_frames`). A step writes every account of its run in one file and a reader filters on its own
accounts: a file per account cost a write, a listing and a read per account.

Two managers share the layout:
- `DailyFrameIOManager` ("frames"): the cleaned daily frame from `ad_insights`; its readers cannot work
  without it, so a frame missing from the run is an error.
- `PassAlongIOManager` ("pass_along_io_manager"): a result computed once (the wide features, today's
  tiers, the forecasts) for the later assets of the run. A consumer whose producer was not in its run (the
  06:00 and 07:00 jobs, a UI selection) gets None and takes the plain path: it computes the frame itself or
  reads the rows from the database. `enabled=False` sends every consumer down that path, which is how the
  tests show both give the same ml_* rows.

A run whose steps all execute in one process (the in-process executor: every job of this code location)
hands its frames over in memory, as Dagster's mem_io_manager does, and writes nothing: the Parquet
round trip cost about a second per frame at 1,000 accounts. Frames go to the base only when steps are
separate processes.

So a run that dies (kill -9, out of memory) leaves nothing a re-run "from failure" (Dagster's default
after a crash) could load: the first frame a run hands over pins `dagster/retry_strategy: ALL_STEPS` on it,
so the daemon's one re-run (dagster.yaml `run_retries`) starts from the first step, whoever launched the
run (a schedule or sensor, whose jobs carry the tag already, or the UI: a materialisation, a backfill).

The base is a local folder on one machine, or an object-storage URL (`s3://bucket/prefix`) when a run's
steps land on different pods. polars reads and writes both; listing and deleting go through obstore (the
same Rust object_store crate polars uses). On S3 both take their credentials, region and endpoint from
the usual `AWS_*` variables (`AWS_ALLOW_HTTP=true` for a plain-http endpoint).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import obstore
import polars as pl
from obstore.store import LocalStore, ObjectStore, from_url

from famachat_ml_pipeline.core.frames import DAILY_SCHEMA
from famachat_ml_pipeline.defs.shared.run_metadata import figures_partition

RUNS_PREFIX = "runs"
PASS_ALONG_IO_MANAGER = "pass_along_io_manager"
IN_MEMORY = "in memory (one-process run)"

# Dagster's tag for how the run_retries daemon re-executes a failed run (default: FROM_FAILURE)
RETRY_STRATEGY_TAG = "dagster/retry_strategy"
RETRY_FROM_FIRST_STEP = {RETRY_STRATEGY_TAG: "ALL_STEPS"}

# run id -> storage key -> frame, for runs whose steps share this process; gone with the run
_in_memory: dict[str, dict[str, pl.DataFrame | None]] = {}


def is_object_storage(base: str) -> bool:
    return "://" in base


def frame_store(base: str) -> ObjectStore:
    """The store rooted at `base`: S3 (or any URL obstore knows) or a local folder."""
    if is_object_storage(base):
        return from_url(base)
    # automatic_cleanup: deleting a run's files also removes its now empty folders
    return LocalStore(Path(base).resolve(), mkdir=True, automatic_cleanup=True)


def location(base: str, key: str) -> str:
    """What polars is given for `key` under `base` (a URL stays a URL; pathlib would fold `s3://`)."""
    return f"{base.rstrip('/')}/{key}" if is_object_storage(base) else str(Path(base) / key)


def run_frames_key(run_id: str) -> str:
    return f"{RUNS_PREFIX}/{run_id}"


def _delete_under(store: ObjectStore, key: str) -> None:
    paths = [meta["path"] for batch in obstore.list(store, prefix=f"{key}/") for meta in batch]
    if paths:
        obstore.delete(store, paths)  # S3: bulk DeleteObjects, 1,000 keys a request


def _exists(store: ObjectStore, key: str) -> bool:
    try:
        obstore.head(store, key)
    except FileNotFoundError:
        return False
    return True


def remove_run_frames(base_dir: str, run_id: str) -> None:
    """Delete everything one run handed between its assets (called when the run ends, either way)."""
    _in_memory.pop(run_id, None)
    if is_object_storage(base_dir) or Path(base_dir).exists():
        _delete_under(frame_store(base_dir), run_frames_key(run_id))


def runs_with_frames(base_dir: str) -> list[str]:
    if not (is_object_storage(base_dir) or Path(base_dir).exists()):
        return []
    prefixes = obstore.list_with_delimiter(frame_store(base_dir), prefix=f"{RUNS_PREFIX}/")["common_prefixes"]
    return sorted(p.rstrip("/").rsplit("/", 1)[-1] for p in prefixes)


def remove_frames_except(base_dir: str, keep_run_ids: Iterable[str]) -> list[str]:
    """Remove the frames of every run not in `keep_run_ids` (runs still in progress); returns them."""
    keep = set(keep_run_ids)
    gone = [r for r in runs_with_frames(base_dir) if r not in keep]
    for run_id in gone:
        remove_run_frames(base_dir, run_id)
    return gone


class FrameFromAnotherRun(dg.Failure):
    pass


def _one_process(context: dg.OutputContext) -> bool:
    """Whether every step of this run executes in this process, so the readers find the frame here."""
    return context.step_context.job_def.executor_def is dg.in_process_executor


def add_frames_metadata(context: dg.OutputContext, where: str | dg.MetadataValue) -> None:
    """Where the frame went, as `frames` metadata, by the assets' rule (defs/shared/run_metadata.py): on
    the event Dagster stores last when the run has several partitions, else on its one event. Output
    metadata would be copied onto every partition's event."""
    # the keys in the order of the step's events (this very list is what Dagster iterates)
    keys = context.asset_partition_keys if context.has_asset_partitions else []
    figures_on = figures_partition(keys)
    if figures_on is None:
        context.add_output_metadata({"frames": where})
    else:
        # OutputContext has no add_asset_metadata; the step's is the one AssetExecutionContext calls
        context.step_context.add_asset_metadata(
            {"frames": where}, asset_key=context.asset_key, partition_key=figures_on
        )


def retry_from_first_step(context: dg.OutputContext) -> None:
    """Pin RETRY_FROM_FIRST_STEP on the run unless it was launched with it (the daemon reads the failed
    run's tags as stored when it re-runs it, and the re-run inherits them)."""
    run = context.step_context.dagster_run
    if run.tags.get(RETRY_STRATEGY_TAG) != RETRY_FROM_FIRST_STEP[RETRY_STRATEGY_TAG]:
        context.step_context.instance.add_run_tags(run.run_id, RETRY_FROM_FIRST_STEP)


class _RunFrameIOManager(dg.ConfigurableIOManager):
    base_dir: str  # FRAMES_STORAGE_PATH (a folder or s3://bucket/prefix), set in defs/shared/resources.py

    def _key(self, run_id: str, asset_key: dg.AssetKey) -> str:
        if not self.base_dir:
            raise dg.DagsterInvalidConfigError(f"{type(self).__name__} needs a folder", [], self.base_dir)
        return f"{run_frames_key(run_id)}/{'__'.join(asset_key.path)}.parquet"

    def _write(self, context: dg.OutputContext, frame: pl.DataFrame | None) -> None:
        key = self._key(context.run_id, context.asset_key)
        retry_from_first_step(context)  # this frame is the run's own: it goes when the run ends
        if _one_process(context):
            _in_memory.setdefault(context.run_id, {})[key] = frame  # a retried step replaces it
            if frame is not None:
                add_frames_metadata(context, IN_MEMORY)
            return
        store = frame_store(self.base_dir)
        if _exists(store, key):
            obstore.delete(store, key)  # a retried step never leaves its earlier attempt's frame
        if frame is None:
            return
        where = location(self.base_dir, key)
        if is_object_storage(self.base_dir):
            frame.write_parquet(where)  # one PUT: a reader never sees half an object
        else:
            Path(where).parent.mkdir(parents=True, exist_ok=True)
            frame.write_parquet(f"{where}.tmp")
            os.replace(f"{where}.tmp", where)  # a reader never sees half a file
        add_frames_metadata(context, dg.MetadataValue.path(where))

    def _read(self, context: dg.InputContext) -> pl.DataFrame | None:
        """This run's own frame for the reading step's accounts; None when the run did not write it."""
        run_id = context.step_context.run_id
        key = self._key(run_id, context.asset_key)
        if key in _in_memory.get(run_id, {}):
            held = _in_memory[run_id][key]
            if held is None:
                return None
            frame = held.lazy()
        elif _exists(frame_store(self.base_dir), key):
            frame = pl.scan_parquet(location(self.base_dir, key))
        else:
            return None
        if context.has_asset_partitions:
            frame = frame.filter(pl.col("config_id").is_in([int(k) for k in context.asset_partition_keys]))
        return frame.collect()


class DailyFrameIOManager(_RunFrameIOManager):
    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        self._write(context, obj)

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        # Always this run's own frame: never another run's, whatever Dagster would load across runs.
        frame = self._read(context)
        if frame is None:
            raise FrameFromAnotherRun(
                f"{context.asset_key.to_user_string()} was not materialised in run "
                f"{context.step_context.run_id} (or its frames were removed when it ended): materialise it "
                "in the same run as the assets that read it"
            )
        return frame.select([pl.col(c).cast(t) for c, t in DAILY_SCHEMA.items()])


class PassAlongIOManager(_RunFrameIOManager):
    enabled: bool = True

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame | None) -> None:
        self._write(context, obj if self.enabled else None)

    def load_input(self, context: dg.InputContext) -> pl.DataFrame | None:
        return self._read(context) if self.enabled else None
