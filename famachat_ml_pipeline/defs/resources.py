"""Dagster resources: the database, configured from the environment."""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa

from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.settings import get_settings


class DatabaseResource(dg.ConfigurableResource):
    """The database with the FamaChat source tables and the ml_* tables (DATABASE_URL)."""

    url: str = ""

    def engine(self) -> sa.Engine:
        return get_engine(self.url or get_settings().database_url)
