"""Hands an asset's result frame to the assets after it in the same run ("compute once, pass along").

The wide features, today's tiers and the forecasts are each computed by one asset; the assets after it
used to recompute them or read them back from the ml_* tables. Here the producing asset's step stores its
frame under the run (one Parquet file, next to the run's `ad_insights` frames, so `remove_run_frames`
removes it with them) and a consumer in the same run loads it.

A consumer whose producer was not materialised in its run (the 06:00 classification and 07:00
recommendations jobs, a UI selection) gets None and takes the plain path: it computes the frame itself or
reads the producer's rows from the database. `enabled=False` makes every consumer take that path, which
is how the tests show both paths give the same ml_* rows.

It differs from DailyFrameIOManager (io_managers.py) in two ways: any schema is kept as written (that one
casts to DAILY_SCHEMA), and a frame missing from the run is None, not a failure.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl

from famachat_ml_pipeline.defs.shared.io_managers import run_frames_key

PASS_ALONG_IO_MANAGER = "pass_along_io_manager"
_FOLDER = "pass_along"


class PassAlongIOManager(dg.ConfigurableIOManager):
    base_dir: str  # FRAMES_STORAGE_PATH, the same base as the ad_insights hand-off
    enabled: bool = True

    def _path(self, run_id: str, asset_key: dg.AssetKey) -> Path:
        if not self.base_dir:
            raise dg.DagsterInvalidConfigError("PassAlongIOManager needs a folder", [], self.base_dir)
        name = "__".join(asset_key.path)
        return Path(self.base_dir) / run_frames_key(run_id) / _FOLDER / f"{name}.parquet"

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame | None) -> None:
        path = self._path(context.run_id, context.asset_key)
        path.unlink(missing_ok=True)  # a retried step never leaves its earlier attempt's frame
        if obj is None or not self.enabled:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        obj.write_parquet(tmp)
        tmp.rename(path)  # a consumer never sees half a file

    def load_input(self, context: dg.InputContext) -> pl.DataFrame | None:
        if not self.enabled:
            return None
        path = self._path(context.step_context.run_id, context.asset_key)
        if not path.exists():
            return None  # not materialised in this run: the consumer takes the plain path
        frame = pl.scan_parquet(path)
        if context.has_asset_partitions:
            ids = [int(k) for k in context.asset_partition_keys]
            frame = frame.filter(pl.col("config_id").is_in(ids))
        return frame.collect()
