"""The short summary `famachat-ml demo` prints after a run: what FamaChat will now read."""

from __future__ import annotations

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.settings import Settings

TOP_PER_ACCOUNT = 3


def table_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in schema.ML_TABLES
        }


def _per_account(conn: sa.Connection) -> list[tuple]:
    f, c, a = schema.ml_features, schema.ml_campaign_classifications, schema.ml_anomalies
    features = dict(
        conn.execute(
            sa.select(f.c.config_id, sa.func.count(sa.distinct(f.c.campaign_id))).group_by(f.c.config_id)
        )
        .tuples()
        .all()
    )
    high = dict(conn.execute(
        sa.select(c.c.config_id, sa.func.count()).where(c.c.tier == "HIGH_PERFORMER").group_by(c.c.config_id)
    ).tuples().all())  # fmt: skip
    critical = dict(conn.execute(
        sa.select(a.c.config_id, sa.func.count()).where(a.c.severity == "CRITICAL").group_by(a.c.config_id)
    ).tuples().all())  # fmt: skip
    return [(k, features[k], high.get(k, 0), critical.get(k, 0)) for k in sorted(features)]


def _top_recommendations(conn: sa.Connection) -> list[tuple]:
    r = schema.ml_recommendations
    ranked = sa.select(
        r.c.config_id, r.c.priority, r.c.recommendation_type, r.c.title,
        sa.func.row_number().over(
            partition_by=r.c.config_id, order_by=(r.c.priority.desc(), r.c.confidence_score.desc())
        ).label("rank"),
    ).where(r.c.is_active.is_(True), r.c.dismissed.isnot(True)).subquery()  # fmt: skip
    return conn.execute(
        sa.select(ranked.c.config_id, ranked.c.priority, ranked.c.recommendation_type, ranked.c.title)
        .where(ranked.c.rank <= TOP_PER_ACCOUNT)
        .order_by(ranked.c.config_id, ranked.c.rank)
    ).all()


def print_summary(settings: Settings, console: Console) -> None:
    engine = get_engine(settings.database_url)
    with engine.connect() as conn:
        accounts, top = _per_account(conn), _top_recommendations(conn)
    table = Table(title="By account")
    for col in ("config_id", "campaigns with features", "high performers", "critical anomalies"):
        table.add_column(col)
    for row in accounts:
        table.add_row(*[str(v) for v in row])
    console.print(table)
    recs = Table(title=f"Top {TOP_PER_ACCOUNT} recommendations per account")
    for col in ("config_id", "priority", "type", "title"):
        recs.add_column(col)
    for config_id, priority, rec_type, title in top:
        recs.add_row(str(config_id), str(priority), str(rec_type), title)
    console.print(recs)
    counts = ", ".join(f"{k}={v:,}" for k, v in table_counts(engine).items())
    console.print(f"rows: {counts}")
