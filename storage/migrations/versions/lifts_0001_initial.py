"""Lift video lab schema: videos, analyses (linked to logged training sets), reps, load-velocity profiles.

Depends on the training branch as well as core: an analysis points at the training set it belongs
to (`training_set_id`, SET NULL when the set is deleted).

Revision ID: lifts_0001
Revises:
Depends on: core_0001, training_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lifts_0001"
down_revision = None
branch_labels = ("lifts",)
depends_on = ("core_0001", "training_0001")


def _account() -> sa.Column:
    return sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "lift_videos",
        sa.Column("id", sa.String(32), primary_key=True),
        _account(),
        sa.Column("upload_id", sa.String(32), sa.ForeignKey("uploads.id", ondelete="SET NULL")),
        sa.Column("path", sa.String, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("rotation", sa.Integer, nullable=False, server_default="0"),
        sa.Column("fps", sa.Float, nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("frame_count", sa.Integer),
        sa.Column("codec", sa.String, nullable=False, server_default=""),
        sa.Column("vfr", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("hdr", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "sha256", name="uq_lift_videos_account_sha"),
    )
    op.create_index("ix_lift_videos_account_id", "lift_videos", ["account_id"])
    op.create_table(
        "lift_analyses",
        sa.Column("id", sa.String(32), primary_key=True),
        _account(),
        sa.Column("video_id", sa.String(32), sa.ForeignKey("lift_videos.id", ondelete="CASCADE"), nullable=False),
        sa.Column("job_id", sa.String(32)),
        sa.Column("training_set_id", sa.String(32), sa.ForeignKey("training_sets.id", ondelete="SET NULL")),
        sa.Column("lift", sa.String(16), nullable=False),
        sa.Column("exercise_id", sa.String(64)),
        sa.Column("load_kg", sa.Float),
        sa.Column("source", sa.String(16), nullable=False, server_default="plate"),
        sa.Column("scale_method", sa.String, nullable=False, server_default=""),
        sa.Column("px_per_m", sa.Float, nullable=False, server_default="0"),
        sa.Column("scale_rel_sd", sa.Float, nullable=False, server_default="0"),
        sa.Column("rep_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("best_mcv_m_s", sa.Float),
        sa.Column("best_mcv_sd_m_s", sa.Float),
        sa.Column("last_mcv_m_s", sa.Float),
        sa.Column("velocity_loss_pct", sa.Float),
        sa.Column("annotated_path", sa.String),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_lift_analyses_account_id", "lift_analyses", ["account_id"])
    op.create_index("ix_lift_analyses_video_id", "lift_analyses", ["video_id"])
    op.create_index("ix_lift_analyses_training_set_id", "lift_analyses", ["training_set_id"])
    op.create_index("ix_lift_analyses_created_at", "lift_analyses", ["created_at"])
    op.create_index("ix_lift_analyses_account_lift", "lift_analyses", ["account_id", "lift", "created_at"])
    op.create_table(
        "lift_reps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("analysis_id", sa.String(32), sa.ForeignKey("lift_analyses.id", ondelete="CASCADE"), nullable=False),
        _account(),
        sa.Column("number", sa.Integer, nullable=False),
        *(
            sa.Column(name, sa.Float, nullable=False)
            for name in (
                "start_s",
                "end_s",
                "rom_m",
                "rom_sd_m",
                "concentric_s",
                "concentric_sd_s",
                "mcv_m_s",
                "mcv_sd_m_s",
                "peak_velocity_m_s",
                "peak_velocity_sd_m_s",
                "mpv_m_s",
                "mpv_sd_m_s",
                "horizontal_dev_m",
                "horizontal_dev_sd_m",
            )
        ),
        sa.Column("eccentric_s", sa.Float),
        sa.Column("velocity_loss_pct", sa.Float, nullable=False, server_default="0"),
    )
    op.create_index("ix_lift_reps_analysis_id", "lift_reps", ["analysis_id"])
    op.create_index("ix_lift_reps_account_id", "lift_reps", ["account_id"])
    op.create_table(
        "lift_profiles",
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("lift", sa.String(16), primary_key=True),
        sa.Column("mvt_m_s", sa.Float, nullable=False),
        sa.Column("mvt_custom", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("slope_m_s_per_kg", sa.Float),
        sa.Column("intercept_m_s", sa.Float),
        sa.Column("r2", sa.Float),
        sa.Column("points", sa.Integer, nullable=False, server_default="0"),
        sa.Column("e1rm_kg", sa.Float),
        sa.Column("e1rm_sd_kg", sa.Float),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("lift_profiles", "lift_reps", "lift_analyses", "lift_videos"):
        op.drop_table(table)
