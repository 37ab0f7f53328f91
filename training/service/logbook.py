"""The training log outside logging itself: undo, the session summary, e1RM estimates and trends.

Each function is one user action with typed input and result; callers (chat tools, the CLI) render.
Errors a person must act on are `LogbookError`s whose message says what to do; nothing was changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from powerforge.units import Mass
from services.uow import unit_of_work
from storage import training as repo
from storage.accounts import get_profile
from training import e1rm as e1rm_mod
from training.library import Exercise, library
from training.schedule import local_now, local_today
from training.summary import SessionSummary, summarise


class LogbookError(LookupError):
    """Nothing to act on (no set to remove, no session, no history); the message says what to do."""


def display_unit(account_id: int, engine: Engine | None = None) -> str:
    """The unit (kg or lb) this athlete reads loads in."""
    return repo.display_unit(account_id, engine)


def account_today(account_id: int, now: datetime | None = None, engine: Engine | None = None) -> date:
    """The athlete's calendar day at `now` (their own timezone)."""
    return local_today(repo.account_tz(account_id, engine), (now or datetime.now(UTC)).astimezone(UTC))


# --------------------------------------------------------------------------- undo
def undo_sets(account_id: int, set_ids: list[str], engine: Engine | None = None) -> int:
    """Remove the given sets, or the last logged set when none are named; the number removed."""
    with unit_of_work(engine) as uow:
        ids = list(set_ids)
        if not ids:
            last = repo.last_set(account_id, engine=uow)
            if last is None:
                raise LogbookError("There's no logged set to remove.")
            ids = [last.id]
        n = repo.delete_sets(account_id, ids, uow)
    if not n:
        raise LogbookError("Those sets were already removed.")
    return n


# --------------------------------------------------------------------------- session summary
@dataclass(frozen=True)
class SessionReport:
    session_id: str
    name: str
    started_local: datetime  # in the athlete's timezone
    unit: str
    summary: SessionSummary  # lift names already the athlete's (custom exercises included)
    closed: bool


def session_summary(
    account_id: int, now: datetime, *, finish: bool = False, engine: Engine | None = None
) -> SessionReport:
    """The open session, else the last one of the past 30 days, summarised; `finish` closes it."""
    with unit_of_work(engine) as uow:
        sess = repo.open_session(account_id, now, uow)
        if sess is None:
            recent = repo.sessions_between(account_id, now - timedelta(days=30), now + timedelta(minutes=1), uow)
            sess = recent[-1] if recent else None
        if sess is None:
            raise LogbookError("No session logged in the last 30 days. Log a set like “squat 140x5 @8” to start one.")
        rows = repo.session_sets(account_id, sess.id, uow)
        if not rows:
            raise LogbookError("That session has no sets yet.")
        s = summarise([repo.to_record(r) for r in rows])
        names = repo.exercise_names(account_id, [lift.exercise_id for lift in s.lifts], uow)
        for lift in s.lifts:
            lift.name = names.get(lift.exercise_id, lift.name)
        if finish:
            repo.end_session(account_id, sess.id, now, uow)
        started = local_now(repo.account_tz(account_id, uow), repo.aware(sess.started_at))
        return SessionReport(sess.id, sess.name or "", started, repo.display_unit(account_id, uow), s, finish)


# --------------------------------------------------------------------------- e1RM
@dataclass(frozen=True)
class E1RMEstimate:
    """One set's e1RM by every method, and the one the athlete's formula picks."""

    load: float
    reps: int
    rpe: float | None
    unit: str
    estimate: e1rm_mod.Estimate
    best: Mass | None
    method: str


@dataclass(frozen=True)
class E1RMTrend:
    """A lift's best e1RM per session over the last year, by the athlete's formula."""

    exercise: Exercise
    unit: str
    formula: str | None
    history: list[tuple[datetime, float]]


@dataclass(frozen=True)
class RepMax:
    """The heaviest set of a lift for at least `reps` reps, as logged."""

    exercise: Exercise
    reps: int  # asked for
    unit: str
    load_kg: float
    done_reps: int  # as logged: a 5-rep set counts for a triple too
    rpe: float | None
    performed_at: datetime


def rep_max(account_id: int, exercise: str, reps: int, engine: Engine | None = None) -> RepMax:
    """The athlete's best set of `exercise` for `reps` or more reps, ever; raises `LogbookError` for an unknown lift or
    none logged."""
    ex = library().resolve(exercise).exercise
    if ex is None:
        raise LogbookError(f"I don't know the exercise '{exercise}'.")
    row = repo.rep_max(account_id, ex.id, reps, engine)
    if row is None:
        raise LogbookError(f"You haven't logged a {ex.name} set of {reps} or more reps yet.")
    return RepMax(ex, reps, repo.display_unit(account_id, engine), row.load_kg, row.reps, row.rpe,
                  repo.aware(row.performed_at))  # fmt: skip


def estimate_e1rm(
    account_id: int, load: float, reps: int, rpe: float | None, unit: str | None = None, engine: Engine | None = None
) -> E1RMEstimate:
    """e1RM of one set: every method, and the pick of the athlete's formula (profile), else the default rule."""
    unit = unit or repo.display_unit(account_id, engine)
    formula = get_profile(account_id, engine).e1rm_formula
    est = e1rm_mod.estimate(Mass.of(load, unit), reps, rpe)
    best, method = est.pick(formula)
    return E1RMEstimate(load, reps, rpe, unit, est, best, method)


def e1rm_trend(
    account_id: int, exercise: str, now: datetime, unit: str | None = None, engine: Engine | None = None
) -> E1RMTrend:
    """The named lift's e1RM history; raises `LogbookError` for an unknown lift or one with no usable sets."""
    ex = library().resolve(exercise).exercise
    if ex is None:
        raise LogbookError(f"I don't know the exercise '{exercise}'.")
    unit = unit or repo.display_unit(account_id, engine)
    formula = get_profile(account_id, engine).e1rm_formula
    hist = repo.e1rm_history(account_id, ex.id, since=now - timedelta(days=365), engine=engine)
    if formula not in (None, e1rm_mod.DEFAULT_FORMULA):  # stored figures use the default: recompute per set
        hist = _history_with(account_id, ex.id, formula, now, engine)
    if not hist:
        raise LogbookError(f"You haven't logged any {ex.name} sets I can estimate from yet.")
    return E1RMTrend(ex, unit, formula, hist)


def _history_with(
    account_id: int, ex_id: str, formula: str | None, now: datetime, engine: Engine | None
) -> list[tuple[datetime, float]]:
    """A lift's best e1RM per day over the last year with the person's formula."""
    from storage.analytics import training_sets

    sets = training_sets(account_id, (now - timedelta(days=365)).date(), now.date(), engine=engine,
                         exercise_ids=[ex_id])  # fmt: skip
    best: dict[datetime, float] = {}
    for day, load, reps, rpe in zip(sets["day"], sets["load_kg"], sets["reps"], sets["rpe"], strict=True):
        v = e1rm_mod.e1rm_kg(float(load), int(reps), None if rpe != rpe or rpe is None else float(rpe), formula)
        if v is not None:
            t = day.to_pydatetime()
            best[t] = max(best.get(t, 0.0), v)
    return sorted(best.items())
