"""The run's resources, configured from the environment in this one place.

Every value comes from a `dg.EnvVar`, so the Dagster UI shows where it comes from. `definitions.py`
first exports the validated `Settings` into those variables (defaults included, e.g. the embedded SQLite
database when DATABASE_URL is unset), so the CLI and the UI always resolve the same values.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.defs.shared.io_managers import (
    PASS_ALONG_IO_MANAGER,
    DailyFrameIOManager,
    PassAlongIOManager,
)

DATABASE_URL = "DATABASE_URL"
MODELS_STORAGE_PATH = "MODELS_STORAGE_PATH"
FRAMES_STORAGE_PATH = "FRAMES_STORAGE_PATH"
DEFAULT_TIMEZONE = "DEFAULT_TIMEZONE"


class DatabaseResource(dg.ConfigurableResource):
    """The database with the FamaChat source tables and the ml_* tables (DATABASE_URL)."""

    url: str
    # The zone of accounts whose timezone FamaChat does not record (decides the latest complete day).
    default_timezone: str

    def engine(self) -> sa.Engine:
        if not self.url:
            raise dg.DagsterInvalidConfigError("DatabaseResource needs a database URL", [], self.url)
        return get_engine(self.url)


class ModelStore(dg.ConfigurableResource):
    """The folder that holds trained model artifacts (MODELS_STORAGE_PATH)."""

    path: str

    def artifact_path(self, filename: str) -> Path:
        if not self.path:
            raise dg.DagsterInvalidConfigError("ModelStore needs a folder", [], self.path)
        return Path(self.path) / filename


def env_resources() -> dict[str, dg.ConfigurableResource | dg.ConfigurableIOManager]:
    return {
        "database": DatabaseResource(
            url=dg.EnvVar(DATABASE_URL), default_timezone=dg.EnvVar(DEFAULT_TIMEZONE)
        ),
        "model_store": ModelStore(path=dg.EnvVar(MODELS_STORAGE_PATH)),
        "daily_frame_io_manager": DailyFrameIOManager(base_dir=dg.EnvVar(FRAMES_STORAGE_PATH)),
        PASS_ALONG_IO_MANAGER: PassAlongIOManager(base_dir=dg.EnvVar(FRAMES_STORAGE_PATH)),
    }


# Runs the daemon launches execute in one process, as `famachat-ml run` and the benchmarks do: with the
# multiprocess default every step loaded the code location again. Chunks spread over pods instead
# (BackfillPolicy.multi_run, deploy/README.md).
defs = dg.Definitions(resources=env_resources(), executor=dg.in_process_executor)
