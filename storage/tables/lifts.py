"""Lift video lab tables: videos, analyses, reps and load-velocity profiles.

- `lift_videos`: one row per distinct video file of an account (sha256), with what the container
  really holds (size as displayed, rotation, measured frame rate, duration, codec, VFR, HDR).
- `lift_analyses`: one analysis of a video (lift, load, scale, summary numbers, full JSON result),
  linked to the logged training set (`training_set_id`, nullable: set when a set of that lift was
  logged) and to the job and upload it came from.
- `lift_reps`: one row per rep with every metric and its uncertainty (SI units in the column names).
- `lift_profiles`: per account and lift, the minimum velocity threshold in use and the last fitted
  load-velocity line and e1RM (recomputed from the analyses whenever one is added).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables.core import new_id, utcnow


class LiftVideo(SQLModel, table=True):
    __tablename__ = "lift_videos"
    __table_args__ = (UniqueConstraint("account_id", "sha256", name="uq_lift_videos_account_sha"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    upload_id: str | None = Field(default=None, foreign_key="uploads.id", ondelete="SET NULL", max_length=32)
    path: str  # relative to the files dir for uploads, absolute for CLI runs
    sha256: str = Field(max_length=64)
    size_bytes: int = 0
    width: int
    height: int
    rotation: int = 0
    fps: float
    duration_s: float
    frame_count: int | None = None
    codec: str = ""
    vfr: bool = False
    hdr: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class LiftAnalysisRow(SQLModel, table=True):
    __tablename__ = "lift_analyses"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    video_id: str = Field(foreign_key="lift_videos.id", index=True, ondelete="CASCADE", max_length=32)
    job_id: str | None = Field(default=None, max_length=32)
    training_set_id: str | None = Field(
        default=None, foreign_key="training_sets.id", index=True, ondelete="SET NULL", max_length=32
    )
    lift: str = Field(max_length=16)
    exercise_id: str | None = Field(default=None, max_length=64)
    load_kg: float | None = None
    source: str = Field(default="plate", max_length=16)  # plate | wrists
    scale_method: str = ""
    px_per_m: float = 0.0
    scale_rel_sd: float = 0.0
    rep_count: int = 0
    best_mcv_m_s: float | None = None
    best_mcv_sd_m_s: float | None = None
    last_mcv_m_s: float | None = None
    velocity_loss_pct: float | None = None
    annotated_path: str | None = None  # relative to the files dir
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class LiftRep(SQLModel, table=True):
    __tablename__ = "lift_reps"

    id: int | None = Field(default=None, primary_key=True)
    analysis_id: str = Field(foreign_key="lift_analyses.id", index=True, ondelete="CASCADE", max_length=32)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    number: int
    start_s: float
    end_s: float
    rom_m: float
    rom_sd_m: float
    concentric_s: float
    concentric_sd_s: float
    mcv_m_s: float
    mcv_sd_m_s: float
    peak_velocity_m_s: float
    peak_velocity_sd_m_s: float
    mpv_m_s: float
    mpv_sd_m_s: float
    horizontal_dev_m: float
    horizontal_dev_sd_m: float
    eccentric_s: float | None = None
    velocity_loss_pct: float = 0.0


class LiftProfileRow(SQLModel, table=True):
    __tablename__ = "lift_profiles"

    account_id: int = Field(foreign_key="accounts.id", primary_key=True, ondelete="CASCADE")
    lift: str = Field(primary_key=True, max_length=16)
    mvt_m_s: float
    mvt_custom: bool = False  # set by the person (else the lift's default)
    slope_m_s_per_kg: float | None = None
    intercept_m_s: float | None = None
    r2: float | None = None
    points: int = 0
    e1rm_kg: float | None = None
    e1rm_sd_kg: float | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class LiftRepLabel(SQLModel, table=True):
    """One label the athlete gave a rep of an analysed set: "a rep", "not a rep", "ends too early/late",
    or "missed one after this" (a rep the segmentation did not find). The rep's bar-trace features are kept
    with the label, so the segmentation can learn from them with no video pass. Rows are never edited:
    the latest per (analysis, rep) counts, the rest is history."""

    __tablename__ = "lift_rep_labels"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    analysis_id: str = Field(foreign_key="lift_analyses.id", index=True, ondelete="CASCADE", max_length=32)
    lift: str = Field(max_length=16)
    rep_number: int  # for "missed one after this": the rep it follows
    t_start_s: float = 0.0
    t_end_s: float = 0.0
    label: str = Field(max_length=16)  # ok | not_a_rep | ends_early | ends_late | missed_after
    features: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    labelled_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
