"""FamaChat's source tables (shared/docs/source-contract.md): the one place that knows their names.

Adapting to FamaChat's real column names is a change to this file (and the column lists in `read.py`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE

CAMPAIGNS = "sistema_facebook_ads_campaigns"
INSIGHTS = "sistema_facebook_ads_insights"
SOURCE_TABLES = (CAMPAIGNS, INSIGHTS)

source_metadata = sa.MetaData()
_json = sa.JSON().with_variant(JSONB(), "postgresql")

campaigns_table = sa.Table(
    CAMPAIGNS,
    source_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("config_id", sa.Integer, nullable=False),
    sa.Column("campaign_id", sa.String(100), nullable=False),
    sa.Column("name", sa.Text),
    sa.Column("status", sa.String(30)),
    sa.Column("effective_status", sa.String(30)),
    sa.Column("objective", sa.String(50)),
    sa.Column("daily_budget", sa.BigInteger),
    sa.Column("lifetime_budget", sa.BigInteger),
    sa.Column("currency", sa.String(3), nullable=False, server_default="BRL"),
    sa.Column("timezone_name", sa.String(64), nullable=False, server_default=DEFAULT_TIMEZONE),
    sa.Column("created_time", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("config_id", "campaign_id"),
)

insights_table = sa.Table(
    INSIGHTS,
    source_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("config_id", sa.Integer, nullable=False),
    sa.Column("campaign_id", sa.String(100), nullable=False),
    sa.Column("date_start", sa.Date, nullable=False),
    sa.Column("date_stop", sa.Date, nullable=False),
    sa.Column("spend", sa.Numeric(14, 2)),
    sa.Column("impressions", sa.BigInteger),
    sa.Column("clicks", sa.BigInteger),
    sa.Column("reach", sa.BigInteger),
    sa.Column("frequency", sa.Numeric(10, 4)),
    sa.Column("ctr", sa.Numeric(10, 4)),
    sa.Column("cpc", sa.Numeric(14, 4)),
    sa.Column("cpm", sa.Numeric(14, 4)),
    sa.Column("leads", sa.Integer),
    sa.Column("actions", _json),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("ix_insights_config_date", "config_id", "date_start"),
)
