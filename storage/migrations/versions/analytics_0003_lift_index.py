"""Analytics: a covering index on training_sets for per-lift charts (e1RM, top set, PRs over all time).

Questions about one lift filter by exercise; with this index they read only that lift's rows, from the
index alone, instead of every set of the period.

Revision ID: analytics_0003
Revises: analytics_0002
"""

from __future__ import annotations

from alembic import op

revision = "analytics_0003"
down_revision = "analytics_0002"
branch_labels = None
depends_on = "training_0001"

INDEX = "ix_training_sets_analytics_lift"
COLUMNS = ["account_id", "exercise_id", "performed_at", "warmup", "load_kg", "reps", "rpe", "e1rm_kg"]


def upgrade() -> None:
    op.create_index(INDEX, "training_sets", COLUMNS)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="training_sets")
