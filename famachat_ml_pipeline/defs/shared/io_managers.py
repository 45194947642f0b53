"""Stores the cleaned daily frame as Parquet, one hive folder per account, under the run that made it.

Frames are run-scoped: `<base>/runs/<run id>/<asset key>/config_id=<id>/`, so a run only ever reads
the frame its own `ad_insights` step wrote (a concurrent backfill of another day cannot swap it), and the
whole folder goes when the run ends (`remove_run_frames`).

The base is a local folder on one machine, or an object-storage URL (`s3://bucket/prefix`) when a run's
steps land on different pods. polars reads and writes both; listing and deleting go through obstore (the
same Rust object_store crate polars uses), so one code path serves both. On S3 both take their
credentials, region and endpoint from the usual `AWS_*` variables (`AWS_ALLOW_HTTP=true` for a plain-http
endpoint).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import obstore
import polars as pl
from obstore.store import LocalStore, ObjectStore, from_url

from famachat_ml_pipeline.core.frames import DAILY_SCHEMA, empty_daily

RUNS_PREFIX = "runs"
_WRITTEN_MARKER = "_written"  # the run's step wrote this asset (even with no rows at all)
_PARTITION_DIR = "config_id="


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


def _subfolders(store: ObjectStore, key: str) -> list[str]:
    prefixes = obstore.list_with_delimiter(store, prefix=f"{key}/")["common_prefixes"]
    return [p.rstrip("/").rsplit("/", 1)[-1] for p in prefixes]


def remove_run_frames(base_dir: str, run_id: str) -> None:
    """Delete everything one run handed between its assets (called when the run ends, either way)."""
    if is_object_storage(base_dir) or Path(base_dir).exists():
        _delete_under(frame_store(base_dir), run_frames_key(run_id))


def runs_with_frames(base_dir: str) -> list[str]:
    if not (is_object_storage(base_dir) or Path(base_dir).exists()):
        return []
    return sorted(_subfolders(frame_store(base_dir), RUNS_PREFIX))


def remove_frames_except(base_dir: str, keep_run_ids: Iterable[str]) -> list[str]:
    """Remove the frames of every run not in `keep_run_ids` (runs still in progress); returns them."""
    keep = set(keep_run_ids)
    gone = [r for r in runs_with_frames(base_dir) if r not in keep]
    for run_id in gone:
        remove_run_frames(base_dir, run_id)
    return gone


class FrameFromAnotherRun(dg.Failure):
    pass


class DailyFrameIOManager(dg.ConfigurableIOManager):
    base_dir: str  # FRAMES_STORAGE_PATH (a folder or s3://bucket/prefix), set in defs/shared/resources.py

    def _key(self, run_id: str, asset_key: dg.AssetKey) -> str:
        if not self.base_dir:
            raise dg.DagsterInvalidConfigError("DailyFrameIOManager needs a folder", [], self.base_dir)
        return f"{run_frames_key(run_id)}/{'/'.join(asset_key.path)}"

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        key = self._key(context.run_id, context.asset_key)
        store = frame_store(self.base_dir)
        _delete_under(store, key)  # a retried step starts clean
        where = location(self.base_dir, key)
        if obj.height:
            obj.write_parquet(where, partition_by="config_id", mkdir=True)
        obstore.put(store, f"{key}/{_WRITTEN_MARKER}", b"")
        context.add_output_metadata({"frames": dg.MetadataValue.path(where)})

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        # Always this run's own frame: never another run's, whatever Dagster would load across runs.
        run_id = context.step_context.run_id
        key = self._key(run_id, context.asset_key)
        store = frame_store(self.base_dir)
        try:
            obstore.head(store, f"{key}/{_WRITTEN_MARKER}")
        except FileNotFoundError:
            raise FrameFromAnotherRun(
                f"{context.asset_key.to_user_string()} was not materialised in run {run_id} (or its frames "
                "were removed when it ended): materialise it in the same run as the assets that read it"
            ) from None
        wanted = {f"{_PARTITION_DIR}{k}" for k in context.asset_partition_keys}
        # one listing of the run's folder, instead of a glob (a LIST request on S3) per account
        files = [
            location(self.base_dir, meta["path"])
            for batch in obstore.list(store, prefix=f"{key}/")
            for meta in batch
            if meta["path"].endswith(".parquet") and meta["path"].rsplit("/", 2)[-2] in wanted
        ]
        if not files:
            return empty_daily()
        frame = pl.read_parquet(files, hive_partitioning=True, hive_schema={"config_id": pl.Int64})
        return frame.select([pl.col(c).cast(t) for c, t in DAILY_SCHEMA.items()])
