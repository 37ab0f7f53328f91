"""Outcomes of jobs run by several workers: written at most once, whoever gets there first.

Kept apart from `storage.jobs` (the single-process repository) because only the cluster backend
needs it: a task Redis hands out twice must never record a second result.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import col, select

from storage.engine import transaction
from storage.jobs import TERMINAL
from storage.tables.core import Job, utcnow


def finish_job(job_id: str, status: str, engine: Engine | None = None, **changes: Any) -> bool:
    """Record a job's outcome once; False when it already had one (a conditional UPDATE, so two workers
    racing on one job cannot both write a result)."""
    stmt = (
        update(Job)
        .where(col(Job.id) == job_id, col(Job.status).not_in(TERMINAL))
        .values(status=status, updated_at=utcnow(), **changes)
    )
    with transaction(engine) as s:
        return s.connection().execute(stmt).rowcount == 1


def start_attempt(job_id: str, engine: Engine | None = None) -> bool:
    """Mark a job running for a new attempt; False when it already ended (nothing left to do)."""
    stmt = (
        update(Job)
        .where(col(Job.id) == job_id, col(Job.status).not_in(TERMINAL))
        .values(status="running", message="starting", updated_at=utcnow())
    )
    with transaction(engine) as s:
        return s.connection().execute(stmt).rowcount == 1


def outbox_key(job_id: str) -> str:
    return f"job:{job_id}"


def write_notice(job: Job, text: str, engine: Engine | None = None) -> str | None:
    """Put a job's outcome in the person's outbox (pending), once per job; returns the row id.

    The same outbox as check-ins: whichever app process holds the person's open chat claims and shows
    it (exactly once), and with no chat open it waits for the next visit.
    """
    from sqlalchemy.exc import IntegrityError

    from storage.tables.checkins import CheckinOutbox

    now = utcnow()
    row = CheckinOutbox(account_id=job.account_id, kind="job", idempotency_key=outbox_key(job.id),
                        scheduled_for=now, text=text, created_at=now)  # fmt: skip
    try:
        with transaction(engine) as s:
            s.add(row)
        return row.id
    except IntegrityError:
        return None


def settle_notice(job_id: str, session_id: str, engine: Engine | None = None) -> bool:
    """The turn that asked for the job shows its result itself: mark the notice delivered (if still pending).

    No notice yet (its worker died before writing it; a redelivery writes it later): record one as already
    delivered, so that later write finds the key taken and the person is not told twice.
    """
    from sqlalchemy.exc import IntegrityError

    from storage.tables.checkins import CheckinOutbox

    stmt = (
        update(CheckinOutbox)
        .where(col(CheckinOutbox.idempotency_key) == outbox_key(job_id), col(CheckinOutbox.status) == "pending")
        .values(status="delivered", session_id=session_id, delivered_at=utcnow())
    )
    with transaction(engine) as s:
        if s.connection().execute(stmt).rowcount == 1:
            return True
        job = s.get(Job, job_id)
        taken = s.exec(select(CheckinOutbox.id).where(col(CheckinOutbox.idempotency_key) == outbox_key(job_id))).first()
    if job is None or taken is not None or job.status == "cancelled":  # a cancel gets no notice at all
        return False
    now = utcnow()
    row = CheckinOutbox(account_id=job.account_id, kind="job", idempotency_key=outbox_key(job_id), scheduled_for=now,
                        text="(shown in the chat that asked for it)", status="delivered", session_id=session_id,
                        delivered_at=now, created_at=now)  # fmt: skip
    try:
        with transaction(engine) as s:
            s.add(row)
        return True
    except IntegrityError:  # the notice was written meanwhile: settle that one
        with transaction(engine) as s:
            return s.connection().execute(stmt).rowcount == 1
