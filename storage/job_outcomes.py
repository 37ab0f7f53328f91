"""Outcomes of jobs run by several workers: written at most once, whoever gets there first.

Kept apart from `storage.jobs` (the single-process repository) because only the cluster backend
needs it: a task Redis hands out twice must never record a second result.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import col

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
