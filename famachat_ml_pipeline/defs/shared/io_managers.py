"""Stores the cleaned daily frame as Parquet, one hive folder per account, under the run that made it.

Frames are run-scoped: `<base>/runs/<run id>/<asset key>/config_id=<id>/`, so a run only ever reads
the frame its own `ad_insights` step wrote (a concurrent backfill of another day cannot swap it), and the
whole folder goes when the run ends (`remove_run_frames`). Keys are plain relative strings under one
base, so an object-storage base (s3://...) can replace the local folder later.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import polars as pl

from famachat_ml_pipeline.core.frames import DAILY_SCHEMA, empty_daily

RUNS_PREFIX = "runs"
_WRITTEN_MARKER = "_written"  # the run's step wrote this asset (even with no rows at all)


def run_frames_key(run_id: str) -> str:
    return f"{RUNS_PREFIX}/{run_id}"


def remove_run_frames(base_dir: str, run_id: str) -> None:
    """Delete everything one run handed between its assets (called when the run ends, either way)."""
    shutil.rmtree(Path(base_dir) / run_frames_key(run_id), ignore_errors=True)


def runs_with_frames(base_dir: str) -> list[str]:
    root = Path(base_dir) / RUNS_PREFIX
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.exists() else []


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
    base_dir: str  # FRAMES_STORAGE_PATH, set in defs/shared/resources.py

    def _root(self, run_id: str, asset_key: dg.AssetKey) -> Path:
        if not self.base_dir:
            raise dg.DagsterInvalidConfigError("DailyFrameIOManager needs a folder", [], self.base_dir)
        return Path(self.base_dir) / f"{run_frames_key(run_id)}/{'/'.join(asset_key.path)}"

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        root = self._root(context.run_id, context.asset_key)
        shutil.rmtree(root, ignore_errors=True)  # a retried step starts clean
        root.mkdir(parents=True)
        if obj.height:
            obj.write_parquet(root, partition_by="config_id", mkdir=True)
        (root / _WRITTEN_MARKER).touch()
        context.add_output_metadata({"path": dg.MetadataValue.path(str(root))})

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        # Always this run's own frame: never another run's, whatever Dagster would load across runs.
        run_id = context.step_context.run_id
        root = self._root(run_id, context.asset_key)
        if not (root / _WRITTEN_MARKER).exists():
            raise FrameFromAnotherRun(
                f"{context.asset_key.to_user_string()} was not materialised in run {run_id} (or its frames "
                "were removed when it ended): materialise it in the same run as the assets that read it"
            )
        keys = [int(k) for k in context.asset_partition_keys]
        present = [k for k in keys if (root / f"config_id={k}").exists()]
        if not present:
            return empty_daily()
        files = [str(root / f"config_id={k}" / "*.parquet") for k in present]
        frame = pl.read_parquet(files, hive_partitioning=True, hive_schema={"config_id": pl.Int64})
        return frame.select([pl.col(c).cast(t) for c, t in DAILY_SCHEMA.items()])
