"""The agent's conversations: agent_threads, agent_messages, agent_feedback.

Separate from the ml_* tables (which stay exactly the seed's DDL); FamaChat does not read these.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from famachat_ml_pipeline.db.conversations import AGENT_TABLES

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Built from db/conversations.py as it stands at this revision; a later change needs its own migration.


def upgrade() -> None:
    bind = op.get_bind()
    for table in AGENT_TABLES:
        table.create(bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(AGENT_TABLES):
        table.drop(bind, checkfirst=True)
