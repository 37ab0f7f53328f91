"""Check-in repositories: schedules, the outbox (pending → sending → delivered) and readiness answers.

The outbox is what makes delivery safe. `record_fire` writes the message and advances the schedule's
`fired_through` in one transaction, keyed by schedule id + scheduled instant, so the same occurrence
can never be written twice. Delivery claims a row (pending → sending) before it pushes and marks it
delivered right after; a process killed in between leaves a claimed row that `recover_sending` settles
at the next start (delivered if the chat already holds the message, otherwise pending again).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from storage.engine import read_session, transaction
from storage.tables.checkins import CheckinOutbox, CheckinSchedule, ReadinessAnswer


class LimitReached(ValueError):
    """The account already has the most active check-ins allowed."""


def outbox_key(schedule_id: int, occurrence: datetime) -> str:
    """Idempotency key of one occurrence of one schedule."""
    return f"{schedule_id}@{occurrence.isoformat()}"


# --------------------------------------------------------------------------- schedules
def count_active(account_id: int, engine: Engine | None = None) -> int:
    with read_session(engine) as s:
        q = select(func.count()).select_from(CheckinSchedule)
        return int(s.exec(q.where(col(CheckinSchedule.account_id) == account_id, col(CheckinSchedule.active))).one())


def save_schedules(
    account_id: int,
    rows: Iterable[dict[str, Any]],
    *,
    now: datetime,
    max_active: int,
    token: str | None = None,
    engine: Engine | None = None,
) -> tuple[list[CheckinSchedule], bool]:
    """Insert schedules as one action; (rows, created). A token already saved returns those rows unchanged."""
    rows = list(rows)
    try:
        with transaction(engine) as s:
            if token:
                done = list(
                    s.exec(
                        select(CheckinSchedule).where(
                            col(CheckinSchedule.account_id) == account_id,
                            col(CheckinSchedule.confirm_token).startswith(token),
                        )
                    )
                )
                if done:
                    return done, False
            active = s.exec(
                select(func.count())
                .select_from(CheckinSchedule)
                .where(col(CheckinSchedule.account_id) == account_id, col(CheckinSchedule.active))
            ).one()
            if active + len(rows) > max_active:
                raise LimitReached(
                    f"You have {active} active check-ins and {max_active} is the most I keep, so I can't add "
                    f"{len(rows)} more. Cancel one first (ask 'what reminders do I have?')."
                )
            saved = []
            for i, fields in enumerate(rows):
                row = CheckinSchedule(
                    account_id=account_id,
                    fired_through=now,
                    created_at=now,
                    updated_at=now,
                    confirm_token=f"{token}:{i}" if token and i else token,
                    **fields,
                )
                s.add(row)
                saved.append(row)
            s.flush()
            return saved, True
    except IntegrityError:  # the same Save pressed twice at the same moment: the first one won
        with read_session(engine) as s:
            q = select(CheckinSchedule).where(
                col(CheckinSchedule.account_id) == account_id,
                col(CheckinSchedule.confirm_token).startswith(token or ""),
            )
            return list(s.exec(q)), False


def update_schedule(
    account_id: int, schedule_id: int, fields: dict[str, Any], *, now: datetime, engine: Engine | None = None
) -> CheckinSchedule | None:
    """Change when/what a schedule sends; occurrences before `now` stay done (a move never fires the past)."""
    with transaction(engine) as s:
        row = s.get(CheckinSchedule, schedule_id)
        if row is None or row.account_id != account_id:
            return None
        for key, value in fields.items():
            setattr(row, key, value)
        row.fired_through = max(row.fired_through, now)
        row.updated_at = now
        row.active = True
        row.cancelled_at = None
        s.add(row)
        return row


def set_active(
    account_id: int,
    schedule_id: int,
    active: bool,
    *,
    now: datetime,
    max_active: int | None = None,
    engine: Engine | None = None,
) -> CheckinSchedule | None:
    """Cancel (active=False) or restore a schedule; a restored one only fires from `now` on."""
    with transaction(engine) as s:
        row = s.get(CheckinSchedule, schedule_id)
        if row is None or row.account_id != account_id:
            return None
        if active and not row.active and max_active is not None:
            n = s.exec(
                select(func.count())
                .select_from(CheckinSchedule)
                .where(col(CheckinSchedule.account_id) == account_id, col(CheckinSchedule.active))
            ).one()
            if n >= max_active:
                raise LimitReached(f"You already have {n} active check-ins, the most I keep; cancel one first.")
        row.active = active
        row.cancelled_at = None if active else now
        row.fired_through = max(row.fired_through, now)
        row.updated_at = now
        s.add(row)
        return row


def list_schedules(
    account_id: int, *, include_inactive: bool = False, engine: Engine | None = None
) -> list[CheckinSchedule]:
    with read_session(engine) as s:
        q = select(CheckinSchedule).where(col(CheckinSchedule.account_id) == account_id)
        if not include_inactive:
            q = q.where(col(CheckinSchedule.active))
        return list(s.exec(q.order_by(col(CheckinSchedule.id))))


def get_schedule(account_id: int, schedule_id: int, engine: Engine | None = None) -> CheckinSchedule | None:
    with read_session(engine) as s:
        row = s.get(CheckinSchedule, schedule_id)
    return row if row is not None and row.account_id == account_id else None


def latest_changed(account_id: int, engine: Engine | None = None) -> CheckinSchedule | None:
    """The schedule touched last (what "it" means in "cancel it")."""
    with read_session(engine) as s:
        q = select(CheckinSchedule).where(col(CheckinSchedule.account_id) == account_id)
        return s.exec(q.order_by(col(CheckinSchedule.updated_at).desc(), col(CheckinSchedule.id).desc())).first()


# --- for the scheduler (all accounts: it serves everyone; each row still carries its account) ---
def active_schedules(engine: Engine | None = None) -> list[CheckinSchedule]:
    with read_session(engine) as s:
        return list(
            s.exec(select(CheckinSchedule).where(col(CheckinSchedule.active)).order_by(col(CheckinSchedule.id)))
        )


def schedule_by_id(schedule_id: int, engine: Engine | None = None) -> CheckinSchedule | None:
    with read_session(engine) as s:
        return s.get(CheckinSchedule, schedule_id)


def record_fire(
    schedule_id: int,
    occurrence: datetime,
    *,
    outbox_id: str,
    text: str,
    actions: list[dict[str, Any]],
    late: bool,
    now: datetime,
    engine: Engine | None = None,
) -> CheckinOutbox | None:
    """Write the occurrence's message (pending) and mark the occurrence done, in one transaction.

    Returns None when the occurrence was already written (by an earlier run, a catch-up or another
    process) or the schedule is gone or cancelled: calling this twice never yields two messages.
    """
    try:
        with transaction(engine) as s:
            sched = s.exec(
                select(CheckinSchedule).where(col(CheckinSchedule.id) == schedule_id).with_for_update()
            ).first()
            if sched is None or not sched.active or occurrence <= sched.fired_through:
                return None
            row = CheckinOutbox(
                id=outbox_id,
                account_id=sched.account_id,
                schedule_id=sched.id,
                kind=sched.kind,
                idempotency_key=outbox_key(schedule_id, occurrence),
                scheduled_for=occurrence,
                text=text,
                actions=actions,
                late=late,
                created_at=now,
            )
            s.add(row)
            sched.fired_through = occurrence
            if sched.rule == "once":
                sched.active = False
            s.add(sched)
            s.flush()
            return row
    except IntegrityError:
        return None


# --------------------------------------------------------------------------- outbox
def pending_messages(account_id: int, engine: Engine | None = None) -> list[CheckinOutbox]:
    with read_session(engine) as s:
        q = select(CheckinOutbox).where(
            col(CheckinOutbox.account_id) == account_id, col(CheckinOutbox.status) == "pending"
        )
        return list(s.exec(q.order_by(col(CheckinOutbox.scheduled_for), col(CheckinOutbox.created_at))))


def unread_count(account_id: int, engine: Engine | None = None) -> int:
    with read_session(engine) as s:
        q = select(func.count()).select_from(CheckinOutbox)
        return int(
            s.exec(q.where(col(CheckinOutbox.account_id) == account_id, col(CheckinOutbox.status) == "pending")).one()
        )


def accounts_with_pending(engine: Engine | None = None) -> set[int]:
    with read_session(engine) as s:
        q = select(col(CheckinOutbox.account_id)).where(col(CheckinOutbox.status) == "pending").distinct()
        return set(s.exec(q))


def messages(account_id: int, limit: int = 50, engine: Engine | None = None) -> list[CheckinOutbox]:
    """The account's outbox, newest first (for the CLI and tests)."""
    with read_session(engine) as s:
        q = select(CheckinOutbox).where(col(CheckinOutbox.account_id) == account_id)
        return list(s.exec(q.order_by(col(CheckinOutbox.scheduled_for).desc()).limit(limit)))


def get_message(account_id: int, outbox_id: str, engine: Engine | None = None) -> CheckinOutbox | None:
    with read_session(engine) as s:
        row = s.get(CheckinOutbox, outbox_id)
    return row if row is not None and row.account_id == account_id else None


def claim(outbox_id: str, session_id: str, *, now: datetime, engine: Engine | None = None) -> bool:
    """pending → sending for this session; False when someone else claimed or delivered it first."""
    with transaction(engine) as s:
        result = s.exec(
            update(CheckinOutbox)
            .where(col(CheckinOutbox.id) == outbox_id, col(CheckinOutbox.status) == "pending")
            .values(status="sending", session_id=session_id, claimed_at=now)
        )
        return result.rowcount == 1


def mark_delivered(outbox_ids: Iterable[str], session_id: str, *, now: datetime, engine: Engine | None = None) -> int:
    """sending/pending → delivered, in one transaction; returns how many rows changed."""
    ids = list(outbox_ids)
    if not ids:
        return 0
    with transaction(engine) as s:
        result = s.exec(
            update(CheckinOutbox)
            .where(col(CheckinOutbox.id).in_(ids), col(CheckinOutbox.status).in_(("pending", "sending")))
            .values(status="delivered", session_id=session_id, delivered_at=now)
        )
        return int(result.rowcount)


def release(outbox_id: str, engine: Engine | None = None) -> None:
    """sending → pending (the push failed; the next visit shows it)."""
    with transaction(engine) as s:
        s.exec(
            update(CheckinOutbox)
            .where(col(CheckinOutbox.id) == outbox_id, col(CheckinOutbox.status) == "sending")
            .values(status="pending", session_id=None, claimed_at=None)
        )


def recover_sending(claimed_before: datetime, engine: Engine | None = None) -> tuple[int, int]:
    """Settle rows a dead process claimed: delivered if the chat history holds the message, else pending."""
    with read_session(engine) as s:
        q = select(CheckinOutbox).where(
            col(CheckinOutbox.status) == "sending", col(CheckinOutbox.claimed_at) < claimed_before
        )
        stuck = list(s.exec(q))
    delivered = released = 0
    for row in stuck:
        if chat_step_exists(message_step_id(row.id), engine):
            delivered += mark_delivered(
                [row.id], row.session_id or "", now=row.claimed_at or claimed_before, engine=engine
            )
        else:
            release(row.id, engine)
            released += 1
    return delivered, released


def message_step_id(outbox_id: str) -> str:
    """The chat message id an outbox row is shown under (deterministic, so a re-send can be detected)."""
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"powerforge:checkin:{outbox_id}"))


def chat_step_exists(step_id: str, engine: Engine | None = None) -> bool:
    """Whether Chainlit's history (the `steps` table of the app database) holds a message with this id."""
    with read_session(engine) as s:
        return s.connection().execute(text('SELECT 1 FROM steps WHERE "id" = :id'), {"id": step_id}).first() is not None


# --------------------------------------------------------------------------- readiness
def save_readiness(
    account_id: int,
    day: date,
    score: int,
    *,
    outbox_id: str | None = None,
    source: str = "chat",
    now: datetime,
    engine: Engine | None = None,
) -> ReadinessAnswer:
    """Store the day's readiness (1-5); a second answer on the same day replaces the first."""
    if not 1 <= score <= 5:
        raise ValueError("Readiness is a number from 1 (wrecked) to 5 (great).")
    with transaction(engine) as s:
        row = s.exec(
            select(ReadinessAnswer).where(
                col(ReadinessAnswer.account_id) == account_id, col(ReadinessAnswer.day) == day
            )
        ).first()
        if row is None:
            row = ReadinessAnswer(account_id=account_id, day=day, score=score, created_at=now)
        row.score, row.outbox_id, row.source, row.created_at = score, outbox_id or row.outbox_id, source, now
        s.add(row)
        return row


def readiness_between(account_id: int, start: date, end: date, engine: Engine | None = None) -> list[ReadinessAnswer]:
    with read_session(engine) as s:
        q = select(ReadinessAnswer).where(
            col(ReadinessAnswer.account_id) == account_id,
            col(ReadinessAnswer.day) >= start,
            col(ReadinessAnswer.day) <= end,
        )
        return list(s.exec(q.order_by(col(ReadinessAnswer.day))))


def readiness_on(account_id: int, day: date, engine: Engine | None = None) -> int | None:
    """The day's readiness score, for any domain that adapts to it (training load, the coach's words)."""
    rows = readiness_between(account_id, day, day, engine)
    return rows[0].score if rows else None


def last_readiness_question(account_id: int, since: datetime, engine: Engine | None = None) -> CheckinOutbox | None:
    """The newest readiness question sent since `since` (a bare "4" in chat answers it)."""
    with read_session(engine) as s:
        q = select(CheckinOutbox).where(
            col(CheckinOutbox.account_id) == account_id,
            col(CheckinOutbox.kind) == "readiness",
            col(CheckinOutbox.scheduled_for) >= since,
        )
        return s.exec(q.order_by(col(CheckinOutbox.scheduled_for).desc())).first()
