"""Stores the cleaned daily frame as Parquet, one hive folder per account, so any later run can load
exactly the accounts it needs."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import polars as pl

from famachat_ml_pipeline.core.frames import DAILY_SCHEMA, empty_daily


class DailyFrameIOManager(dg.ConfigurableIOManager):
    base_dir: str  # FRAMES_STORAGE_PATH, set in defs/shared/resources.py

    def _root(self, context: dg.OutputContext | dg.InputContext) -> Path:
        if not self.base_dir:
            raise dg.DagsterInvalidConfigError("DailyFrameIOManager needs a folder", [], self.base_dir)
        return Path(self.base_dir) / "/".join(context.asset_key.path)

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        root = self._root(context)
        for key in context.asset_partition_keys:  # clear stale accounts that now have no rows
            shutil.rmtree(root / f"config_id={key}", ignore_errors=True)
        if obj.height:
            obj.write_parquet(root, partition_by="config_id", mkdir=True)
        context.add_output_metadata({"path": dg.MetadataValue.path(str(root))})

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        root = self._root(context)
        keys = [int(k) for k in context.asset_partition_keys]
        present = [k for k in keys if (root / f"config_id={k}").exists()]
        if not present:
            return empty_daily()
        files = [str(root / f"config_id={k}" / "*.parquet") for k in present]
        frame = pl.read_parquet(files, hive_partitioning=True, hive_schema={"config_id": pl.Int64})
        return frame.select([pl.col(c).cast(t) for c, t in DAILY_SCHEMA.items()])
