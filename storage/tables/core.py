"""Core tables: accounts, profiles, uploads and long jobs. Every domain row points at an account."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Account(SQLModel, table=True):
    """A person who signs in. `username` is also Chainlit's user identifier."""

    __tablename__ = "accounts"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    password_hash: str
    display_name: str = ""
    is_admin: bool = False
    timezone: str = "UTC"
    unit_system: str = "metric"  # metric | imperial: how loads and body weight are shown
    created_at: datetime = Field(default_factory=utcnow)


class Profile(SQLModel, table=True):
    """What the coach knows about the person's body and training age (one row per account)."""

    __tablename__ = "profiles"

    account_id: int = Field(foreign_key="accounts.id", primary_key=True, ondelete="CASCADE")
    sex: str | None = None  # male | female
    birth_year: int | None = None
    height_cm: float | None = None
    activity_level: str | None = None  # sedentary | light | moderate | active | very_active
    experience: str | None = None  # beginner | intermediate | advanced
    goal: str | None = None  # lose | maintain | gain
    stance: str | None = None  # orthodox | southpaw (boxing)
    e1rm_formula: str | None = None  # rpe_table (default) | mean | epley | brzycki: how e1RMs are estimated
    typed_load_unit: str | None = None  # kg | lb: the unit of loads typed without one, once the person said so
    updated_at: datetime = Field(default_factory=utcnow)


class Upload(SQLModel, table=True):
    """A file the person attached, stored before anything analyses it (nothing is lost on failure)."""

    __tablename__ = "uploads"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    thread_id: str | None = Field(default=None, index=True)
    filename: str
    mime: str
    size_bytes: int
    sha256: str = Field(index=True, max_length=64)
    path: str  # relative to the data dir
    created_at: datetime = Field(default_factory=utcnow)


class Job(SQLModel, table=True):
    """A long-running analysis: its state lives here, not in a process, so any process can report it."""

    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("account_id", "idempotency_key", name="uq_jobs_idempotency"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    kind: str = Field(index=True, max_length=64)
    status: str = Field(default="queued", index=True, max_length=16)  # queued|running|done|failed|cancelled
    progress: float = 0.0
    message: str = ""
    thread_id: str | None = None
    upload_id: str | None = Field(default=None, foreign_key="uploads.id", ondelete="SET NULL")
    idempotency_key: str | None = Field(default=None, max_length=128)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ChatSession(SQLModel, table=True):
    """Which chat thread a browser tab's socket session is in, kept where every app process can read it.

    Chainlit keeps sessions in the memory of the process holding the socket. When that process dies, the
    tab reconnects (same session id) to another process, which would start a fresh thread: the next line
    would land outside the conversation. This row lets the new process resume the tab's thread instead.
    """

    __tablename__ = "chat_sessions"

    session_id: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    thread_id: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)
