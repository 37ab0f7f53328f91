"""Striking lab: rounds, punches, habit figures, label corrections.

Revision ID: striking_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "striking_0001"
down_revision = None
branch_labels = ("striking",)
depends_on = "core_0001"


def _account() -> sa.Column:
    return sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False,
                     index=True)  # fmt: skip


def _session() -> sa.Column:
    return sa.Column("session_id", sa.String(32), sa.ForeignKey("strike_sessions.id", ondelete="CASCADE"),
                     nullable=False, index=True)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "strike_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        _account(),
        sa.Column("upload_id", sa.String(32), sa.ForeignKey("uploads.id", ondelete="SET NULL")),
        sa.Column("job_id", sa.String(32)),
        sa.Column("thread_id", sa.String),
        sa.Column("filename", sa.String, nullable=False, server_default=""),
        sa.Column("duration_s", sa.Float, nullable=False, server_default="0"),
        sa.Column("active_s", sa.Float, nullable=False, server_default="0"),
        sa.Column("stance", sa.String, nullable=False, server_default=""),
        sa.Column("punch_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("punches_per_minute", sa.Float),
        sa.Column("classifier", sa.String, nullable=False, server_default="rules"),
        sa.Column("video_path", sa.String),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "strike_punches",
        sa.Column("id", sa.Integer, primary_key=True),
        _session(),
        _account(),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("t_peak_s", sa.Float, nullable=False),
        sa.Column("t_onset_s", sa.Float, nullable=False),
        sa.Column("return_s", sa.Float),
        sa.Column("hand", sa.String, nullable=False),
        sa.Column("side", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("target", sa.String, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("source", sa.String, nullable=False, server_default="rules"),
        sa.Column("reach_sizes", sa.Float, nullable=False, server_default="0"),
        sa.Column("peak_speed_sizes_s", sa.Float, nullable=False, server_default="0"),
        sa.Column("other_hand_dropped", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("telegraphed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("window", sa.JSON),
    )
    op.create_table(
        "strike_habits",
        sa.Column("id", sa.Integer, primary_key=True),
        _session(),
        _account(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "strike_corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        _account(),
        _session(),
        sa.Column("punch_number", sa.Integer, nullable=False),
        sa.Column("old_kind", sa.String, nullable=False),
        sa.Column("new_kind", sa.String, nullable=False),
        sa.Column("new_shape", sa.String, nullable=False),
        sa.Column("window", sa.JSON),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("strike_corrections", "strike_habits", "strike_punches", "strike_sessions"):
        op.drop_table(table)
