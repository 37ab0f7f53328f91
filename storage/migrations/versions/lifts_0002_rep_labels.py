"""Lifts: the athlete's rep labels (a rep, not a rep, ends too early/late, missed one after this) with the
rep's bar-trace features, so rep segmentation can learn from them.

Revision ID: lifts_0002
Revises: lifts_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lifts_0002"
down_revision = "lifts_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lift_rep_labels",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column(
            "analysis_id",
            sa.String(32),
            sa.ForeignKey("lift_analyses.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("lift", sa.String(16), nullable=False),
        sa.Column("rep_number", sa.Integer, nullable=False),
        sa.Column("t_start_s", sa.Float, nullable=False, server_default="0"),
        sa.Column("t_end_s", sa.Float, nullable=False, server_default="0"),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("features", sa.JSON, nullable=False),
        sa.Column("labelled_by", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("lift_rep_labels")
