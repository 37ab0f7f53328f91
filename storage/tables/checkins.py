"""Check-in tables: schedules the person set, the outbox of coach messages, readiness answers.

The schedules table is the truth about what should fire; APScheduler's job table (`checkin_jobs`,
created by the same migration) is only the timer. Every message is written to the outbox (pending)
before anything tries to deliver it, keyed by schedule id + scheduled fire time, so a crash or a
second scheduler can neither lose it nor send it twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables.core import new_id, utcnow


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite forgets the zone; this puts it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_column(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable))


def _utc_now_column() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class CheckinSchedule(SQLModel, table=True):
    """One recurring or one-off check-in of one person, in that person's timezone."""

    __tablename__ = "checkin_schedules"
    __table_args__ = (UniqueConstraint("account_id", "confirm_token", name="uq_checkin_schedules_token"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=32)  # reminder | missing_meals | workout | weekly_review | readiness
    text: str = ""  # the reminder's words ("log dinner"); a label for the other kinds
    rule: str = Field(max_length=16)  # daily | weekly | once
    weekdays: str = ""  # "0,6" (Mon=0) for weekly rules
    hour: int = 0
    minute: int = 0
    timezone: str = Field(default="UTC", max_length=64)
    run_at: datetime | None = _utc_column()  # one-off: the UTC instant
    active: bool = Field(default=True, index=True)
    # Occurrences at or before this instant are done (fired, or older than the schedule itself).
    fired_through: datetime = _utc_now_column()
    confirm_token: str | None = Field(default=None, max_length=64)  # the Save button's token: saving twice is a no-op
    created_at: datetime = _utc_now_column()
    updated_at: datetime = _utc_now_column()
    cancelled_at: datetime | None = _utc_column()


class CheckinOutbox(SQLModel, table=True):
    """A coach message due for one person: pending → sending → delivered (never deleted, never doubled)."""

    __tablename__ = "checkin_outbox"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_checkin_outbox_key"),
        Index("ix_checkin_outbox_account_status", "account_id", "status"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    schedule_id: int | None = Field(default=None, foreign_key="checkin_schedules.id", ondelete="SET NULL")
    kind: str = Field(max_length=32)
    idempotency_key: str = Field(max_length=128)  # "<schedule id>@<scheduled UTC instant>"
    scheduled_for: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    text: str
    actions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    late: bool = False  # written after the app was down or asleep at the scheduled time
    status: str = Field(default="pending", max_length=16)  # pending | sending | delivered
    session_id: str | None = Field(default=None, max_length=64)  # the chat session that showed it
    claimed_at: datetime | None = _utc_column()
    delivered_at: datetime | None = _utc_column()
    created_at: datetime = _utc_now_column()


class ReadinessAnswer(SQLModel, table=True):
    """How ready the person felt on a day (1 = wrecked … 5 = great); one answer per local day, last wins."""

    __tablename__ = "checkin_readiness"
    __table_args__ = (UniqueConstraint("account_id", "day", name="uq_checkin_readiness_day"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    day: date
    score: int
    outbox_id: str | None = Field(default=None, max_length=32)
    source: str = Field(default="chat", max_length=16)  # button | chat | cli
    created_at: datetime = _utc_now_column()
