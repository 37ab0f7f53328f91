"""Training repository: library sync, maxes, equipment, drafts, program versions and schedule, sessions
and sets (with the queries PR detection needs), progression state, Strong/Hevy import and CSV export.

Every function filters by account. Multi-row writes (approving a program, logging a message's sets,
importing a file) are one transaction each, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, overload

from sqlalchemy import Engine, delete, func, or_, update
from sqlalchemy.sql.expression import Executable
from sqlmodel import Session, col, select

from storage.accounts import account_context
from storage.engine import get_engine, read_session, transaction
from storage.tables.core import new_id, utcnow
from storage.tables.training import (
    TrainingDraft,
    TrainingExercise,
    TrainingExerciseMuscle,
    TrainingMax,
    TrainingProgram,
    TrainingProgress,
    TrainingScheduledSession,
    TrainingSession,
    TrainingSet,
    TrainingSettings,
)
from training.csvio import ExportRow, ImportReport
from training.library import library, normalise
from training.loads import Max
from training.model import Program
from training.plates import Equipment
from training.progression import SlotState
from training.prs import Bests
from training.sets import SetRecord

OPEN_SESSION_HOURS = 4.0  # sets logged within this long of the last one belong to the same session


class DraftGone(LookupError):
    """The draft was already approved, discarded or replaced by a newer one."""


@overload
def aware(dt: datetime) -> datetime: ...
@overload
def aware(dt: None) -> None: ...
def aware(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored here is UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


# --------------------------------------------------------------------------- library
_SYNCED: set[str] = set()
_SYNC_LOCK = threading.Lock()


def ensure_library(engine: Engine | None = None) -> None:
    """Mirror the built-in exercise library into `training_exercises` (once per database per process).

    Race-safe: several processes or threads seeding a fresh database at once each insert with
    `ON CONFLICT DO NOTHING`, so whoever comes second skips the rows instead of failing the turn
    (five people logging their first sets at once hit `UNIQUE constraint failed` before).
    """
    eng = engine or get_engine()
    key = str(eng.url) + f"#{len(library())}"
    if key in _SYNCED:
        return
    with _SYNC_LOCK:
        if key in _SYNCED:
            return
        exercises = [
            {"id": ex.id, "account_id": None, "name": ex.name, "name_key": normalise(ex.name),
             "category": ex.category, "equipment": ex.equipment, "barbell": ex.barbell,
             "aliases": list(ex.aliases), "created_at": utcnow()}
            for ex in library().exercises
        ]  # fmt: skip
        muscles = [
            {"exercise_id": ex.id, "muscle": m, "role": role}
            for ex in library().exercises
            for role, names in (("primary", ex.primary), ("secondary", ex.secondary))
            for m in names
        ]
        with transaction(eng) as s:
            have = set(s.exec(select(col(TrainingExercise.id)).where(col(TrainingExercise.account_id).is_(None))).all())
            missing = [row for row in exercises if row["id"] not in have]
            if missing:
                ids = {row["id"] for row in missing}
                _insert_ignoring_conflicts(s, TrainingExercise, missing)
                _insert_ignoring_conflicts(s, TrainingExerciseMuscle, [m for m in muscles if m["exercise_id"] in ids])
        _SYNCED.add(key)


def _insert_ignoring_conflicts(s: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL (rows another writer added are kept)."""
    if not rows:
        return
    name = s.get_bind().dialect.name
    stmt: Executable
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table.__table__).values(rows).on_conflict_do_nothing()
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table.__table__).values(rows).on_conflict_do_nothing()
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database dialect {name!r}")
    s.execute(stmt)


def custom_exercise_id(account_id: int, name: str) -> str:
    return f"u{account_id}_{normalise(name).replace(' ', '_')}"[:64]


def get_or_create_custom_exercise(account_id: int, name: str, s: Session) -> str:
    """A person's own exercise for a name the library does not know (imports never drop a lift)."""
    key = normalise(name)
    found = s.exec(
        select(TrainingExercise).where(
            col(TrainingExercise.account_id) == account_id, col(TrainingExercise.name_key) == key
        )
    ).first()
    if found is not None:
        return found.id
    shown = name.strip()
    shown = shown.title() if shown == shown.lower() else shown
    ex = TrainingExercise(
        id=custom_exercise_id(account_id, name), account_id=account_id, name=shown, name_key=key, aliases=[]
    )
    s.add(ex)
    s.flush()
    return ex.id


def create_custom_exercise(account_id: int, name: str, engine: Engine | None = None) -> str:
    ensure_library(engine)
    with transaction(engine) as s:
        return get_or_create_custom_exercise(account_id, name, s)


def find_custom_exercise(account_id: int, name: str, engine: Engine | None = None) -> TrainingExercise | None:
    with read_session(engine) as s:
        return s.exec(
            select(TrainingExercise).where(
                col(TrainingExercise.account_id) == account_id, col(TrainingExercise.name_key) == normalise(name)
            )
        ).first()


def exercise_names(account_id: int, ids: list[str], engine: Engine | None = None) -> dict[str, str]:
    out = {i: library().by_id[i].name for i in ids if i in library().by_id}
    rest = [i for i in ids if i not in out]
    if rest:
        with read_session(engine) as s:
            for ex in s.exec(
                select(TrainingExercise).where(
                    col(TrainingExercise.id).in_(rest),
                    or_(col(TrainingExercise.account_id).is_(None), col(TrainingExercise.account_id) == account_id),
                )
            ):
                out[ex.id] = ex.name
    return out


# --------------------------------------------------------------------------- account bits
def display_unit(account_id: int, engine: Engine | None = None) -> str:
    """kg or lb, from the account's unit system (storage.accounts.account_context)."""
    return account_context(account_id, engine).mass_unit


def account_tz(account_id: int, engine: Engine | None = None) -> str:
    """The account's timezone name (storage.accounts.account_context: UTC when unset or unknown)."""
    return account_context(account_id, engine).timezone


def get_equipment(account_id: int, engine: Engine | None = None) -> Equipment:
    """The person's bar and plates; defaults follow their unit (20 kg bar + kg plates, or 45 lb + lb plates)."""
    with read_session(engine) as s:
        row = s.get(TrainingSettings, account_id)
    if row is not None and row.equipment:
        return Equipment.from_dict(row.equipment)
    return Equipment.default(display_unit(account_id, engine))


def set_equipment(account_id: int, eq: Equipment, engine: Engine | None = None) -> None:
    with transaction(engine) as s:
        row = s.get(TrainingSettings, account_id) or TrainingSettings(account_id=account_id)
        row.equipment = eq.as_dict()
        row.updated_at = utcnow()
        s.add(row)


# --------------------------------------------------------------------------- maxes
def set_max(
    account_id: int,
    exercise_id: str,
    *,
    one_rm_kg: float | None = None,
    training_max_kg: float | None = None,
    source: str = "stated",
    engine: Engine | None = None,
) -> TrainingMax:
    ensure_library(engine)
    with transaction(engine) as s:
        row = TrainingMax(
            account_id=account_id,
            exercise_id=exercise_id,
            one_rm_kg=one_rm_kg,
            training_max_kg=training_max_kg,
            source=source,
        )
        s.add(row)
        return row


def get_maxes(account_id: int, engine: Engine | None = None) -> dict[str, Max]:
    """The latest stated/tested max per lift (a later row replaces an earlier one)."""
    with read_session(engine) as s:
        rows = s.exec(
            select(TrainingMax)
            .where(col(TrainingMax.account_id) == account_id)
            .order_by(col(TrainingMax.recorded_at), col(TrainingMax.id))
        ).all()
    out: dict[str, Max] = {}
    for r in rows:
        prev = out.get(r.exercise_id, Max())
        out[r.exercise_id] = Max(
            r.one_rm_kg if r.one_rm_kg is not None else prev.one_rm_kg,
            r.training_max_kg if r.training_max_kg is not None else (None if r.one_rm_kg else prev.training_max_kg),
        )
    return out


# --------------------------------------------------------------------------- drafts
def create_draft(
    account_id: int,
    kind: str,
    spec: dict[str, Any],
    *,
    summary: str = "",
    request: str = "",
    base_program_id: int | None = None,
    engine: Engine | None = None,
) -> TrainingDraft:
    """Store a pending change; an older pending draft of the same kind is superseded (one at a time)."""
    with transaction(engine) as s:
        s.exec(
            update(TrainingDraft)
            .where(
                col(TrainingDraft.account_id) == account_id,
                col(TrainingDraft.kind) == kind,
                col(TrainingDraft.status) == "pending",
            )
            .values(status="superseded", resolved_at=utcnow())
        )
        d = TrainingDraft(
            account_id=account_id,
            kind=kind,
            spec=spec,
            summary=summary,
            request=request,
            base_program_id=base_program_id,
        )
        s.add(d)
        return d


def get_draft(account_id: int, draft_id: str, engine: Engine | None = None) -> TrainingDraft | None:
    with read_session(engine) as s:
        d = s.get(TrainingDraft, draft_id)
    return d if d is not None and d.account_id == account_id else None


def latest_pending_draft(
    account_id: int, kind: str | None = None, engine: Engine | None = None
) -> TrainingDraft | None:
    with read_session(engine) as s:
        q = select(TrainingDraft).where(
            col(TrainingDraft.account_id) == account_id, col(TrainingDraft.status) == "pending"
        )
        if kind:
            q = q.where(col(TrainingDraft.kind) == kind)
        return s.exec(q.order_by(col(TrainingDraft.created_at).desc()).limit(1)).first()


def _take_draft(s: Session, account_id: int, draft_id: str, status: str) -> TrainingDraft:
    d = s.get(TrainingDraft, draft_id)
    if d is None or d.account_id != account_id:
        raise DraftGone("I can't find that draft.")
    if d.status != "pending":
        raise DraftGone(f"That draft was already {d.status}.")
    d.status, d.resolved_at = status, utcnow()
    s.add(d)
    return d


def discard_draft(account_id: int, draft_id: str, engine: Engine | None = None) -> TrainingDraft:
    with transaction(engine) as s:
        return _take_draft(s, account_id, draft_id, "discarded")


# --------------------------------------------------------------------------- programs
def _schedule(
    s: Session, account_id: int, row: TrainingProgram, program: Program, start: date, skip: set[tuple[int, int]]
) -> None:
    assert row.id is not None, "the program row is flushed before its sessions are planned"
    for week, day, name, d in program.planned_workouts(start):
        if (week, day) in skip:
            continue
        s.add(
            TrainingScheduledSession(
                account_id=account_id,
                program_id=row.id,
                lineage_id=row.lineage_id,
                week_index=week,
                day_index=day,
                name=name,
                planned_date=d,
            )
        )


def activate_program(
    account_id: int,
    program: Program,
    *,
    start: date,
    lineage_id: str | None = None,
    change_note: str = "",
    draft_id: str | None = None,
    initial_states: dict[str, SlotState] | None = None,
    maxes_kg: dict[str, float] | None = None,
    engine: Engine | None = None,
) -> TrainingProgram:
    """Save `program` as the active one (a new version when `lineage_id` names an existing program).

    One transaction: the draft is marked approved, the previous active program is superseded (same
    lineage) or archived (another one), sessions are scheduled (sessions already done in this lineage
    are kept, not re-planned), and progression state is seeded for lifts that have none yet.
    """
    ensure_library(engine)
    with transaction(engine) as s:
        if draft_id:
            _take_draft(s, account_id, draft_id, "approved")
        for ex_id, kg in (maxes_kg or {}).items():
            s.add(TrainingMax(account_id=account_id, exercise_id=ex_id, one_rm_kg=kg, source="stated"))
        version = 1
        done: set[tuple[int, int]] = set()
        if lineage_id:
            prev = s.exec(
                select(TrainingProgram)
                .where(col(TrainingProgram.account_id) == account_id, col(TrainingProgram.lineage_id) == lineage_id)
                .order_by(col(TrainingProgram.version).desc())
            ).first()
            if prev is None:
                raise DraftGone("The program this edit was made for no longer exists.")
            version = prev.version + 1
            start = prev.start_date
            done = {
                (r.week_index, r.day_index)
                for r in s.exec(
                    select(TrainingScheduledSession).where(
                        col(TrainingScheduledSession.account_id) == account_id,
                        col(TrainingScheduledSession.lineage_id) == lineage_id,
                        col(TrainingScheduledSession.status) != "planned",
                    )
                )
            }
            s.exec(
                update(TrainingScheduledSession)
                .where(
                    col(TrainingScheduledSession.account_id) == account_id,
                    col(TrainingScheduledSession.lineage_id) == lineage_id,
                    col(TrainingScheduledSession.status) == "planned",
                )
                .values(status="replaced")
            )
        for old in s.exec(
            select(TrainingProgram).where(
                col(TrainingProgram.account_id) == account_id, col(TrainingProgram.status) == "active"
            )
        ):
            old.status = "superseded" if old.lineage_id == lineage_id else "archived"
            s.add(old)
            if old.lineage_id != lineage_id:
                s.exec(
                    update(TrainingScheduledSession)
                    .where(
                        col(TrainingScheduledSession.program_id) == old.id,
                        col(TrainingScheduledSession.status) == "planned",
                    )
                    .values(status="replaced")
                )
        row = TrainingProgram(
            account_id=account_id,
            lineage_id=lineage_id or new_id(),
            version=version,
            name=program.name,
            template=program.template,
            status="active",
            spec=program.model_dump(mode="json"),
            start_date=start,
            change_note=change_note,
        )
        s.add(row)
        s.flush()
        _schedule(s, account_id, row, program, start, done)
        have = {
            p.slot
            for p in s.exec(
                select(TrainingProgress).where(
                    col(TrainingProgress.account_id) == account_id, col(TrainingProgress.lineage_id) == row.lineage_id
                )
            )
        }
        for slot, st in (initial_states or {}).items():
            if slot not in have:
                s.add(TrainingProgress(account_id=account_id, lineage_id=row.lineage_id, slot=slot, state=st.as_dict()))
        return row


def active_program(account_id: int, engine: Engine | None = None) -> tuple[TrainingProgram, Program] | None:
    with read_session(engine) as s:
        row = s.exec(
            select(TrainingProgram)
            .where(col(TrainingProgram.account_id) == account_id, col(TrainingProgram.status) == "active")
            .order_by(col(TrainingProgram.created_at).desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    return row, Program.model_validate(row.spec)


def get_program(
    account_id: int, program_id: int, engine: Engine | None = None
) -> tuple[TrainingProgram, Program] | None:
    with read_session(engine) as s:
        row = s.get(TrainingProgram, program_id)
    if row is None or row.account_id != account_id:
        return None
    return row, Program.model_validate(row.spec)


def program_versions(account_id: int, lineage_id: str, engine: Engine | None = None) -> list[TrainingProgram]:
    with read_session(engine) as s:
        return list(
            s.exec(
                select(TrainingProgram)
                .where(col(TrainingProgram.account_id) == account_id, col(TrainingProgram.lineage_id) == lineage_id)
                .order_by(col(TrainingProgram.version))
            )
        )


# --------------------------------------------------------------------------- schedule
def next_scheduled(account_id: int, engine: Engine | None = None) -> TrainingScheduledSession | None:
    """The first workout of the active program not done yet (missed ones slide forward, none is skipped)."""
    first = planned_queue(account_id, 1, engine)
    return first[0] if first else None


def planned_queue(account_id: int, limit: int, engine: Engine | None = None) -> list[TrainingScheduledSession]:
    """The active program's workouts not done yet, in program order (the first is `next_scheduled`)."""
    with read_session(engine) as s:
        return list(
            s.exec(
                select(TrainingScheduledSession)
                .join(TrainingProgram, col(TrainingProgram.id) == col(TrainingScheduledSession.program_id))
                .where(
                    col(TrainingScheduledSession.account_id) == account_id,
                    col(TrainingScheduledSession.status) == "planned",
                    col(TrainingProgram.status) == "active",
                )
                .order_by(col(TrainingScheduledSession.week_index), col(TrainingScheduledSession.day_index))
                .limit(limit)
            )
        )


def get_scheduled(account_id: int, scheduled_id: int, engine: Engine | None = None) -> TrainingScheduledSession | None:
    with read_session(engine) as s:
        r = s.get(TrainingScheduledSession, scheduled_id)
    return r if r is not None and r.account_id == account_id else None


def scheduled_counts(account_id: int, program_id: int, engine: Engine | None = None) -> dict[str, int]:
    with read_session(engine) as s:
        rows = s.exec(
            select(col(TrainingScheduledSession.status), func.count())
            .where(
                col(TrainingScheduledSession.account_id) == account_id,
                col(TrainingScheduledSession.program_id) == program_id,
            )
            .group_by(col(TrainingScheduledSession.status))
        ).all()
    return {k: int(v) for k, v in rows}


# --------------------------------------------------------------------------- sessions and sets
def open_session(account_id: int, now: datetime, engine: Engine | None = None) -> TrainingSession | None:
    """The chat session still going: its last set (or start) was within OPEN_SESSION_HOURS of `now`."""
    since = now - timedelta(hours=OPEN_SESSION_HOURS)
    with read_session(engine) as s:
        last = s.exec(
            select(col(TrainingSet.session_id), col(TrainingSet.performed_at))
            .where(col(TrainingSet.account_id) == account_id, col(TrainingSet.performed_at) >= since)
            .order_by(col(TrainingSet.performed_at).desc())
            .limit(1)
        ).first()
        if last is not None:
            sess = s.get(TrainingSession, last[0])
            if sess is not None and sess.source == "chat" and sess.ended_at is None:
                return sess
        return s.exec(
            select(TrainingSession)
            .where(
                col(TrainingSession.account_id) == account_id,
                col(TrainingSession.source) == "chat",
                col(TrainingSession.ended_at).is_(None),
                col(TrainingSession.started_at) >= since,
            )
            .order_by(col(TrainingSession.started_at).desc())
            .limit(1)
        ).first()


def _to_row(account_id: int, session_id: str, idx: int, r: SetRecord, now: datetime) -> TrainingSet:
    return TrainingSet(
        id=r.id or new_id(),
        account_id=account_id,
        session_id=session_id,
        exercise_id=r.exercise_id,
        set_index=idx,
        load_kg=round(r.load_kg, 3),
        added_load=bool(r.extra.get("added")),
        reps=r.reps,
        rpe=r.rpe,
        warmup=r.warmup,
        set_type=r.extra.get("set_type", "warmup" if r.warmup else "normal"),
        amrap=r.amrap,
        group_label=r.group,
        e1rm_kg=r.e1rm_kg,
        entered_value=r.extra.get("entered_value"),
        entered_unit=r.extra.get("entered_unit"),
        distance_m=r.extra.get("distance_m"),
        duration_s=r.extra.get("duration_s"),
        notes=r.notes,
        performed_at=r.performed_at or now,
    )


def log_sets(
    account_id: int,
    records: list[SetRecord],
    *,
    now: datetime,
    program_id: int | None = None,
    scheduled_id: int | None = None,
    session_name: str = "",
    engine: Engine | None = None,
) -> tuple[TrainingSession, list[TrainingSet]]:
    """Store a message's sets in the open chat session (or a new one) in one transaction.

    A new session is linked to `scheduled_id` (today's planned workout), which is then marked done.
    Every stored set gets `performed_at` = now (+1 µs per set, so their order survives) and its e1RM.
    """
    ensure_library(engine)
    existing = open_session(account_id, now, engine)
    with transaction(engine) as s:
        if existing is None:
            sess = TrainingSession(
                account_id=account_id,
                program_id=program_id,
                scheduled_id=scheduled_id,
                name=session_name,
                started_at=now,
                source="chat",
            )
            s.add(sess)
            s.flush()
            if scheduled_id is not None:
                sch = s.get(TrainingScheduledSession, scheduled_id)
                if sch is not None and sch.account_id == account_id and sch.status == "planned":
                    sch.status, sch.logged_session_id = "done", sess.id
                    s.add(sch)
        else:
            found = s.get(TrainingSession, existing.id)
            assert found is not None
            sess = found
        start_idx = s.exec(
            select(func.count()).select_from(TrainingSet).where(col(TrainingSet.session_id) == sess.id)
        ).one()
        rows = []
        for n, r in enumerate(records):
            if r.performed_at is None:
                r.performed_at = now + timedelta(microseconds=n)
            row = _to_row(account_id, sess.id, int(start_idx) + n + 1, r, now)
            s.add(row)
            rows.append(row)
        s.flush()
        return sess, rows


def session_sets(account_id: int, session_id: str, engine: Engine | None = None) -> list[TrainingSet]:
    with read_session(engine) as s:
        return list(
            s.exec(
                select(TrainingSet)
                .where(col(TrainingSet.account_id) == account_id, col(TrainingSet.session_id) == session_id)
                .order_by(col(TrainingSet.set_index))
            )
        )


def last_set(account_id: int, exercise_id: str | None = None, engine: Engine | None = None) -> TrainingSet | None:
    """The set just logged (for a lift, or any): what a lift video or a correction attaches to."""
    with read_session(engine) as s:
        q = select(TrainingSet).where(col(TrainingSet.account_id) == account_id)
        if exercise_id:
            q = q.where(col(TrainingSet.exercise_id) == exercise_id)
        # performed_at alone + LIMIT (the ORM buffers every row it is given): the (account, exercise,
        # performed_at) index answers it directly; sets of one message are a microsecond apart
        return s.exec(q.order_by(col(TrainingSet.performed_at).desc()).limit(1)).first()


def rep_max(account_id: int, exercise_id: str, reps: int, engine: Engine | None = None) -> TrainingSet | None:
    """The heaviest work set of a lift done for at least `reps` reps (the earliest when tied): its N-rep max."""
    with read_session(engine) as s:
        return s.exec(
            select(TrainingSet)
            .where(
                col(TrainingSet.account_id) == account_id,
                col(TrainingSet.exercise_id) == exercise_id,
                col(TrainingSet.warmup).is_(False),
                col(TrainingSet.reps) >= reps,
            )
            .order_by(col(TrainingSet.load_kg).desc(), col(TrainingSet.performed_at))
            .limit(1)
        ).first()


def get_set(account_id: int, set_id: str, engine: Engine | None = None) -> TrainingSet | None:
    with read_session(engine) as s:
        r = s.get(TrainingSet, set_id)
    return r if r is not None and r.account_id == account_id else None


def delete_sets(account_id: int, set_ids: list[str], engine: Engine | None = None) -> int:
    with transaction(engine) as s:
        res = s.exec(
            delete(TrainingSet).where(col(TrainingSet.account_id) == account_id, col(TrainingSet.id).in_(set_ids))
        )
        return int(res.rowcount or 0)


def end_session(account_id: int, session_id: str, now: datetime, engine: Engine | None = None) -> None:
    with transaction(engine) as s:
        sess = s.get(TrainingSession, session_id)
        if sess is not None and sess.account_id == account_id and sess.ended_at is None:
            sess.ended_at = now
            sess.duration_s = (now - aware(sess.started_at)).total_seconds()
            s.add(sess)


def to_record(row: TrainingSet) -> SetRecord:
    return SetRecord(
        exercise_id=row.exercise_id,
        load_kg=row.load_kg,
        reps=row.reps,
        rpe=row.rpe,
        performed_at=aware(row.performed_at),
        warmup=row.warmup,
        amrap=row.amrap,
        id=row.id,
        session_id=row.session_id,
        notes=row.notes,
        group=row.group_label,
        extra={"added": row.added_load, "set_type": row.set_type, "duration_s": row.duration_s},
    )


def bests(
    account_id: int, exercise_id: str, *, exclude_session: str | None = None, engine: Engine | None = None
) -> Bests:
    """A lift's records from its history (working sets), each answered by an index lookup."""
    eng = engine or get_engine()
    base = [
        col(TrainingSet.account_id) == account_id,
        col(TrainingSet.exercise_id) == exercise_id,
        col(TrainingSet.warmup).is_(False),
    ]
    if exclude_session:
        base.append(col(TrainingSet.session_id) != exclude_session)
    with read_session(eng) as s:
        max_load = s.exec(select(func.max(col(TrainingSet.load_kg))).where(*base)).one()
        max_e1 = s.exec(select(func.max(col(TrainingSet.e1rm_kg))).where(*base)).one()

    def reps_at(load_kg: float) -> int:
        with read_session(eng) as s2:
            v = s2.exec(
                select(func.max(col(TrainingSet.reps))).where(*base, col(TrainingSet.load_kg) >= load_kg - 1e-6)
            ).one()
        return int(v or 0)

    return Bests(exercise_id, max_load is not None, float(max_load or 0.0), float(max_e1 or 0.0), reps_at)


def session_volume(account_id: int, session_id: str, engine: Engine | None = None) -> float:
    with read_session(engine) as s:
        v = s.exec(
            select(func.sum(col(TrainingSet.load_kg) * col(TrainingSet.reps))).where(
                col(TrainingSet.account_id) == account_id,
                col(TrainingSet.session_id) == session_id,
                col(TrainingSet.warmup).is_(False),
            )
        ).one()
    return float(v or 0.0)


def e1rm_history(
    account_id: int, exercise_id: str, *, since: datetime | None = None, limit: int = 400, engine: Engine | None = None
) -> list[tuple[datetime, float]]:
    """Best e1RM per session for a lift, oldest first (for the chart under a logged set)."""
    conds = [
        col(TrainingSet.account_id) == account_id,
        col(TrainingSet.exercise_id) == exercise_id,
        col(TrainingSet.warmup).is_(False),
        col(TrainingSet.e1rm_kg).is_not(None),
    ]
    if since is not None:
        conds.append(col(TrainingSet.performed_at) >= since)
    with read_session(engine) as s:
        rows = s.exec(
            select(func.min(col(TrainingSet.performed_at)), func.max(col(TrainingSet.e1rm_kg)))
            .where(*conds)
            .group_by(col(TrainingSet.session_id))
            .order_by(func.min(col(TrainingSet.performed_at)).desc())
            .limit(limit)
        ).all()
    return sorted((aware(t), float(v)) for t, v in rows if v is not None)


def recent_e1rm(account_id: int, exercise_id: str, now: datetime, engine: Engine | None = None) -> float | None:
    """Best e1RM of the last 180 days (what 'known strength' means for the kg/lb mix-up check)."""
    with read_session(engine) as s:
        v = s.exec(
            select(func.max(col(TrainingSet.e1rm_kg))).where(
                col(TrainingSet.account_id) == account_id,
                col(TrainingSet.exercise_id) == exercise_id,
                col(TrainingSet.warmup).is_(False),
                col(TrainingSet.performed_at) >= now - timedelta(days=180),
            )
        ).one()
    return float(v) if v else None


def sessions_between(
    account_id: int, start: datetime, end: datetime, engine: Engine | None = None
) -> list[TrainingSession]:
    with read_session(engine) as s:
        return list(
            s.exec(
                select(TrainingSession)
                .where(
                    col(TrainingSession.account_id) == account_id,
                    col(TrainingSession.started_at) >= start,
                    col(TrainingSession.started_at) < end,
                )
                .order_by(col(TrainingSession.started_at))
            )
        )


# --------------------------------------------------------------------------- progression state
def get_progress(account_id: int, lineage_id: str, engine: Engine | None = None) -> dict[str, SlotState]:
    with read_session(engine) as s:
        rows = s.exec(
            select(TrainingProgress).where(
                col(TrainingProgress.account_id) == account_id, col(TrainingProgress.lineage_id) == lineage_id
            )
        ).all()
    return {r.slot: SlotState.from_dict(r.state) for r in rows}


def set_progress(
    account_id: int,
    lineage_id: str,
    slot: str,
    state: SlotState,
    s: Session | None = None,
    engine: Engine | None = None,
) -> None:
    def write(sess: Session) -> None:
        row = sess.exec(
            select(TrainingProgress).where(
                col(TrainingProgress.account_id) == account_id,
                col(TrainingProgress.lineage_id) == lineage_id,
                col(TrainingProgress.slot) == slot,
            )
        ).first()
        row = row or TrainingProgress(account_id=account_id, lineage_id=lineage_id, slot=slot)
        row.state, row.updated_at = state.as_dict(), utcnow()
        sess.add(row)

    if s is not None:
        write(s)
        return
    with transaction(engine) as sess:
        write(sess)


def approve_progression(
    account_id: int, draft_id: str, lineage_id: str, states: dict[str, SlotState], engine: Engine | None = None
) -> None:
    """Apply an approved progression draft's new states atomically."""
    with transaction(engine) as s:
        _take_draft(s, account_id, draft_id, "approved")
        for slot, st in states.items():
            set_progress(account_id, lineage_id, slot, st, s=s)


# --------------------------------------------------------------------------- import / export
@dataclass
class ImportResult:
    sessions_added: int
    sets_added: int
    duplicates: int
    custom_exercises: list[str]
    first: datetime | None
    last: datetime | None


def import_sessions(
    account_id: int, report: ImportReport, engine: Engine | None = None, *, replace: bool = False
) -> ImportResult:
    """Store parsed sessions in one transaction; sessions imported before (same external key) are skipped,
    or, with `replace` (a re-import in another unit), replaced with their sets."""
    ensure_library(engine)
    added = sets = dupes = 0
    customs: list[str] = []
    with transaction(engine) as s:
        keys = {sess.external_key for sess in report.sessions}
        if replace and keys:
            old_ids = list(
                s.exec(
                    select(col(TrainingSession.id)).where(
                        col(TrainingSession.account_id) == account_id, col(TrainingSession.external_key).in_(list(keys))
                    )
                ).all()
            )
            if old_ids:
                s.exec(delete(TrainingSet).where(col(TrainingSet.session_id).in_(old_ids)))
                s.exec(delete(TrainingSession).where(col(TrainingSession.id).in_(old_ids)))
        have = set(
            s.exec(
                select(col(TrainingSession.external_key)).where(
                    col(TrainingSession.account_id) == account_id, col(TrainingSession.external_key).in_(list(keys))
                )
            ).all()
        )
        for sess in report.sessions:
            if sess.external_key in have:
                dupes += 1
                continue
            have.add(sess.external_key)
            row = TrainingSession(
                account_id=account_id,
                name=sess.name,
                started_at=sess.started_at,
                source=sess.source,
                external_key=sess.external_key,
                duration_s=sess.duration_s,
                notes=sess.notes,
                ended_at=sess.started_at + timedelta(seconds=sess.duration_s) if sess.duration_s else sess.started_at,
            )
            s.add(row)
            s.flush()
            for n, st in enumerate(sess.sets, 1):
                ex_id = st.exercise_id
                if ex_id is None:
                    ex_id = get_or_create_custom_exercise(account_id, st.exercise_name, s)
                    if st.exercise_name not in customs:
                        customs.append(st.exercise_name)
                warm = st.warmup
                s.add(
                    TrainingSet(
                        account_id=account_id,
                        session_id=row.id,
                        exercise_id=ex_id,
                        set_index=n,
                        load_kg=st.load_kg,
                        reps=st.reps,
                        rpe=st.rpe,
                        warmup=warm,
                        set_type=st.set_type,
                        group_label=st.group,
                        e1rm_kg=st.e1rm_kg,
                        distance_m=st.distance_m,
                        duration_s=st.duration_s,
                        notes=st.notes,
                        performed_at=sess.started_at + timedelta(seconds=n),
                        entered_unit=None,
                    )
                )
                sets += 1
            added += 1
    starts = [x.started_at for x in report.sessions]
    return ImportResult(added, sets, dupes, customs, min(starts, default=None), max(starts, default=None))


def export_rows(
    account_id: int, start: datetime | None = None, end: datetime | None = None, engine: Engine | None = None
) -> list[ExportRow]:
    conds = [col(TrainingSet.account_id) == account_id]
    if start:
        conds.append(col(TrainingSet.performed_at) >= start)
    if end:
        conds.append(col(TrainingSet.performed_at) < end)
    with read_session(engine) as s:
        rows = s.exec(
            select(TrainingSet, TrainingSession)
            .join(TrainingSession, col(TrainingSession.id) == col(TrainingSet.session_id))
            .where(*conds)
            .order_by(col(TrainingSession.started_at), col(TrainingSet.set_index))
        ).all()
    names = exercise_names(account_id, sorted({r[0].exercise_id for r in rows}), engine)
    out = []
    order: dict[tuple[str, str], int] = {}
    for st, sess in rows:
        k = (sess.id, st.exercise_id)
        if st.set_type in ("warmup", "drop", "failure"):
            so = {"warmup": "W", "drop": "D", "failure": "F"}[st.set_type]
        else:
            order[k] = order.get(k, 0) + 1
            so = str(order[k])
        out.append(
            ExportRow(
                aware(sess.started_at),
                sess.name or "Workout",
                sess.duration_s,
                names.get(st.exercise_id, st.exercise_id),
                st.exercise_id,
                so,
                st.load_kg,
                st.reps,
                st.rpe,
                st.distance_m,
                st.duration_s,
                st.notes,
                sess.notes,
                st.id,
            )
        )
    return out


def count_sets(account_id: int, engine: Engine | None = None) -> int:
    with read_session(engine) as s:
        return int(
            s.exec(select(func.count()).select_from(TrainingSet).where(col(TrainingSet.account_id) == account_id)).one()
        )
