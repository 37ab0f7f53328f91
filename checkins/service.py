"""Check-in operations shared by the chat tools, the CLI and the scheduler (no chat code here).

Saving, changing and cancelling go through here so every entry point applies the same rules: one-off
times in the future, at most `MAX_ACTIVE` active check-ins per person, changes never fire the past.
`fire` turns a due occurrence into an outbox row: the content is computed, then written with the
occurrence's idempotency key in one transaction, before anything tries to deliver it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from checkins.content import READINESS_LABELS, compose
from checkins.parse import AmbiguousTime, AmPm, parse_change, parse_request
from checkins.schedule import KIND_LABELS, CheckinError, CheckinSpec, Recurrence, as_kind, as_rule, format_local, zone
from storage import checkins as repo
from storage.accounts import account_context
from storage.tables.checkins import CheckinOutbox, CheckinSchedule
from storage.tables.core import new_id

Schedule = CheckinSchedule  # a stored check-in, as the callers of these functions see it

MAX_ACTIVE = 20
LATE_AFTER = timedelta(minutes=5)  # later than this, the message says it comes late
RECENT_CHANGE = timedelta(minutes=15)  # "cancel it" this soon after a check-in change means that check-in
OPEN_QUESTION_H = 18  # a bare "4" answers a readiness question sent within this many hours
READINESS_ADVICE = {
    1: "Take it easy: a light session, technique or rest.",
    2: "Consider trimming volume or load today.",
    3: "Train as planned, listen to your body.",
    4: "Good to go — train as planned.",
    5: "Great day to push a little.",
}


class TimezoneProblem(CheckinError):
    """The person's timezone can't be used (no account, or a name no clock knows); they must set it."""


def account_timezone(account_id: int, engine: Engine | None = None) -> str:
    """The person's IANA timezone (storage.accounts.account_context), validated: check-ins are scheduled on
    that clock, so a bad stored name gives a clear TimezoneProblem instead of the UTC fallback."""
    stored = account_context(account_id, engine).stored_timezone
    if stored is None:
        raise TimezoneProblem("I can't find your account; please sign in again.")
    try:
        zone(stored)
    except CheckinError as e:
        raise TimezoneProblem(str(e)) from e
    return stored


def spec_of(row: CheckinSchedule) -> CheckinSpec:
    days = tuple(int(d) for d in row.weekdays.split(",") if d.strip()) if row.weekdays else (0, 1, 2, 3, 4, 5, 6)
    rec = Recurrence(as_rule(row.rule), row.hour, row.minute, row.timezone, days, row.run_at)
    return CheckinSpec(as_kind(row.kind), rec, row.text)


def schedule_id(row: CheckinSchedule) -> int:
    """A stored schedule's id (rows read back from the database always have one)."""
    if row.id is None:
        raise CheckinError("That check-in was never saved.")
    return row.id


def fields_of(spec: CheckinSpec) -> dict[str, object]:
    r = spec.recurrence
    hour, minute = (r.hour, r.minute)
    if r.rule == "once" and r.run_at is not None:
        local = r.run_at.astimezone(zone(r.tz))
        hour, minute = local.hour, local.minute
    return {
        "kind": spec.kind,
        "text": spec.text,
        "rule": r.rule,
        "weekdays": ",".join(str(d) for d in r.days) if r.rule == "weekly" else "",
        "hour": hour,
        "minute": minute,
        "timezone": r.tz,
        "run_at": r.run_at,
    }


def describe(spec: CheckinSpec, now: datetime) -> str:
    """'Daily at 20:00 Europe/London, next: Tue 25 Nov 20:00' — what the person confirms."""
    r = spec.recurrence
    nxt = r.next_run(now)
    when = f"{r.describe()} {r.tz}"
    return f"{when}, next: {format_local(nxt, r.tz)}" if nxt and r.rule != "once" else when


def check_future(spec: CheckinSpec, now: datetime) -> None:
    r = spec.recurrence
    if r.rule == "once" and r.run_at is not None and r.run_at <= now:
        raise CheckinError(
            f"{format_local(r.run_at, r.tz)} has passed (it is {format_local(now, r.tz)} in {r.tz}); "
            "ask again with a later time."
        )


def save(
    account_id: int, specs: list[CheckinSpec], *, now: datetime, token: str | None = None, engine: Engine | None = None
) -> tuple[list[CheckinSchedule], bool]:
    """Store confirmed check-ins; (rows, created). The same token saved twice stores them once."""
    if not specs:
        raise CheckinError("There is nothing to save.")
    for spec in specs:
        check_future(spec, now)
    try:
        return repo.save_schedules(
            account_id, [fields_of(s) for s in specs], now=now, max_active=MAX_ACTIVE, token=token, engine=engine
        )
    except repo.LimitReached as e:
        raise CheckinError(str(e)) from e


def change(
    account_id: int, schedule_id: int, spec: CheckinSpec, *, now: datetime, engine: Engine | None = None
) -> CheckinSchedule:
    check_future(spec, now)
    row = repo.update_schedule(account_id, schedule_id, fields_of(spec), now=now, engine=engine)
    if row is None:
        raise CheckinError("That check-in no longer exists; ask 'what reminders do I have?'.")
    return row


def cancel(account_id: int, schedule_id: int, *, now: datetime, engine: Engine | None = None) -> CheckinSchedule:
    row = repo.set_active(account_id, schedule_id, False, now=now, engine=engine)
    if row is None:
        raise CheckinError(f"You have no check-in number {schedule_id}; ask 'what reminders do I have?'.")
    return row


def restore(account_id: int, schedule_id: int, *, now: datetime, engine: Engine | None = None) -> CheckinSchedule:
    try:
        row = repo.set_active(account_id, schedule_id, True, now=now, max_active=MAX_ACTIVE, engine=engine)
    except repo.LimitReached as e:
        raise CheckinError(str(e)) from e
    if row is None:
        raise CheckinError(f"You have no check-in number {schedule_id}.")
    if row.rule == "once" and row.run_at is not None and row.run_at <= now:
        repo.set_active(account_id, schedule_id, False, now=now, engine=engine)
        raise CheckinError("That one-off reminder's time has passed, so it can't be turned back on; set a new one.")
    return row


# --------------------------------------------------------------------------- one function per user action
@dataclass
class Proposal:
    """Check-ins parsed from the person's words, not saved yet (they confirm first)."""

    tz: str
    specs: list[CheckinSpec] = field(default_factory=list)
    ask_ampm: AmbiguousTime | None = None  # "at 8": they choose am or pm before anything is proposed


def propose(
    account_id: int, request: str, *, now: datetime, ampm: AmPm | None = None, engine: Engine | None = None
) -> Proposal:
    """What `request` asks for, checked against the active limit; CheckinError when it can't be set up."""
    tz = account_timezone(account_id, engine)
    try:
        specs = parse_request(request, now, tz, ampm=ampm)
    except AmbiguousTime as e:
        return Proposal(tz, ask_ampm=e)
    active = repo.count_active(account_id, engine)
    if active + len(specs) > MAX_ACTIVE:
        raise CheckinError(
            f"You have {active} active check-ins and {MAX_ACTIVE} is the most I keep. "
            "Cancel one first (ask 'what reminders do I have?')."
        )
    return Proposal(tz, specs)


@dataclass
class ChangeProposal:
    """An existing check-in and what the person's words would make of it (not saved yet)."""

    row: CheckinSchedule
    current: CheckinSpec
    new: CheckinSpec | None = None
    ask_ampm: AmbiguousTime | None = None


def propose_change(
    account_id: int, request: str, *, now: datetime, ampm: AmPm | None = None, engine: Engine | None = None
) -> ChangeProposal:
    """The check-in `request` names ("the dinner one") with the new time or days it gives."""
    row = find(account_id, request, engine)
    current = spec_of(row)
    try:
        new = parse_change(request, current, now, ampm=ampm)
    except AmbiguousTime as e:
        return ChangeProposal(row, current, ask_ampm=e)
    check_future(new, now)
    return ChangeProposal(row, current, new)


@dataclass
class Saved:
    rows: list[CheckinSchedule]
    created: bool  # False: the same confirmation was saved before (a double click)
    moved: bool  # an existing check-in was changed rather than new ones stored


def confirm(
    account_id: int,
    items: list[dict[str, Any]],
    *,
    token: str,
    replace_id: int | None = None,
    now: datetime,
    engine: Engine | None = None,
) -> Saved:
    """Store what the person confirmed (the exact specs they were shown), or move `replace_id` to it."""
    specs = [CheckinSpec.from_args(item) for item in items]
    if replace_id is not None:
        return Saved([change(account_id, replace_id, specs[0], now=now, engine=engine)], True, True)
    rows, created = save(account_id, specs, now=now, token=token, engine=engine)
    return Saved(rows, created, False)


def cancel_named(account_id: int, words: str, *, now: datetime, engine: Engine | None = None) -> CheckinSchedule:
    """Cancel the check-in `words` point at ("the dinner reminder", "#3")."""
    return cancel(account_id, schedule_id(find(account_id, words, engine)), now=now, engine=engine)


def cancel_recent(account_id: int, *, now: datetime, engine: Engine | None = None) -> CheckinSchedule | None:
    """ "Cancel it": the check-in set or changed in the last RECENT_CHANGE, cancelled; None when there is
    none (the words then belong to another domain)."""
    latest = repo.latest_changed(account_id, engine)
    if latest is None or not latest.active or now - latest.updated_at > RECENT_CHANGE:
        return None
    return cancel(account_id, schedule_id(latest), now=now, engine=engine)


@dataclass(frozen=True)
class ScheduleItem:
    id: int
    kind: str
    text: str
    label: str
    when: str  # "Daily at 20:00 Europe/London"
    rule: str
    timezone: str
    active: bool
    next_run: datetime | None


@dataclass
class Overview:
    items: list[ScheduleItem]
    unread: int  # check-in messages written and not yet read


def overview(
    account_id: int, *, now: datetime, include_inactive: bool = False, engine: Engine | None = None
) -> Overview:
    """The person's check-ins with their next run, and how many of their messages wait unread."""
    rows = repo.list_schedules(account_id, include_inactive=include_inactive, engine=engine)
    return Overview([item_of(r, now) for r in rows], repo.unread_count(account_id, engine))


def item_of(row: CheckinSchedule, now: datetime) -> ScheduleItem:
    spec = spec_of(row)
    nxt = spec.recurrence.next_run(max(now, row.fired_through)) if row.active else None
    when = f"{spec.recurrence.describe()} {row.timezone}"
    return ScheduleItem(
        schedule_id(row), row.kind, row.text, label_of(row), when, row.rule, row.timezone, row.active, nxt
    )


def recent_messages(account_id: int, limit: int = 50, engine: Engine | None = None) -> list[CheckinOutbox]:
    """The messages check-ins wrote for the person, newest first (pending or delivered)."""
    return repo.messages(account_id, limit=limit, engine=engine)


@dataclass(frozen=True)
class ReadinessSaved:
    score: int
    label: str  # "good"
    day: date  # the local day the answer counts for
    advice: str
    outbox_id: str | None  # the question it answers, when there was one


def record_readiness(
    account_id: int,
    score: int,
    *,
    outbox_id: str | None = None,
    bare: bool = False,
    now: datetime,
    engine: Engine | None = None,
) -> ReadinessSaved:
    """Store today's readiness (1-5). It answers the question `outbox_id` (a button) or the last one asked
    within OPEN_QUESTION_H; a bare number with no open question is not taken as readiness."""
    tz = account_timezone(account_id, engine)
    if outbox_id is not None:
        question = repo.get_message(account_id, outbox_id, engine)
        if question is None:
            raise CheckinError("That readiness question isn't yours or no longer exists.")
        source = "button"
    else:
        question = repo.last_readiness_question(account_id, now - timedelta(hours=OPEN_QUESTION_H), engine)
        if question is None and bare:
            raise CheckinError(f"If {score} is how ready you feel today, say 'readiness {score}' and I'll store it.")
        outbox_id = question.id if question is not None else None
        source = "chat"
    day = (question.scheduled_for if question is not None else now).astimezone(zone(tz)).date()
    repo.save_readiness(account_id, day, score, outbox_id=outbox_id, source=source, now=now, engine=engine)
    return ReadinessSaved(score, READINESS_LABELS[score], day, READINESS_ADVICE[score], outbox_id)


# --------------------------------------------------------------------------- finding "the dinner one"
_SYNONYMS = {
    "readiness": "readiness sleep slept ready morning question",
    "weekly_review": "weekly review summary recap week report",
    "workout": "workout training session",
    "missing_meals": "meal meals missing food log",
    "reminder": "reminder",
}
_STOP = frozenset(
    re.findall(
        r"\S+",
        "move change reschedule shift push set make cancel stop delete remove turn off disable the a an my one ones "
        "it that this to for of reminder reminders check checkin check-in checkins check-ins please pls and me at "
        "on in every each daily weekly instead from",
    )
)


@dataclass
class Ambiguous(CheckinError):
    """Several check-ins fit the words; the caller asks which."""

    rows: list[CheckinSchedule]

    def __str__(self) -> str:
        return "Which one? " + "; ".join(f"#{r.id} {label_of(r)}" for r in self.rows)


def label_of(row: CheckinSchedule) -> str:
    return f"{KIND_LABELS[row.kind]}: {row.text}" if row.kind == "reminder" and row.text else KIND_LABELS[row.kind]


def find(account_id: int, words: str, engine: Engine | None = None) -> CheckinSchedule:
    """The active check-in `words` point at ("the dinner one", "my readiness check", "#3", "it")."""
    rows = repo.list_schedules(account_id, engine=engine)
    if not rows:
        raise CheckinError("You have no active check-ins. Try 'remind me to log dinner at 8pm every day'.")
    if m := re.search(r"#\s*(\d+)|\bnumber\s+(\d+)\b", words):
        wanted = int(m.group(1) or m.group(2))
        for r in rows:
            if r.id == wanted:
                return r
        raise CheckinError(f"You have no active check-in #{wanted}.")
    tokens = [t for t in re.findall(r"[a-z']+", words.lower()) if t not in _STOP and len(t) > 2]
    tokens = [t for t in tokens if not re.fullmatch(r"(am|pm|noon|midnight|tomorrow|today|tonight)", t)]
    day_words = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "sundays", "weekdays"}
    if tokens:
        scored: list[tuple[float, CheckinSchedule]] = []
        for r in rows:
            hay = f"{r.text} {_SYNONYMS[r.kind]} {spec_of(r).recurrence.describe()}".lower()
            score = float(sum(1 for t in tokens if t not in day_words and t.rstrip("s") in hay))
            score += sum(1 for t in tokens if t in day_words and t.rstrip("s") in hay) * 0.5
            scored.append((score, r))
        best = max(s for s, _ in scored)
        if best > 0:
            top = [r for s, r in scored if s == best]
            if len(top) == 1:
                return top[0]
            raise Ambiguous(top)
    if len(rows) == 1:
        return rows[0]
    latest = repo.latest_changed(account_id, engine)
    if latest is not None and latest.active:
        return latest
    raise Ambiguous(rows)


# --------------------------------------------------------------------------- firing
def due(row: CheckinSchedule, now: datetime) -> datetime | None:
    """The occurrence that should have been written by `now` and was not (only the latest: coalesced)."""
    if not row.active:
        return None
    occ = spec_of(row).recurrence.previous_run(now)
    return occ if occ is not None and occ > row.fired_through else None


def fire(schedule_id: int, *, now: datetime, engine: Engine | None = None) -> CheckinOutbox | None:
    """Write the due occurrence of a schedule to the outbox (pending); None when nothing is due.

    Safe to call any number of times, from the timer, the catch-up sweep or another process.
    """
    row = repo.schedule_by_id(schedule_id, engine)
    if row is None:
        return None
    occ = due(row, now)
    if occ is None:
        return None
    outbox_id = new_id()
    composed = compose(
        row.kind, account_id=row.account_id, text=row.text, occurrence=occ, tz=row.timezone, outbox_id=outbox_id,
        engine=engine,
    )  # fmt: skip
    late = now - occ > LATE_AFTER
    text = composed.text
    if late:
        text += f"\n\n_(due {format_local(occ, row.timezone)}; sent late because the app was not running then)_"
    return repo.record_fire(
        schedule_id, occ, outbox_id=outbox_id, text=text, actions=composed.buttons, late=late, now=now, engine=engine
    )
