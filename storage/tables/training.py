"""Training tables: exercise library, maxes, programs (versioned), drafts, schedule, sessions and sets.

Schema for other readers (analytics, lift video):
- `training_sets` is one performed set: `id` (stable 32-hex id, never reused), `account_id`,
  `session_id`, `exercise_id` (→ `training_exercises.id`), `load_kg` (external load in kg; 0 for pure
  bodyweight; `added_load` marks "bodyweight + load_kg"), `reps`, `rpe` (nullable, RIR stored as 10-RIR),
  `warmup`, `set_type` (normal|warmup|drop|failure), `amrap`, `e1rm_kg` (computed at write time by
  `training.e1rm.e1rm_kg`: RPE chart when RPE ≥ 7, else the Epley/Brzycki mean for ≤ 10 reps, else
  NULL), `performed_at` (aware UTC), `distance_m`/`duration_s` for carries and cardio, `group_label`
  (superset), `entered_value`/`entered_unit` (what the person typed, for display), `notes`.
- Muscle groups per exercise are in `training_exercise_muscles` (role primary|secondary); built-in
  exercises have `account_id` NULL and mirror `training/data/exercises.toml`.
- `storage.training.last_set(account_id, exercise_id)` returns the set just logged for a lift.
Every other row belongs to an account and every query filters by it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables.core import new_id, utcnow


class TrainingExercise(SQLModel, table=True):
    """A library exercise (account_id NULL: built in) or a person's own (imports, custom lifts)."""

    __tablename__ = "training_exercises"

    id: str = Field(primary_key=True, max_length=64)
    account_id: int | None = Field(default=None, foreign_key="accounts.id", index=True, ondelete="CASCADE")
    name: str
    name_key: str = Field(index=True, max_length=128)
    category: str = Field(default="other", max_length=32)
    equipment: str = Field(default="other", max_length=32)
    barbell: bool = False
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class TrainingExerciseMuscle(SQLModel, table=True):
    """Which muscle groups an exercise trains (primary counts 1 hard set, secondary 0.5)."""

    __tablename__ = "training_exercise_muscles"

    exercise_id: str = Field(foreign_key="training_exercises.id", primary_key=True, max_length=64, ondelete="CASCADE")
    muscle: str = Field(primary_key=True, max_length=32)
    role: str = Field(default="primary", max_length=16)


class TrainingMax(SQLModel, table=True):
    """A 1RM and/or training max for a lift at a point in time (the latest row is current)."""

    __tablename__ = "training_maxes"
    __table_args__ = (Index("ix_training_maxes_account_exercise", "account_id", "exercise_id", "recorded_at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    exercise_id: str = Field(foreign_key="training_exercises.id", max_length=64)
    one_rm_kg: float | None = None
    training_max_kg: float | None = None
    source: str = Field(default="stated", max_length=16)  # stated | tested | estimated | program
    recorded_at: datetime = Field(default_factory=utcnow)


class TrainingProgram(SQLModel, table=True):
    """One version of a program; an approved edit adds a version with the same `lineage_id`."""

    __tablename__ = "training_programs"
    __table_args__ = (
        UniqueConstraint("account_id", "lineage_id", "version", name="uq_training_program_version"),
        Index("ix_training_programs_account_status", "account_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    lineage_id: str = Field(default_factory=new_id, max_length=32)
    version: int = 1
    name: str
    template: str | None = Field(default=None, max_length=64)
    status: str = Field(default="active", max_length=16)  # active | superseded | archived
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    start_date: date
    change_note: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class TrainingDraft(SQLModel, table=True):
    """A change waiting for the person's approval (new program, edit, progression); never applied unasked."""

    __tablename__ = "training_drafts"
    __table_args__ = (Index("ix_training_drafts_account_status", "account_id", "status"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    kind: str = Field(max_length=16)  # program | edit | progression
    base_program_id: int | None = Field(default=None, foreign_key="training_programs.id", ondelete="SET NULL")
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    summary: str = ""
    request: str = ""
    status: str = Field(default="pending", max_length=16)  # pending | approved | discarded | superseded
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None


class TrainingScheduledSession(SQLModel, table=True):
    """A workout of a program planned for a date; done once sets are logged against it."""

    __tablename__ = "training_scheduled_sessions"
    __table_args__ = (Index("ix_training_scheduled_account_date", "account_id", "status", "planned_date"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    program_id: int = Field(foreign_key="training_programs.id", index=True, ondelete="CASCADE")
    lineage_id: str = Field(max_length=32, index=True)
    week_index: int
    day_index: int
    name: str
    planned_date: date
    status: str = Field(default="planned", max_length=16)  # planned | done | skipped | replaced
    logged_session_id: str | None = Field(default=None, max_length=32)


class TrainingSession(SQLModel, table=True):
    """A performed workout: from chat (sets logged within a few hours) or an import."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        UniqueConstraint("account_id", "external_key", name="uq_training_session_external"),
        Index("ix_training_sessions_account_started", "account_id", "started_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    program_id: int | None = Field(default=None, foreign_key="training_programs.id", ondelete="SET NULL")
    scheduled_id: int | None = Field(default=None, foreign_key="training_scheduled_sessions.id", ondelete="SET NULL")
    name: str = ""
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    duration_s: float | None = None
    notes: str = ""
    source: str = Field(default="chat", max_length=16)  # chat | strong | hevy | csv
    external_key: str | None = Field(default=None, max_length=160)
    created_at: datetime = Field(default_factory=utcnow)


class TrainingSet(SQLModel, table=True):
    """One performed set (see the module docstring for what each column means)."""

    __tablename__ = "training_sets"
    __table_args__ = (
        Index("ix_training_sets_account_time", "account_id", "performed_at"),
        Index("ix_training_sets_account_exercise_time", "account_id", "exercise_id", "performed_at"),
        Index("ix_training_sets_best_load", "account_id", "exercise_id", "warmup", "load_kg", "reps"),
        Index("ix_training_sets_best_e1rm", "account_id", "exercise_id", "warmup", "e1rm_kg"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    session_id: str = Field(foreign_key="training_sessions.id", index=True, max_length=32, ondelete="CASCADE")
    exercise_id: str = Field(foreign_key="training_exercises.id", max_length=64)
    set_index: int = 1
    load_kg: float = 0.0
    added_load: bool = False
    reps: int = 0
    rpe: float | None = None
    warmup: bool = False
    set_type: str = Field(default="normal", max_length=16)
    amrap: bool = False
    group_label: str | None = Field(default=None, max_length=8)
    e1rm_kg: float | None = None
    entered_value: float | None = None
    entered_unit: str | None = Field(default=None, max_length=4)
    distance_m: float | None = None
    duration_s: float | None = None
    notes: str = ""
    performed_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)


class TrainingProgress(SQLModel, table=True):
    """Progression state of one lift slot in a program lineage (working load, stage, misses, TM)."""

    __tablename__ = "training_progress"
    __table_args__ = (UniqueConstraint("account_id", "lineage_id", "slot", name="uq_training_progress_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    lineage_id: str = Field(max_length=32)
    slot: str = Field(max_length=96)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class TrainingSettings(SQLModel, table=True):
    """A person's bar and plates (and dumbbell/machine steps) for load rounding and plate maths."""

    __tablename__ = "training_settings"

    account_id: int = Field(foreign_key="accounts.id", primary_key=True, ondelete="CASCADE")
    equipment: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
