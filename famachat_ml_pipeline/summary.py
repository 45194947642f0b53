"""The short summary `famachat-ml demo` prints after a run: what FamaChat will now read."""

from __future__ import annotations

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.settings import Settings


def table_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in schema.ML_TABLES
        }


def print_summary(settings: Settings, console: Console) -> None:
    engine = get_engine(settings.database_url)
    f = schema.ml_features
    with engine.connect() as conn:
        per_account = conn.execute(
            sa.select(
                f.c.config_id, sa.func.count(sa.distinct(f.c.campaign_id)), sa.func.max(f.c.feature_date)
            )
            .group_by(f.c.config_id)
            .order_by(f.c.config_id)
        ).fetchall()
    table = Table(title="ml_features by account")
    for col in ("config_id", "campaigns", "feature_date"):
        table.add_column(col)
    for config_id, campaigns, day in per_account:
        table.add_row(str(config_id), str(campaigns), str(day)[:10])
    console.print(table)
    counts = ", ".join(f"{k}={v:,}" for k, v in table_counts(engine).items())
    console.print(f"rows: {counts}")
