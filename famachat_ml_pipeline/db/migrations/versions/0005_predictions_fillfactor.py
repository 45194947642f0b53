"""ml_predictions: fillfactor 85, so that filling a day's actuals updates its rows in place (HOT).

forecast_accuracy fills actual_value and the errors of every prediction whose day has completed: at 1,000
accounts about 238,000 rows a day (34,000 series x 7 origins), one in seven of the rows of each page. On
full pages (fillfactor 100) each of those UPDATEs writes its new row version on another page and a new entry
in each of the table's three indexes. With 15 % of every page kept free the new version stays on its page
and no index changes (a heap-only tuple update). Measured with 7 origins (1.67M rows) on the shared 2-core
machine (load ~8): the UPDATE of one day's 238,340 actuals 17.3-17.9 s at fillfactor 100 (no HOT update),
5.5-5.8 s at 85 (98 % HOT); the table 14 % larger (272 -> 309 MB). Pages written from now on keep the room;
a storage parameter, the seed's columns and indexes are unchanged. Postgres only.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FILLFACTOR = 85


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE ml_predictions SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE ml_predictions RESET (fillfactor)")
