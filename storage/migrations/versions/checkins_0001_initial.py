"""Check-ins schema: schedules, the outbox, readiness answers, and APScheduler's job table.

`checkin_jobs` has exactly the columns APScheduler's SQLAlchemyJobStore expects (it only creates the
table when missing), so the timer's table is migrated like every other one, on SQLite and Postgres.

Revision ID: checkins_0001
Revises:
Depends on: core_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "checkins_0001"
down_revision = None
branch_labels = ("checkins",)
depends_on = "core_0001"


def _account() -> sa.Column:
    return sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)


def _utc(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "checkin_schedules",
        sa.Column("id", sa.Integer, primary_key=True),
        _account(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("text", sa.String, nullable=False, server_default=""),
        sa.Column("rule", sa.String(16), nullable=False),
        sa.Column("weekdays", sa.String, nullable=False, server_default=""),
        sa.Column("hour", sa.Integer, nullable=False, server_default="0"),
        sa.Column("minute", sa.Integer, nullable=False, server_default="0"),
        sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
        _utc("run_at"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        _utc("fired_through", nullable=False),
        sa.Column("confirm_token", sa.String(64)),
        _utc("created_at", nullable=False),
        _utc("updated_at", nullable=False),
        _utc("cancelled_at"),
        sa.UniqueConstraint("account_id", "confirm_token", name="uq_checkin_schedules_token"),
    )
    op.create_index("ix_checkin_schedules_account_id", "checkin_schedules", ["account_id"])
    op.create_index("ix_checkin_schedules_active", "checkin_schedules", ["active"])
    op.create_table(
        "checkin_outbox",
        sa.Column("id", sa.String(32), primary_key=True),
        _account(),
        sa.Column("schedule_id", sa.Integer, sa.ForeignKey("checkin_schedules.id", ondelete="SET NULL")),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        _utc("scheduled_for", nullable=False),
        sa.Column("text", sa.String, nullable=False),
        sa.Column("actions", sa.JSON, nullable=False),
        sa.Column("late", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("session_id", sa.String(64)),
        _utc("claimed_at"),
        _utc("delivered_at"),
        _utc("created_at", nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_checkin_outbox_key"),
    )
    op.create_index("ix_checkin_outbox_account_status", "checkin_outbox", ["account_id", "status"])
    op.create_table(
        "checkin_readiness",
        sa.Column("id", sa.Integer, primary_key=True),
        _account(),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("outbox_id", sa.String(32)),
        sa.Column("source", sa.String(16), nullable=False, server_default="chat"),
        _utc("created_at", nullable=False),
        sa.UniqueConstraint("account_id", "day", name="uq_checkin_readiness_day"),
    )
    op.create_index("ix_checkin_readiness_account_id", "checkin_readiness", ["account_id"])
    # APScheduler's SQLAlchemyJobStore table (id, next_run_time, pickled job state).
    op.create_table(
        "checkin_jobs",
        sa.Column("id", sa.Unicode(191), primary_key=True),
        sa.Column("next_run_time", sa.Float(25)),
        sa.Column("job_state", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_checkin_jobs_next_run_time", "checkin_jobs", ["next_run_time"])


def downgrade() -> None:
    op.drop_table("checkin_jobs")
    op.drop_table("checkin_readiness")
    op.drop_table("checkin_outbox")
    op.drop_table("checkin_schedules")
