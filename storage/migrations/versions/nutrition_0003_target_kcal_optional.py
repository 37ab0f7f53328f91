"""Nutrition: a target may hold only what the person stated ("set my protein target to 180 g"): kcal optional.

Revision ID: nutrition_0003
Revises: nutrition_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "nutrition_0003"  # alembic_version is VARCHAR(32) on PostgreSQL
down_revision = "nutrition_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nutrition_targets") as batch:
        batch.alter_column("kcal", existing_type=sa.Float, nullable=True)


def downgrade() -> None:
    op.execute("UPDATE nutrition_targets SET kcal = 0 WHERE kcal IS NULL")
    with op.batch_alter_table("nutrition_targets") as batch:
        batch.alter_column("kcal", existing_type=sa.Float, nullable=False)
