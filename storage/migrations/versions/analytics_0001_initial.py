"""Analytics: the last chart query per thread, and the coach's memory notes.

Revision ID: analytics_0001
Revises:
Depends on: core_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "analytics_0001"
down_revision = None
branch_labels = ("analytics",)
depends_on = "core_0001"


def _account() -> sa.Column:
    return sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "analytics_last_queries",
        sa.Column("id", sa.Integer, primary_key=True),
        _account(),
        sa.Column("thread_id", sa.String(128), nullable=False),
        sa.Column("query", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "thread_id", name="uq_analytics_last_query"),
    )
    op.create_index("ix_analytics_last_queries_account_id", "analytics_last_queries", ["account_id"])
    op.create_table(
        "analytics_notes",
        sa.Column("id", sa.String(32), primary_key=True),
        _account(),
        sa.Column("kind", sa.String(16), nullable=False, server_default="note"),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source_ref", sa.String(96), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "source_ref", name="uq_analytics_note_ref"),
    )
    op.create_index("ix_analytics_notes_account_id", "analytics_notes", ["account_id"])
    op.create_index("ix_analytics_notes_account_day", "analytics_notes", ["account_id", "day"])


def downgrade() -> None:
    op.drop_table("analytics_notes")
    op.drop_table("analytics_last_queries")
