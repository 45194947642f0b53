"""ml_features and ml_forecasts: an index on the day their rows are as of (feature_date, forecast_date).

Every run deletes its accounts' rows of its day before writing them again (`replace_features`,
`replace_forecasts`). Without an index on the day, both DELETEs scan the whole table, which grows by ~35k
rows a day per 1,000 accounts (see benchmarks/bench_day_deletes.py for the figures). As in 0004 for
ml_predictions; the seed's own indexes are unchanged.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_ml_features_feature_date", "ml_features", "feature_date"),
    ("ix_ml_forecasts_forecast_date", "ml_forecasts", "forecast_date"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], if_not_exists=True)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table, if_exists=True)
