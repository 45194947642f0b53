"""Dagster entry point: `dagster dev -m famachat_ml_pipeline.definitions` (or workspace.yaml)."""

from __future__ import annotations

import dagster as dg

from famachat_ml_pipeline.defs.assets import (
    anomalies,
    classification,
    features,
    forecasts,
    ingest,
    recommendations,
)
from famachat_ml_pipeline.defs.io_managers import DailyFrameIOManager
from famachat_ml_pipeline.defs.jobs import jobs, schedules
from famachat_ml_pipeline.defs.resources import DatabaseResource
from famachat_ml_pipeline.defs.sensors import config_id_partitions_sensor

defs = dg.Definitions(
    assets=dg.load_assets_from_modules(
        [ingest, features, classification, anomalies, forecasts, recommendations]
    ),
    asset_checks=dg.load_asset_checks_from_modules([ingest]),
    jobs=jobs,
    schedules=schedules,
    sensors=[config_id_partitions_sensor],
    resources={
        "database": DatabaseResource(),
        "daily_frame_io_manager": DailyFrameIOManager(),
    },
)
