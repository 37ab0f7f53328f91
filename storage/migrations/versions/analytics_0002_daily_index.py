"""Analytics: a covering index on training_sets for the per-day aggregates behind every training chart.

The charts group a person's working sets by local day and lift (`storage.analytics.training_daily`).
With only (account_id, performed_at) indexed, each of up to a million matching rows costs a lookup in
the table; this index holds every column the aggregate reads, so SQLite and PostgreSQL answer it
from the index alone.

Revision ID: analytics_0002
Revises: analytics_0001
Depends on: training_0001
"""

from __future__ import annotations

from alembic import op

revision = "analytics_0002"
down_revision = "analytics_0001"
branch_labels = None
depends_on = "training_0001"

INDEX = "ix_training_sets_analytics_daily"
COLUMNS = ["account_id", "performed_at", "warmup", "exercise_id", "load_kg", "reps", "rpe", "e1rm_kg"]


def upgrade() -> None:
    op.create_index(INDEX, "training_sets", COLUMNS)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="training_sets")
