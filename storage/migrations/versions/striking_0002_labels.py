"""Striking: the athlete's labelled dataset (punch type, not a punch, missed one here) with keypoint windows;
earlier typed corrections are copied in as labels.

Revision ID: striking_0002
Revises: striking_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "striking_0002"
down_revision = "striking_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "strike_labels",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column(
            "session_id",
            sa.String(32),
            sa.ForeignKey("strike_sessions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("upload_id", sa.String(32)),
        sa.Column("punch_number", sa.Integer),
        sa.Column("t_start_s", sa.Float, nullable=False, server_default="0"),
        sa.Column("t_peak_s", sa.Float, nullable=False, server_default="0"),
        sa.Column("t_end_s", sa.Float, nullable=False, server_default="0"),
        sa.Column("label", sa.String, nullable=False),
        sa.Column("shape", sa.String, nullable=False),
        sa.Column("predicted", sa.String, nullable=False, server_default=""),
        sa.Column("predicted_confidence", sa.Float),
        sa.Column("window", sa.JSON),
        sa.Column("source", sa.String, nullable=False, server_default="review"),
        sa.Column("labelled_by", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO strike_labels (account_id, session_id, upload_id, punch_number, t_start_s, t_peak_s, t_end_s,"
        ' label, shape, predicted, predicted_confidence, "window", source, labelled_by, created_at)'
        " SELECT c.account_id, c.session_id, s.upload_id, c.punch_number, COALESCE(p.t_onset_s, 0),"
        " COALESCE(p.t_peak_s, 0), COALESCE(p.t_peak_s + p.return_s, p.t_peak_s, 0), c.new_kind, c.new_shape,"
        " c.old_kind, p.confidence, c.\"window\", 'correction', c.account_id, c.created_at"
        " FROM strike_corrections c JOIN strike_sessions s ON s.id = c.session_id"
        " LEFT JOIN strike_punches p ON p.session_id = c.session_id AND p.number = c.punch_number"
    )


def downgrade() -> None:
    op.drop_table("strike_labels")
