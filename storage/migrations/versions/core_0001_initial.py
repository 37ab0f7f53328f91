"""Core schema: accounts, profiles, uploads, jobs, and Chainlit's chat history tables.

Chainlit's documented schema lacks `steps."autoCollapse"` (and a few newer step/element keys); with a
column missing every step insert fails silently and resumed threads lose the assistant's messages,
so these tables carry every key that `SQLAlchemyDataLayer` writes.

Revision ID: core_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "core_0001"
down_revision = None
branch_labels = ("core",)
depends_on = None

TEXT_ARRAY = sa.Text().with_variant(postgresql.ARRAY(sa.Text()), "postgresql")
JSON_TEXT = sa.Text().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True, index=True),
        sa.Column("password_hash", sa.String, nullable=False),
        sa.Column("display_name", sa.String, nullable=False, server_default=""),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("timezone", sa.String, nullable=False, server_default="UTC"),
        sa.Column("unit_system", sa.String, nullable=False, server_default="metric"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "profiles",
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("sex", sa.String),
        sa.Column("birth_year", sa.Integer),
        sa.Column("height_cm", sa.Float),
        sa.Column("activity_level", sa.String),
        sa.Column("experience", sa.String),
        sa.Column("goal", sa.String),
        sa.Column("stance", sa.String),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("thread_id", sa.String, index=True),
        sa.Column("filename", sa.String, nullable=False),
        sa.Column("mime", sa.String, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("path", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_uploads_account_id", "uploads", ["account_id"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("progress", sa.Float, nullable=False, server_default="0"),
        sa.Column("message", sa.String, nullable=False, server_default=""),
        sa.Column("thread_id", sa.String),
        sa.Column("upload_id", sa.String(32), sa.ForeignKey("uploads.id", ondelete="SET NULL")),
        sa.Column("idempotency_key", sa.String(128)),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON),
        sa.Column("error", sa.String),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "idempotency_key", name="uq_jobs_idempotency"),
    )
    op.create_index("ix_jobs_account_id", "jobs", ["account_id"])

    # --- Chainlit's data layer (quoted camelCase columns, as it writes them) ---
    op.create_table(
        "users",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("identifier", sa.String, nullable=False, unique=True),
        sa.Column("metadata", JSON_TEXT, nullable=False),
        sa.Column("createdAt", sa.Text),
    )
    op.create_table(
        "threads",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("createdAt", sa.Text),
        sa.Column("name", sa.Text),
        sa.Column("userId", sa.String, sa.ForeignKey("users.id", ondelete="CASCADE")),
        sa.Column("userIdentifier", sa.Text),
        sa.Column("tags", TEXT_ARRAY),
        sa.Column("metadata", JSON_TEXT),
    )
    op.create_index("ix_threads_userId", "threads", ["userId"])
    op.create_table(
        "steps",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("threadId", sa.String, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("parentId", sa.String),
        sa.Column("streaming", sa.Boolean, nullable=False),
        sa.Column("waitForAnswer", sa.Boolean),
        sa.Column("isError", sa.Boolean),
        sa.Column("metadata", JSON_TEXT),
        sa.Column("tags", TEXT_ARRAY),
        sa.Column("input", sa.Text),
        sa.Column("output", sa.Text),
        sa.Column("createdAt", sa.Text),
        sa.Column("command", sa.Text),
        sa.Column("modes", JSON_TEXT),
        sa.Column("start", sa.Text),
        sa.Column("end", sa.Text),
        sa.Column("generation", JSON_TEXT),
        sa.Column("showInput", sa.Text),
        sa.Column("language", sa.Text),
        sa.Column("indent", sa.Integer),
        sa.Column("defaultOpen", sa.Boolean),
        sa.Column("autoCollapse", sa.Boolean),
        sa.Column("icon", sa.Text),
    )
    op.create_index("ix_steps_threadId", "steps", ["threadId"])
    op.create_table(
        "elements",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("threadId", sa.String, sa.ForeignKey("threads.id", ondelete="CASCADE")),
        sa.Column("type", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("chainlitKey", sa.Text),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("display", sa.Text),
        sa.Column("objectKey", sa.Text),
        sa.Column("size", sa.Text),
        sa.Column("page", sa.Integer),
        sa.Column("language", sa.Text),
        sa.Column("forId", sa.String),
        sa.Column("mime", sa.Text),
        sa.Column("props", JSON_TEXT),
        sa.Column("autoPlay", sa.Boolean),
        sa.Column("playerConfig", JSON_TEXT),
        sa.Column("path", sa.Text),
    )
    op.create_table(
        "feedbacks",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("forId", sa.String, nullable=False),
        sa.Column("threadId", sa.String, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("value", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text),
    )


def downgrade() -> None:
    for table in ("feedbacks", "elements", "steps", "threads", "users", "jobs", "uploads", "profiles", "accounts"):
        op.drop_table(table)
