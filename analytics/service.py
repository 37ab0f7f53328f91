"""Analytics actions, one function per thing a person asks: a weekly review, recall, remember or forget a note.

The chat tools, the CLI and the check-ins call these (typed input, typed result) and only render what comes
back; the rules (which week, which notes count as the person's own, which notes name a lift, what the log
shows beside them) live here, beside the domain, not in the chat layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from analytics import executor
from analytics.executor import Answer
from analytics.memory import Hit, Memory
from analytics.metrics import NothingLogged, QueryProblem
from analytics.periods import parse_period
from analytics.query import AnalyticsQuery
from analytics.review import Review
from analytics.review import weekly_review as compute_review
from storage import analytics as sql
from storage.accounts import account_context
from storage.tables.analytics import AnalyticsNote

RECALL_K = 8
RECALL_MIN_SIMILARITY = 0.35
LIFT_WINDOW = timedelta(days=90)  # without a period, the log beside the notes covers this long
LIFT_ROWS = 12  # the most recent days of a lift shown beside the notes
_FIRST_MENTION = re.compile(r"\bwhen did\b.*\b(start|begin|first)\b|\bfirst time\b", re.I)


SourceMissing = sql.SourceMissing  # a metric's tables are not in this build (that domain has not landed)


class NoteProblem(ValueError):
    """A note request that cannot be done; the message says why (shown as is)."""


def today_for(account_id: int, now: datetime | None = None, engine: Engine | None = None) -> tuple[date, str]:
    """The person's calendar day at `now` and their timezone (UTC when unset or unknown)."""
    ctx = account_context(account_id, engine, now)
    return ctx.today, ctx.timezone


# --------------------------------------------------------------------------- charts
def last_chart(account_id: int, thread_id: str, engine: Engine | None = None) -> AnalyticsQuery | None:
    """The query behind the last chart of this conversation ("only since March" refines it); None: none yet."""
    last = sql.last_query(account_id, thread_id, engine)
    return None if last is None else AnalyticsQuery.model_validate(last)


def chart(
    account_id: int,
    query: AnalyticsQuery,
    thread_id: str,
    *,
    now: datetime | None = None,
    out_dir: Path | None = None,
    engine: Engine | None = None,
) -> Answer:
    """Run `query` on the person's day and keep it as the conversation's last chart, also when nothing was
    logged (the follow-up may widen it). Raises PeriodError, QueryProblem, NothingLogged or SourceMissing."""
    today, tz = today_for(account_id, now, engine)
    try:
        answer = executor.run(query, account_id, today=today, tz=tz, engine=engine, out_dir=out_dir)
    except NothingLogged:
        sql.save_last_query(account_id, thread_id, query.model_dump(mode="json"), engine)
        raise
    sql.save_last_query(account_id, thread_id, query.model_dump(mode="json"), engine)
    return answer


# --------------------------------------------------------------------------- weekly review
def weekly_review(
    account_id: int,
    which: str | None = None,
    *,
    now: datetime | None = None,
    engine: Engine | None = None,
    record: bool = True,
) -> Review:
    """The review of `which` week ('this week', 'last week'; None: this week from Friday on, else last week).

    With `record`, its figures are kept as a coach note in memory ("what did my review say in March?"), so
    the chat and the weekly check-in leave the same trace.
    """
    today, tz = today_for(account_id, now, engine)
    rv = compute_review(account_id, today, which=which, tz=tz, engine=engine)
    if record:
        note = {"source_ref": f"review:{rv.start.isoformat()}", "day": rv.end, "kind": "coach",
                "text": f"Weekly review {rv.start:%d %b}–{rv.end:%d %b %Y}: {rv.summary()}"}  # fmt: skip
        sql.upsert_notes(account_id, [note], engine)
    return rv


# --------------------------------------------------------------------------- recall
@dataclass(frozen=True)
class LiftDay:
    day: date
    top_kg: float
    sets: int
    e1rm_kg: float | None


@dataclass
class LiftLog:
    """What the training log shows for one lift over the recall window."""

    exercise: str
    start: date
    end: date
    days: list[LiftDay] = field(default_factory=list)  # the last LIFT_ROWS days, oldest first
    sessions: int = 0
    top_kg: float = 0.0
    best_e1rm_kg: float | None = None


@dataclass
class Recall:
    start: date | None
    end: date | None
    hits: list[Hit]  # oldest first
    first_mention: bool  # the question asks when something started: the earliest note answers it
    lift: LiftLog | None = None  # None: no lift asked about, or its log could not be read


def recall(
    account_id: int,
    question: str,
    *,
    period: str | None = None,
    exercise: str | None = None,
    data_dir: Path,
    now: datetime | None = None,
    engine: Engine | None = None,
) -> Recall:
    """The person's notes that answer `question` (within `period` when given; PeriodError when it can't
    be read) and, for a lift, what the log shows beside them."""
    today, tz = today_for(account_id, now, engine)
    start = end = None
    if period:
        p = parse_period(period, today)
        start, end = p.start, p.end
    memory = Memory(data_dir, account_id, engine)
    memory.sync_sources()
    query = question if not exercise or exercise.lower() in question.lower() else f"{exercise} {question}"
    hits = memory.search(query, start=start, end=end, k=RECALL_K, min_similarity=RECALL_MIN_SIMILARITY)
    if exercise and hits:  # prefer notes that name the lift; keep the rest only if none does
        words = {w for w in exercise.lower().split() if len(w) > 3 and w not in ("press", "barbell")}
        named = [h for h in hits if any(w.rstrip("s") in h.note.text.lower() for w in words)]
        hits = named or hits
    lift = None
    if exercise:
        lift = _lift_log(account_id, exercise, start or (today - LIFT_WINDOW), end or today, tz, engine)
    return Recall(start, end, sorted(hits, key=lambda h: h.note.day), bool(_FIRST_MENTION.search(question)), lift)


def _lift_log(account_id: int, exercise: str, start: date, end: date, tz: str, engine: Engine | None) -> LiftLog | None:
    try:
        ids = executor.resolve_exercises([exercise])
        daily = sql.training_daily(account_id, start, end, tz, ids, engine)
    except (QueryProblem, sql.SourceMissing):
        return None
    log = LiftLog(exercise, start, end)
    if daily.empty:
        return log
    for r in daily.sort_values("day").tail(LIFT_ROWS).itertuples():
        e1 = None if r.e1rm_kg is None or r.e1rm_kg != r.e1rm_kg else float(r.e1rm_kg)  # NaN: not estimable
        log.days.append(LiftDay(r.day, float(r.top_kg), int(r.sets), e1))
    log.sessions = int(daily["day"].nunique())
    log.top_kg = float(daily["top_kg"].max())
    best = daily["e1rm_kg"].max()
    log.best_e1rm_kg = None if best != best else float(best)
    return log


# --------------------------------------------------------------------------- notes
def remember_note(
    account_id: int,
    text: str,
    day: str | None = None,
    *,
    data_dir: Path,
    now: datetime | None = None,
    engine: Engine | None = None,
) -> AnalyticsNote:
    """Keep a note dated `day` ('yesterday', a date; default today). PeriodError for a day that can't be
    read, NoteProblem for a note that can't be kept."""
    today, _tz = today_for(account_id, now, engine)
    when = parse_period(day, today).start if day else today
    try:
        return Memory(data_dir, account_id, engine).remember(text, when)
    except ValueError as e:
        raise NoteProblem(str(e)) from e


def forget_note(account_id: int, note_id: str | None = None, *, data_dir: Path, engine: Engine | None = None) -> str:
    """Delete a note (default: the person's most recent own note, not one copied from a log); its id."""
    if note_id is None:
        own = [n for n in sql.list_notes(account_id, limit=20, engine=engine) if n.source_ref.startswith("note:")]
        if not own:
            raise NoteProblem("You have no notes of your own to forget.")
        note_id = max(own, key=lambda n: n.created_at).id
    if not Memory(data_dir, account_id, engine).forget(note_id):
        raise NoteProblem("That note no longer exists.")
    return note_id
