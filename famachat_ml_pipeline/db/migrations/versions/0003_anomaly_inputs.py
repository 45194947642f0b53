"""anomaly_inputs: fingerprints of the campaigns' inputs at their last anomaly detection.

Separate from the ml_* tables (which stay exactly the seed's DDL); FamaChat does not read it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

from famachat_ml_pipeline.db.anomaly_inputs import ANOMALY_INPUT_TABLES

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Built from db/anomaly_inputs.py as it stands at this revision; a later change needs its own migration.


def upgrade() -> None:
    bind = op.get_bind()
    for table in ANOMALY_INPUT_TABLES:
        table.create(bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(ANOMALY_INPUT_TABLES):
        table.drop(bind, checkfirst=True)
