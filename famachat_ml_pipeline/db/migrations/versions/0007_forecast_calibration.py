"""forecast_calibration: the calibration each day's forecast run used, for smaller runs to borrow.

Separate from the ml_* tables (which stay exactly the seed's DDL); FamaChat does not read it.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

from famachat_ml_pipeline.db.forecast_calibration import FORECAST_CALIBRATION_TABLES

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Built from db/forecast_calibration.py as it stands at this revision; a later change needs its own migration.


def upgrade() -> None:
    bind = op.get_bind()
    for table in FORECAST_CALIBRATION_TABLES:
        table.create(bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(FORECAST_CALIBRATION_TABLES):
        table.drop(bind, checkfirst=True)
