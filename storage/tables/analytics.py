"""Analytics tables: the last chart query of each chat thread (so follow-ups refine it) and the
coach's memory notes (the text is here; Chroma holds only its vectors, so the index can be rebuilt)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables.core import new_id, utcnow


class AnalyticsLastQuery(SQLModel, table=True):
    """The typed query behind the last chart of a thread ('only since March' refines this one)."""

    __tablename__ = "analytics_last_queries"
    __table_args__ = (UniqueConstraint("account_id", "thread_id", name="uq_analytics_last_query"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    thread_id: str = Field(max_length=128)
    query: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class AnalyticsNote(SQLModel, table=True):
    """A remembered note: session and workout notes, food notes, coach summaries, video summaries.

    `source_ref` names where a note came from ('note:<id>' for notes written here, 'training:<id>' for a
    note copied from a domain table) so re-indexing never duplicates it.
    """

    __tablename__ = "analytics_notes"
    __table_args__ = (
        UniqueConstraint("account_id", "source_ref", name="uq_analytics_note_ref"),
        Index("ix_analytics_notes_account_day", "account_id", "day"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="note", max_length=16)  # note | session | workout | food | coach | video | boxing
    day: date
    text: str
    source_ref: str = Field(max_length=96)
    created_at: datetime = Field(default_factory=utcnow)
