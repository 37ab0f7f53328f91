"""Nutrition: exercise energy and steps imported from other apps (MyFitnessPal's exercise diary).

Revision ID: nutrition_0002
Revises: nutrition_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "nutrition_0002"
down_revision = "nutrition_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nutrition_activity",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default="cardio"),
        sa.Column("kcal", sa.Float),
        sa.Column("minutes", sa.Float),
        sa.Column("steps", sa.Integer),
        sa.Column("note", sa.String, nullable=False, server_default=""),
        sa.Column("source", sa.String(32), nullable=False, server_default="import:mfp"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nutrition_activity_account_id", "nutrition_activity", ["account_id"])
    op.create_index("ix_nutrition_activity_account_day", "nutrition_activity", ["account_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_nutrition_activity_account_day", "nutrition_activity")
    op.drop_index("ix_nutrition_activity_account_id", "nutrition_activity")
    op.drop_table("nutrition_activity")
