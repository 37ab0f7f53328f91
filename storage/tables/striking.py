"""Striking lab tables: analysed rounds, their punches, habit figures, and label corrections.

A round keeps its whole report (JSON) for follow-up questions; punches and habit figures are rows
too, so habits can be tracked across sessions with plain SQL. A correction keeps the punch's
keypoint window, so it is training data for the punch classifier on its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.tables.core import new_id, utcnow


class StrikeSession(SQLModel, table=True):
    __tablename__ = "strike_sessions"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    upload_id: str | None = Field(default=None, foreign_key="uploads.id", ondelete="SET NULL")
    job_id: str | None = Field(default=None, max_length=32)
    thread_id: str | None = None
    filename: str = ""
    duration_s: float = 0.0
    active_s: float = 0.0
    stance: str = ""
    punch_count: int = 0
    punches_per_minute: float | None = None
    classifier: str = "rules"
    video_path: str | None = None  # annotated video, relative to the data dir's files folder
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class StrikePunch(SQLModel, table=True):
    __tablename__ = "strike_punches"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="strike_sessions.id", index=True, ondelete="CASCADE")
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    number: int  # 1-based order in the round ("the third punch")
    t_peak_s: float
    t_onset_s: float
    return_s: float | None = None
    hand: str
    side: str
    kind: str
    target: str
    confidence: float
    source: str = "rules"
    reach_sizes: float = 0.0  # in athlete sizes (shoulder widths)
    peak_speed_sizes_s: float = 0.0
    other_hand_dropped: bool = False
    telegraphed: bool = False
    window: list[Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # (6, 17, 2) pixels


class StrikeHabit(SQLModel, table=True):
    """One habit figure of one round (name, value, unit): tracked over sessions."""

    __tablename__ = "strike_habits"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="strike_sessions.id", index=True, ondelete="CASCADE")
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=64)
    value: float
    unit: str = Field(max_length=16)  # share | s
    created_at: datetime = Field(default_factory=utcnow)


class StrikeCorrection(SQLModel, table=True):
    """A label the user corrected in chat: training data for the punch classifier."""

    __tablename__ = "strike_corrections"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    session_id: str = Field(foreign_key="strike_sessions.id", index=True, ondelete="CASCADE")
    punch_number: int
    old_kind: str
    new_kind: str
    new_shape: str  # none | straight | hook | uppercut (the classifier's classes)
    window: list[Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)


class StrikeLabel(SQLModel, table=True):
    """One label the athlete gave a moment of a round: a punch's type, "not a punch", or "missed one
    here" (a punch the detector did not find, by time). The keypoint window is kept with the label, so
    retraining needs no video pass. Rows are never edited: the latest per (round, punch) counts, the
    rest is history (who changed what, when)."""

    __tablename__ = "strike_labels"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    session_id: str = Field(foreign_key="strike_sessions.id", index=True, ondelete="CASCADE")
    upload_id: str | None = Field(default=None, max_length=32)  # the source clip
    punch_number: int | None = None  # None for "missed one here"
    t_start_s: float = 0.0
    t_peak_s: float = 0.0
    t_end_s: float = 0.0
    label: str  # jab | cross | lead_hook | rear_hook | lead_uppercut | rear_uppercut | none | missed
    shape: str  # the classifier's class: none | straight | hook | uppercut; "missed" for a missed punch
    predicted: str = ""  # corrected from: the kind the app had said ("" for a missed punch)
    predicted_confidence: float | None = None
    window: list[Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # (6, 17, 2) px
    source: str = "review"  # review (buttons) | correction (typed) | import
    labelled_by: int | None = None  # the account that gave the label
    created_at: datetime = Field(default_factory=utcnow)
