"""Check-in operations shared by the chat tools, the CLI and the scheduler (no chat code here).

Saving, changing and cancelling go through here so every entry point applies the same rules: one-off
times in the future, at most `MAX_ACTIVE` active check-ins per person, changes never fire the past.
`fire` turns a due occurrence into an outbox row: the content is computed, then written with the
occurrence's idempotency key in one transaction, before anything tries to deliver it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from checkins.content import AskFn, compose
from checkins.schedule import KIND_LABELS, CheckinError, CheckinSpec, Recurrence, format_local, zone
from storage import checkins as repo
from storage.accounts import account_context
from storage.tables.checkins import CheckinOutbox, CheckinSchedule
from storage.tables.core import new_id

MAX_ACTIVE = 20
LATE_AFTER = timedelta(minutes=5)  # later than this, the message says it comes late


def account_timezone(account_id: int, engine: Engine | None = None) -> str:
    """The person's IANA timezone (storage.accounts.account_context), validated: check-ins are scheduled on
    that clock, so a bad stored name gives a clear CheckinError instead of the UTC fallback."""
    stored = account_context(account_id, engine).stored_timezone
    if stored is None:
        raise CheckinError("I can't find your account; please sign in again.")
    zone(stored)
    return stored


def spec_of(row: CheckinSchedule) -> CheckinSpec:
    days = tuple(int(d) for d in row.weekdays.split(",") if d.strip()) if row.weekdays else (0, 1, 2, 3, 4, 5, 6)
    rec = Recurrence(row.rule, row.hour, row.minute, row.timezone, days, row.run_at)  # type: ignore[arg-type]
    return CheckinSpec(row.kind, rec, row.text)  # type: ignore[arg-type]


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
        scored = []
        for r in rows:
            hay = f"{r.text} {_SYNONYMS[r.kind]} {spec_of(r).recurrence.describe()}".lower()
            score = sum(1 for t in tokens if t not in day_words and t.rstrip("s") in hay)
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


def fire(
    schedule_id: int, *, now: datetime, engine: Engine | None = None, ask: AskFn | None = None
) -> CheckinOutbox | None:
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
        engine=engine, ask=ask,
    )  # fmt: skip
    late = now - occ > LATE_AFTER
    text = composed.text
    if late:
        text += f"\n\n_(due {format_local(occ, row.timezone)}; sent late because the app was not running then)_"
    return repo.record_fire(
        schedule_id, occ, outbox_id=outbox_id, text=text, actions=composed.buttons, late=late, now=now, engine=engine
    )
