"""Core: the chat thread each browser session is in, so another app process can resume it after a crash.

Revision ID: core_0003_chat_sessions
Revises: core_0002_profile_lifting
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "core_0003_chat_sessions"
down_revision = "core_0002_profile_lifting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_sessions",
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("thread_id", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_chat_sessions_account_id", "chat_sessions", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_chat_sessions_account_id", "chat_sessions")
    op.drop_table("chat_sessions")
