"""Read-only queries behind `famachat-ml demo`'s summary: row counts, per-account figures, top actions."""

from __future__ import annotations

import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.source.tables import campaigns_table


def table_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows in each ml_* table."""
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in schema.ML_TABLES
        }


def _count_by_account(conn: sa.Connection, table: sa.Table, where: sa.ColumnElement[bool]) -> dict[int, int]:
    query = sa.select(table.c.config_id, sa.func.count()).where(where).group_by(table.c.config_id)
    return dict(conn.execute(query).tuples().all())


def per_account(engine: sa.Engine) -> list[tuple[int, int, int, int]]:
    """(config_id, campaigns with features, high performers, critical anomalies), by account."""
    f, c, a = schema.ml_features, schema.ml_campaign_classifications, schema.ml_anomalies
    with engine.connect() as conn:
        features = dict(
            conn.execute(
                sa.select(f.c.config_id, sa.func.count(sa.distinct(f.c.campaign_id))).group_by(f.c.config_id)
            )
            .tuples()
            .all()
        )
        high = _count_by_account(conn, c, c.c.tier == "HIGH_PERFORMER")
        critical = _count_by_account(conn, a, a.c.severity == "CRITICAL")
    return [(k, features[k], high.get(k, 0), critical.get(k, 0)) for k in sorted(features)]


def top_recommendations(engine: sa.Engine, per_account: int) -> list[tuple]:
    """(config_id, priority, type, campaign, title) of each account's `per_account` most urgent open
    actions; the campaign by its name in the source (its id when the source has no name for it)."""
    r, c = schema.ml_recommendations, campaigns_table
    rank = sa.func.row_number().over(
        partition_by=r.c.config_id, order_by=(r.c.priority.desc(), r.c.confidence_score.desc())
    )
    ranked = (
        sa.select(
            r.c.config_id,
            r.c.priority,
            r.c.recommendation_type,
            sa.func.coalesce(c.c.name, r.c.entity_id).label("campaign"),
            r.c.title,
            rank.label("rank"),
        )
        .select_from(
            r.outerjoin(c, sa.and_(c.c.config_id == r.c.config_id, c.c.campaign_id == r.c.entity_id))
        )
        .where(r.c.is_active.is_(True), r.c.dismissed.isnot(True))
        .subquery()
    )
    with engine.connect() as conn:
        return conn.execute(
            sa.select(
                ranked.c.config_id,
                ranked.c.priority,
                ranked.c.recommendation_type,
                ranked.c.campaign,
                ranked.c.title,
            )
            .where(ranked.c.rank <= per_account)
            .order_by(ranked.c.config_id, ranked.c.rank)
        ).all()
