"""Analytics SQL: the aggregates the metric catalogue reads, the last query per thread, memory notes.

Aggregation happens in the database (one GROUP BY per question, by local day × exercise or by day),
so a chart over ten years of sets moves a few thousand rows into pandas, not a million. Every query
filters by account. Tables of other domains are looked up by name in the shared metadata, so a
domain whose tables have not landed yet gives `SourceMissing` (a clear "not available yet"), not an
import error. Days are the person's local days: UTC timestamps are shifted by their timezone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Date, Engine, Table, case, cast, delete, func, insert, literal, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from storage.accounts import account_context
from storage.engine import get_engine, read_session, transaction
from storage.tables import load_all
from storage.tables.analytics import AnalyticsLastQuery, AnalyticsNote
from storage.tables.core import utcnow


class SourceMissing(LookupError):
    """The tables a metric reads do not exist in this build (that domain has not landed)."""

    def __init__(self, domain: str, table: str):
        self.domain = domain
        self.table = table
        super().__init__(f"{domain} data is not available in this version (no '{table}' table).")


def table(name: str, domain: str) -> Table:
    """A table of any domain by name, or SourceMissing."""
    found = load_all().metadata.tables.get(name)
    if found is None:
        raise SourceMissing(domain, name)
    return found


def has_table(name: str) -> bool:
    return name in load_all().metadata.tables


def _eng(engine: Engine | None) -> Engine:
    return engine or get_engine()


def account_timezone(account_id: int, engine: Engine | None = None) -> str:
    """The account's timezone name (storage.accounts.account_context: UTC when unset or unknown)."""
    return account_context(account_id, engine).timezone


# --------------------------------------------------------------------------- time helpers
def utc_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    """UTC instants covering local days `start`..`end` (end exclusive at the next local midnight)."""
    zone = ZoneInfo(tz)
    lo = datetime.combine(start, time.min, zone).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    return lo, hi


def local_day(engine: Engine, column: Any, tz: str) -> ColumnElement:
    """SQL for the local calendar day of a UTC timestamp column (SQLite: today's UTC offset)."""
    if engine.dialect.name == "postgresql":
        return cast(func.timezone(tz, column), Date)
    offset = datetime.now(ZoneInfo(tz)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return func.date(column, f"{minutes:+d} minutes") if minutes else func.date(column)


def _within(column: Any, start: date, end: date, tz: str) -> tuple[ColumnElement, ColumnElement]:
    """Conditions for a UTC timestamp column inside local days `start`..`end` (inclusive)."""
    lo, hi = utc_bounds(start, end, tz)
    return column >= lo, column < hi  # utc_bounds gives aware UTC instants, as UTCDateTime needs


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    # Plain tuples: pandas probes SQLAlchemy Row objects attribute by attribute (10× slower).
    df = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    if "day" in df.columns and len(df):
        df["day"] = pd.to_datetime(df["day"]).dt.normalize()
    return df


# --------------------------------------------------------------------------- training
SET_COLUMNS = ("exercise_id", "load_kg", "reps", "rpe", "performed_at", "warmup")


def _sets_table() -> Table:
    return table("training_sets", "training")


def _working(t: Table, account_id: int) -> list[ColumnElement]:
    conds: list[ColumnElement] = [t.c.account_id == account_id]
    if "warmup" in t.c:
        conds.append(t.c.warmup == literal(False))
    return conds


def training_daily(
    account_id: int,
    start: date,
    end: date,
    tz: str = "UTC",
    exercise_ids: Iterable[str] | None = None,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Working sets aggregated per local day × exercise: sets, reps, tonnage, hard sets, top load, best e1RM."""
    eng = _eng(engine)
    t = _sets_table()
    day = local_day(eng, t.c.performed_at, tz).label("day")
    hard = case((t.c.rpe.is_(None), 1), (t.c.rpe >= 7, 1), else_=0)
    e1rm = func.max(t.c.e1rm_kg) if "e1rm_kg" in t.c else literal(None)
    stmt = (
        select(
            day,
            t.c.exercise_id,
            func.count().label("sets"),
            func.sum(t.c.reps).label("reps"),
            func.sum(t.c.load_kg * t.c.reps).label("tonnage_kg"),
            func.sum(hard).label("hard_sets"),
            func.max(t.c.load_kg).label("top_kg"),
            e1rm.label("e1rm_kg"),
        )
        .where(*_working(t, account_id), *_within(t.c.performed_at, start, end, tz))
        .group_by(day, t.c.exercise_id)
        .order_by(day)
    )
    ids = list(exercise_ids or [])
    if ids:
        stmt = stmt.where(t.c.exercise_id.in_(ids))
    cols = ["day", "exercise_id", "sets", "reps", "tonnage_kg", "hard_sets", "top_kg", "e1rm_kg"]
    with eng.connect() as conn:
        df = _frame(conn.execute(stmt).all(), cols)
    for c in ("sets", "reps", "hard_sets"):
        df[c] = df[c].astype("int64") if len(df) else df[c]
    return df


def training_sets(
    account_id: int,
    start: date,
    end: date,
    tz: str = "UTC",
    exercise_ids: Iterable[str] | None = None,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Working sets one row each (per-lift questions only: a lift's sets over a period are few)."""
    eng = _eng(engine)
    t = _sets_table()
    day = local_day(eng, t.c.performed_at, tz).label("day")
    stmt = select(day, t.c.exercise_id, t.c.load_kg, t.c.reps, t.c.rpe).where(
        *_working(t, account_id), *_within(t.c.performed_at, start, end, tz)
    )
    ids = list(exercise_ids or [])
    if ids:
        stmt = stmt.where(t.c.exercise_id.in_(ids))
    with eng.connect() as conn:
        return _frame(
            conn.execute(stmt.order_by(t.c.performed_at)).all(), ["day", "exercise_id", "load_kg", "reps", "rpe"]
        )


def rpe_counts(
    account_id: int,
    start: date,
    end: date,
    tz: str = "UTC",
    exercise_ids: Iterable[str] | None = None,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Working sets per logged RPE (rounded to the half point)."""
    eng = _eng(engine)
    t = _sets_table()
    rpe = (func.round(t.c.rpe * 2) / 2.0).label("rpe")
    stmt = (
        select(rpe, func.count().label("sets"))
        .where(
            *_working(t, account_id),
            t.c.rpe.is_not(None),
            *_within(t.c.performed_at, start, end, tz),
        )
        .group_by(rpe)
        .order_by(rpe)
    )
    ids = list(exercise_ids or [])
    if ids:
        stmt = stmt.where(t.c.exercise_id.in_(ids))
    with eng.connect() as conn:
        return _frame(conn.execute(stmt).all(), ["rpe", "sets"])


def program_anchors(account_id: int, engine: Engine | None = None) -> tuple[date | None, int | None]:
    """(start date of the active program's first version, its length in weeks) — (None, None) without one."""
    eng = _eng(engine)
    if not has_table("training_programs"):
        return None, None
    t = table("training_programs", "training")
    with eng.connect() as conn:
        row = conn.execute(
            select(t.c.lineage_id, t.c.spec).where(t.c.account_id == account_id, t.c.status == "active")
            .order_by(t.c.id.desc()).limit(1)
        ).first()  # fmt: skip
        if row is None:
            return None, None
        start = conn.execute(
            select(func.min(t.c.start_date)).where(t.c.account_id == account_id, t.c.lineage_id == row[0])
        ).scalar()
    spec = row[1] if isinstance(row[1], dict) else {}
    weeks = len(spec.get("weeks") or []) or None
    return _as_date(start) if start is not None else None, weeks


def planned_sessions(account_id: int, start: date, end: date, engine: Engine | None = None) -> pd.DataFrame:
    """Workouts a program planned between two dates: planned day and status (planned | done | skipped | replaced)."""
    eng = _eng(engine)
    t = table("training_scheduled_sessions", "training")
    stmt = (
        select(t.c.planned_date, t.c.status)
        .where(t.c.account_id == account_id, t.c.planned_date >= start, t.c.planned_date <= end)
        .order_by(t.c.planned_date)
    )
    with eng.connect() as conn:
        df = _frame(conn.execute(stmt).all(), ["day", "status"])
    if len(df):
        df["day"] = pd.to_datetime(df["day"])
    return df


def training_days(account_id: int, end: date, tz: str = "UTC", engine: Engine | None = None) -> list[date]:
    """Local days with at least one working set, up to `end`, newest first ('the last 5 sessions')."""
    df = training_daily(account_id, date(1970, 1, 1), end, tz, None, engine)
    return sorted({pd.Timestamp(d).date() for d in df["day"]}, reverse=True)


# --------------------------------------------------------------------------- nutrition
NUTRIENTS = {"kcal": "kcal", "protein": "protein_g", "carbs": "carbs_g", "fat": "fat_g", "fibre": "fiber_g"}


def nutrition_daily(
    account_id: int,
    start: date,
    end: date,
    *,
    by: str | None = None,
    meal: str | None = None,
    food: str | None = None,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Diary totals per day (and per meal or food when `by` says so): kcal, protein, carbs, fat, fibre, entries."""
    eng = _eng(engine)
    t = table("nutrition_entries", "nutrition")
    keys = [t.c.day.label("day")]
    if by in ("meal", "food"):
        keys.append((t.c.meal if by == "meal" else t.c.food_name).label(by))
    sums = [func.coalesce(func.sum(getattr(t.c, col)), 0.0).label(name) for name, col in NUTRIENTS.items()]
    conds = [t.c.account_id == account_id, t.c.day >= start, t.c.day <= end]
    if meal:
        conds.append(t.c.meal == meal)
    if food:
        conds.append(func.lower(t.c.food_name).like(f"%{food.lower().strip()}%"))
    stmt = select(*keys, *sums, func.count().label("entries")).where(*conds).group_by(*keys).order_by(keys[0])
    with eng.connect() as conn:
        return _frame(conn.execute(stmt).all(), [k.name for k in keys] + [*NUTRIENTS, "entries"])


def weights(account_id: int, start: date, end: date, engine: Engine | None = None) -> pd.DataFrame:
    """Weigh-ins (kg) per day."""
    eng = _eng(engine)
    t = table("nutrition_weights", "nutrition")
    stmt = (
        select(t.c.day, t.c.weight_kg)
        .where(t.c.account_id == account_id, t.c.day >= start, t.c.day <= end)
        .order_by(t.c.day)
    )
    with eng.connect() as conn:
        return _frame(conn.execute(stmt).all(), ["day", "weight_kg"])


def targets(account_id: int, engine: Engine | None = None) -> pd.DataFrame:
    """Every target that was ever in force (active or since replaced), with the day it was set."""
    eng = _eng(engine)
    t = table("nutrition_targets", "nutrition")
    stmt = (
        select(
            t.c.created_at.label("since"),  # decided_at of a replaced target is when it was replaced
            t.c.kcal,
            t.c.protein_g,
            t.c.carbs_g,
            t.c.fat_g,
            t.c.fiber_g,
        )
        .where(t.c.account_id == account_id, t.c.status.in_(("active", "replaced")))
        .order_by("since")
    )
    with eng.connect() as conn:
        df = pd.DataFrame(
            [tuple(r) for r in conn.execute(stmt)], columns=["since", "kcal", "protein", "carbs", "fat", "fibre"]
        )
    if len(df):
        df["since"] = pd.to_datetime(df["since"], utc=True, format="mixed").dt.tz_localize(None).dt.normalize()
    return df


# --------------------------------------------------------------------------- lift video
def lift_sets(
    account_id: int,
    start: date,
    end: date,
    tz: str = "UTC",
    exercise_ids: Iterable[str] | None = None,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Analysed video sets, oldest first: day, exercise, lift, load, best-rep and mean MCV, velocity loss."""
    eng = _eng(engine)
    a = table("lift_analyses", "lift video")
    r = table("lift_reps", "lift video")
    mean_mcv = select(func.avg(r.c.mcv_m_s)).where(r.c.analysis_id == a.c.id).scalar_subquery()
    day = local_day(eng, a.c.created_at, tz).label("day")
    stmt = select(
        a.c.id, day, a.c.exercise_id, a.c.lift, a.c.load_kg, a.c.best_mcv_m_s, mean_mcv.label("mean_mcv_m_s"),
        a.c.velocity_loss_pct, a.c.rep_count,
    ).where(a.c.account_id == account_id, *_within(a.c.created_at, start, end, tz))  # fmt: skip
    ids = list(exercise_ids or [])
    if ids:
        stmt = stmt.where(a.c.exercise_id.in_(ids))
    cols = ["analysis_id", "day", "exercise_id", "lift", "load_kg", "best_mcv_m_s", "mean_mcv_m_s",
            "velocity_loss_pct", "reps"]  # fmt: skip
    with eng.connect() as conn:
        return _frame(conn.execute(stmt.order_by(a.c.created_at)).all(), cols)


def lift_mvt(account_id: int, lift: str, engine: Engine | None = None) -> float | None:
    """The person's own minimum velocity threshold for a lift, when they set one."""
    if not has_table("lift_profiles"):
        return None
    t = table("lift_profiles", "lift video")
    with _eng(engine).connect() as conn:
        row = conn.execute(
            select(t.c.mvt_m_s, t.c.mvt_custom).where(t.c.account_id == account_id, t.c.lift == lift)
        ).first()
    return float(row[0]) if row is not None and row[1] else None


# --------------------------------------------------------------------------- striking
def strike_rounds(
    account_id: int,
    start: date,
    end: date,
    tz: str = "UTC",
    limit: int | None = None,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Analysed rounds, oldest first: when, punches, duration, guard-down share (0..1)."""
    eng = _eng(engine)
    s = table("strike_sessions", "striking")
    h = table("strike_habits", "striking")
    guard = (
        select(func.max(h.c.value))
        .where(h.c.session_id == s.c.id, h.c.name == "guard_down_share")
        .scalar_subquery()
        .label("guard_down_share")
    )
    day = local_day(eng, s.c.created_at, tz).label("day")
    stmt = (
        select(s.c.id, s.c.created_at, day, s.c.punch_count, s.c.duration_s, s.c.active_s, guard)
        .where(s.c.account_id == account_id, *_within(s.c.created_at, start, end, tz))
        .order_by(s.c.created_at.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    with eng.connect() as conn:
        df = _frame(
            conn.execute(stmt).all(),
            ["session_id", "at", "day", "punches", "duration_s", "active_s", "guard_down_share"],
        )
    return df.iloc[::-1].reset_index(drop=True)


def strike_punch_kinds(
    account_id: int,
    session_ids: Sequence[str],
    engine: Engine | None = None,
    *,
    between: tuple[datetime, datetime] | None = None,
) -> pd.DataFrame:
    """Punches per round × type: for the given rounds, or (many rounds) for every round in `between`."""
    if not session_ids:
        return pd.DataFrame(columns=["session_id", "kind", "punches"])
    eng = _eng(engine)
    p = table("strike_punches", "striking")
    stmt = (
        select(p.c.session_id, p.c.kind, func.count().label("punches"))
        .where(p.c.account_id == account_id)
        .group_by(p.c.session_id, p.c.kind)
    )
    if between is not None and len(session_ids) > 500:  # a long period: join on time, not a huge IN list
        s = table("strike_sessions", "striking")
        lo, hi = between
        stmt = stmt.join(s, s.c.id == p.c.session_id).where(
            s.c.created_at >= lo,
            s.c.created_at < hi,  # from utc_bounds: aware UTC, as UTCDateTime needs
        )
    else:
        stmt = stmt.where(p.c.session_id.in_(list(session_ids)))
    with eng.connect() as conn:
        return _frame(conn.execute(stmt).all(), ["session_id", "kind", "punches"])


# --------------------------------------------------------------------------- last query per thread
def save_last_query(account_id: int, thread_id: str, query: dict[str, Any], engine: Engine | None = None) -> None:
    with transaction(engine) as s:
        row = s.execute(
            select(AnalyticsLastQuery).where(
                col(AnalyticsLastQuery.account_id) == account_id, col(AnalyticsLastQuery.thread_id) == thread_id
            )
        ).scalar_one_or_none()
        if row is None:
            row = AnalyticsLastQuery(account_id=account_id, thread_id=thread_id, query=query)
        else:
            row.query = query
            row.updated_at = utcnow()
        s.add(row)


def last_query(account_id: int, thread_id: str, engine: Engine | None = None) -> dict[str, Any] | None:
    with read_session(engine) as s:
        row = s.execute(
            select(AnalyticsLastQuery).where(
                col(AnalyticsLastQuery.account_id) == account_id, col(AnalyticsLastQuery.thread_id) == thread_id
            )
        ).scalar_one_or_none()
    return None if row is None else dict(row.query)


# --------------------------------------------------------------------------- memory notes
def add_note(
    account_id: int, text: str, day: date, *, kind: str = "note", source_ref: str | None = None,
    engine: Engine | None = None,
) -> AnalyticsNote:  # fmt: skip
    """Store a note (its id doubles as the vector id in the memory index)."""
    note = AnalyticsNote(account_id=account_id, text=text, day=day, kind=kind, source_ref=source_ref or "")
    if not note.source_ref:
        note.source_ref = f"note:{note.id}"
    with transaction(engine) as s:
        s.add(note)
    return note


def upsert_notes(account_id: int, notes: Iterable[dict[str, Any]], engine: Engine | None = None) -> list[AnalyticsNote]:
    """Insert notes copied from other domains, skipping refs already stored; returns the new ones."""
    incoming = {n["source_ref"]: n for n in notes}
    if not incoming:
        return []
    with transaction(engine) as s:
        have: set[str] = set()
        refs = list(incoming)
        for i in range(0, len(refs), 500):
            have |= set(
                s.execute(
                    select(col(AnalyticsNote.source_ref)).where(
                        col(AnalyticsNote.account_id) == account_id,
                        col(AnalyticsNote.source_ref).in_(refs[i : i + 500]),
                    )
                ).scalars()
            )
        new = [AnalyticsNote(account_id=account_id, **n) for ref, n in incoming.items() if ref not in have]
        s.add_all(new)
    return new


def domain_notes(account_id: int, engine: Engine | None = None) -> list[dict[str, Any]]:
    """Notes other domains keep, shaped as memory notes: workout notes (training sessions), food notes,
    and one-line summaries of analysed lift videos and boxing rounds (so "when did my squat get slow?"
    finds them by meaning)."""
    eng = _eng(engine)
    tz = account_timezone(account_id, engine)
    out: list[dict[str, Any]] = []
    rows: Sequence[Any]
    with eng.connect() as conn:
        if has_table("training_sessions"):
            t = table("training_sessions", "training")
            day = local_day(eng, t.c.started_at, tz)
            rows = conn.execute(
                select(t.c.id, day, t.c.notes).where(t.c.account_id == account_id, func.length(t.c.notes) > 0)
            ).all()
            out += [
                {"source_ref": f"training:{i}", "day": _as_date(d), "text": n, "kind": "workout"} for i, d, n in rows
            ]
        if has_table("nutrition_entries"):
            t = table("nutrition_entries", "nutrition")
            rows = conn.execute(
                select(t.c.id, t.c.day, t.c.food_name, t.c.note).where(
                    t.c.account_id == account_id, func.length(t.c.note) > 0
                )
            ).all()
            out += [
                {"source_ref": f"food:{i}", "day": _as_date(d), "text": f"{food}: {n}", "kind": "food"}
                for i, d, food, n in rows
            ]
        if has_table("lift_analyses"):
            t = table("lift_analyses", "lift video")
            rows = conn.execute(
                select(t.c.id, local_day(eng, t.c.created_at, tz), t.c.lift, t.c.load_kg, t.c.rep_count,
                       t.c.best_mcv_m_s, t.c.velocity_loss_pct).where(t.c.account_id == account_id)
            ).all()  # fmt: skip
            for i, d, lift, load, reps, best, loss in rows:
                load_s = f" {load:g} kg" if load else ""
                speed = f", best rep {best:.2f} m/s" if best else ""
                loss_s = f", velocity loss {loss:.0f} %" if loss is not None else ""
                text = f"Video analysis: {lift}{load_s}, {reps} reps{speed}{loss_s}."
                out.append({"source_ref": f"video:{i}", "day": _as_date(d), "text": text, "kind": "video"})
        if has_table("strike_sessions"):
            s = table("strike_sessions", "striking")
            rows = conn.execute(
                select(s.c.id, local_day(eng, s.c.created_at, tz), s.c.punch_count, s.c.duration_s).where(
                    s.c.account_id == account_id
                )
            ).all()
            out += [
                {"source_ref": f"boxing:{i}", "day": _as_date(d), "kind": "boxing",
                 "text": f"Boxing round analysed: {n} punches in {dur / 60:.1f} min."}
                for i, d, n, dur in rows
            ]  # fmt: skip
    return out


def _as_date(v: object) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v)[:10])


def drop_orphan_copies(account_id: int, live_refs: set[str], engine: Engine | None = None) -> int:
    """Delete copied notes ('training:…', 'food:…', 'video:…', 'boxing:…') whose source row no longer exists."""
    with transaction(engine) as s:
        rows = s.execute(
            select(col(AnalyticsNote.id), col(AnalyticsNote.source_ref)).where(
                col(AnalyticsNote.account_id) == account_id,
                col(AnalyticsNote.source_ref).like("training:%")
                | col(AnalyticsNote.source_ref).like("food:%")
                | col(AnalyticsNote.source_ref).like("video:%")
                | col(AnalyticsNote.source_ref).like("boxing:%"),
            )
        ).all()
        dead = [i for i, ref in rows if ref not in live_refs]
        if dead:
            s.execute(delete(AnalyticsNote).where(col(AnalyticsNote.id).in_(dead)))
        return len(dead)


def note_ids_between(
    account_id: int, start: date | None, end: date | None, *, limit: int = 20_001, engine: Engine | None = None
) -> list[str]:
    """Ids of the notes dated within [start, end] (at most `limit`)."""
    q = select(col(AnalyticsNote.id)).where(col(AnalyticsNote.account_id) == account_id)
    if start:
        q = q.where(col(AnalyticsNote.day) >= start)
    if end:
        q = q.where(col(AnalyticsNote.day) <= end)
    with read_session(engine) as s:
        return list(s.execute(q.limit(limit)).scalars())


def get_notes(account_id: int, ids: Sequence[str], engine: Engine | None = None) -> list[AnalyticsNote]:
    if not ids:
        return []
    with read_session(engine) as s:
        q = select(AnalyticsNote).where(
            col(AnalyticsNote.account_id) == account_id, col(AnalyticsNote.id).in_(list(ids))
        )
        return list(s.execute(q).scalars())


def list_notes(
    account_id: int, start: date | None = None, end: date | None = None, limit: int = 50, engine: Engine | None = None
) -> list[AnalyticsNote]:
    with read_session(engine) as s:
        q = select(AnalyticsNote).where(col(AnalyticsNote.account_id) == account_id)
        if start:
            q = q.where(col(AnalyticsNote.day) >= start)
        if end:
            q = q.where(col(AnalyticsNote.day) <= end)
        q = q.order_by(col(AnalyticsNote.day).desc(), col(AnalyticsNote.created_at).desc()).limit(limit)
        return list(s.execute(q).scalars())


def delete_note(account_id: int, note_id: str, engine: Engine | None = None) -> bool:
    with transaction(engine) as s:
        res = s.connection().execute(
            delete(AnalyticsNote).where(col(AnalyticsNote.account_id) == account_id, col(AnalyticsNote.id) == note_id)
        )
        return bool(res.rowcount)


def note_ids(account_id: int, engine: Engine | None = None) -> set[str]:
    with read_session(engine) as s:
        return set(
            s.execute(select(col(AnalyticsNote.id)).where(col(AnalyticsNote.account_id) == account_id)).scalars()
        )


def count_notes(account_id: int, engine: Engine | None = None) -> int:
    with read_session(engine) as s:
        q = select(func.count()).select_from(AnalyticsNote).where(col(AnalyticsNote.account_id) == account_id)
        return int(s.execute(q).scalar_one())


# --------------------------------------------------------------------------- bulk writes (generator)
def bulk_insert(table_name: str, rows: list[dict[str, Any]], engine: Engine | None = None, chunk: int = 20_000) -> int:
    """Insert many rows into any table in chunks of one transaction each (data generator, imports)."""
    t = table(table_name, table_name.split("_")[0])
    eng = _eng(engine)
    for i in range(0, len(rows), chunk):
        with eng.begin() as conn:
            conn.execute(insert(t), rows[i : i + chunk])
    return len(rows)
