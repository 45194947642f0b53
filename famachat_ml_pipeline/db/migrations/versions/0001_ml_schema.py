"""Baseline: the seed's 8 ml_* tables, 7 enum types and 5 indexes.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from famachat_ml_pipeline.db.schema import ENUMS, ML_TABLES

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The baseline is built from db/schema.py as it stood at this revision. Any later change to schema.py
# needs its own migration (op.add_column, ...); test_schema compares a migrated Postgres to the seed DDL.


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name, values in ENUMS.items():
            sa.Enum(*values, name=name).create(bind, checkfirst=True)
    for table in ML_TABLES:
        table.create(bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(ML_TABLES):
        table.drop(bind, checkfirst=True)
    if bind.dialect.name == "postgresql":
        for name, values in ENUMS.items():
            sa.Enum(*values, name=name).drop(bind, checkfirst=True)
