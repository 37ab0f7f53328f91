"""Training schema: exercises (+ muscles), maxes, programs (versioned), drafts, schedule, sessions, sets,
progression state and equipment settings. Indexes serve PR queries (best load / e1RM per lift) in
O(log n) and per-lift history scans by time.

Revision ID: training_0001
Revises:
Depends on: core_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "training_0001"
down_revision = None
branch_labels = ("training",)
depends_on = "core_0001"


def _account(nullable: bool = False) -> sa.Column:
    return sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=nullable)


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "training_exercises",
        sa.Column("id", sa.String(64), primary_key=True),
        _account(nullable=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("name_key", sa.String(128), nullable=False),
        sa.Column("category", sa.String(32), nullable=False, server_default="other"),
        sa.Column("equipment", sa.String(32), nullable=False, server_default="other"),
        sa.Column("barbell", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("aliases", sa.JSON, nullable=False),
        _ts("created_at"),
    )
    op.create_index("ix_training_exercises_account_id", "training_exercises", ["account_id"])
    op.create_index("ix_training_exercises_name_key", "training_exercises", ["name_key"])
    op.create_table(
        "training_exercise_muscles",
        sa.Column(
            "exercise_id", sa.String(64), sa.ForeignKey("training_exercises.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("muscle", sa.String(32), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False, server_default="primary"),
    )
    op.create_table(
        "training_maxes",
        sa.Column("id", sa.Integer, primary_key=True),
        _account(),
        sa.Column("exercise_id", sa.String(64), sa.ForeignKey("training_exercises.id"), nullable=False),
        sa.Column("one_rm_kg", sa.Float),
        sa.Column("training_max_kg", sa.Float),
        sa.Column("source", sa.String(16), nullable=False, server_default="stated"),
        _ts("recorded_at"),
    )
    op.create_index(
        "ix_training_maxes_account_exercise", "training_maxes", ["account_id", "exercise_id", "recorded_at"]
    )
    op.create_table(
        "training_programs",
        sa.Column("id", sa.Integer, primary_key=True),
        _account(),
        sa.Column("lineage_id", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("template", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("change_note", sa.String, nullable=False, server_default=""),
        _ts("created_at"),
        sa.UniqueConstraint("account_id", "lineage_id", "version", name="uq_training_program_version"),
    )
    op.create_index("ix_training_programs_account_status", "training_programs", ["account_id", "status"])
    op.create_table(
        "training_drafts",
        sa.Column("id", sa.String(32), primary_key=True),
        _account(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("base_program_id", sa.Integer, sa.ForeignKey("training_programs.id", ondelete="SET NULL")),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("summary", sa.String, nullable=False, server_default=""),
        sa.Column("request", sa.String, nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        _ts("created_at"),
        _ts("resolved_at", nullable=True),
    )
    op.create_index("ix_training_drafts_account_status", "training_drafts", ["account_id", "status"])
    op.create_table(
        "training_scheduled_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        _account(),
        sa.Column("program_id", sa.Integer, sa.ForeignKey("training_programs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("lineage_id", sa.String(32), nullable=False),
        sa.Column("week_index", sa.Integer, nullable=False),
        sa.Column("day_index", sa.Integer, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("planned_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="planned"),
        sa.Column("logged_session_id", sa.String(32)),
    )
    op.create_index("ix_training_scheduled_sessions_program_id", "training_scheduled_sessions", ["program_id"])
    op.create_index("ix_training_scheduled_sessions_lineage_id", "training_scheduled_sessions", ["lineage_id"])
    op.create_index(
        "ix_training_scheduled_account_date", "training_scheduled_sessions", ["account_id", "status", "planned_date"]
    )
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        _account(),
        sa.Column("program_id", sa.Integer, sa.ForeignKey("training_programs.id", ondelete="SET NULL")),
        sa.Column("scheduled_id", sa.Integer, sa.ForeignKey("training_scheduled_sessions.id", ondelete="SET NULL")),
        sa.Column("name", sa.String, nullable=False, server_default=""),
        _ts("started_at"),
        _ts("ended_at", nullable=True),
        sa.Column("duration_s", sa.Float),
        sa.Column("notes", sa.String, nullable=False, server_default=""),
        sa.Column("source", sa.String(16), nullable=False, server_default="chat"),
        sa.Column("external_key", sa.String(160)),
        _ts("created_at"),
        sa.UniqueConstraint("account_id", "external_key", name="uq_training_session_external"),
    )
    op.create_index("ix_training_sessions_account_started", "training_sessions", ["account_id", "started_at"])
    op.create_table(
        "training_sets",
        sa.Column("id", sa.String(32), primary_key=True),
        _account(),
        sa.Column(
            "session_id", sa.String(32), sa.ForeignKey("training_sessions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("exercise_id", sa.String(64), sa.ForeignKey("training_exercises.id"), nullable=False),
        sa.Column("set_index", sa.Integer, nullable=False, server_default="1"),
        sa.Column("load_kg", sa.Float, nullable=False, server_default="0"),
        sa.Column("added_load", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("reps", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rpe", sa.Float),
        sa.Column("warmup", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("set_type", sa.String(16), nullable=False, server_default="normal"),
        sa.Column("amrap", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("group_label", sa.String(8)),
        sa.Column("e1rm_kg", sa.Float),
        sa.Column("entered_value", sa.Float),
        sa.Column("entered_unit", sa.String(4)),
        sa.Column("distance_m", sa.Float),
        sa.Column("duration_s", sa.Float),
        sa.Column("notes", sa.String, nullable=False, server_default=""),
        _ts("performed_at"),
        _ts("created_at"),
    )
    op.create_index("ix_training_sets_session_id", "training_sets", ["session_id"])
    op.create_index("ix_training_sets_account_time", "training_sets", ["account_id", "performed_at"])
    op.create_index(
        "ix_training_sets_account_exercise_time", "training_sets", ["account_id", "exercise_id", "performed_at"]
    )
    op.create_index(
        "ix_training_sets_best_load", "training_sets", ["account_id", "exercise_id", "warmup", "load_kg", "reps"]
    )
    op.create_index("ix_training_sets_best_e1rm", "training_sets", ["account_id", "exercise_id", "warmup", "e1rm_kg"])
    op.create_table(
        "training_progress",
        sa.Column("id", sa.Integer, primary_key=True),
        _account(),
        sa.Column("lineage_id", sa.String(32), nullable=False),
        sa.Column("slot", sa.String(96), nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        _ts("updated_at"),
        sa.UniqueConstraint("account_id", "lineage_id", "slot", name="uq_training_progress_slot"),
    )
    op.create_index("ix_training_progress_account_id", "training_progress", ["account_id"])
    op.create_table(
        "training_settings",
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("equipment", sa.JSON, nullable=False),
        _ts("updated_at"),
    )


def downgrade() -> None:
    for name in (
        "training_settings", "training_progress", "training_sets", "training_sessions", "training_scheduled_sessions",
        "training_drafts", "training_programs", "training_maxes", "training_exercise_muscles", "training_exercises",
    ):  # fmt: skip
        op.drop_table(name)
