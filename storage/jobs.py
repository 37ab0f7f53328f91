"""The `jobs` table as a repository: idempotent creation, progress, completion, cancellation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from storage.engine import read_session, transaction
from storage.tables.core import Job, utcnow

TERMINAL = frozenset({"done", "failed", "cancelled"})


def create_job(
    account_id: int,
    kind: str,
    params: dict[str, Any],
    *,
    upload_id: str | None = None,
    thread_id: str | None = None,
    idempotency_key: str | None = None,
    engine: Engine | None = None,
) -> tuple[Job, bool]:
    """Insert a queued job, or return the existing one with the same idempotency key (created=False)."""
    with transaction(engine) as s:
        if idempotency_key:
            existing = s.exec(
                select(Job).where(col(Job.account_id) == account_id, col(Job.idempotency_key) == idempotency_key)
            ).first()
            if existing is not None and existing.status not in ("failed", "cancelled"):
                return existing, False
            if existing is not None:  # a failed attempt may be retried under the same key
                s.delete(existing)
                s.flush()
        job = Job(
            account_id=account_id,
            kind=kind,
            params=params,
            upload_id=upload_id,
            thread_id=thread_id,
            idempotency_key=idempotency_key,
        )
        s.add(job)
        return job, True


def update_job(job_id: str, engine: Engine | None = None, **changes: Any) -> Job | None:
    with transaction(engine) as s:
        job = s.get(Job, job_id)
        if job is None:
            return None
        for key, value in changes.items():
            setattr(job, key, value)
        job.updated_at = utcnow()
        s.add(job)
        return job


def get_job(job_id: str, account_id: int | None = None, engine: Engine | None = None) -> Job | None:
    with read_session(engine) as s:
        job = s.get(Job, job_id)
    if job is None or (account_id is not None and job.account_id != account_id):
        return None
    return job


def list_jobs(account_id: int, kind: str | None = None, limit: int = 20, engine: Engine | None = None) -> list[Job]:
    with read_session(engine) as s:
        q = select(Job).where(col(Job.account_id) == account_id)
        if kind:
            q = q.where(col(Job.kind) == kind)
        return list(s.exec(q.order_by(col(Job.created_at).desc()).limit(limit)))


def fail_interrupted(engine: Engine | None = None) -> int:
    """Mark jobs left running by a crashed process as failed (their upload is kept for a retry)."""
    with transaction(engine) as s:
        rows = list(s.exec(select(Job).where(col(Job.status).in_(("queued", "running")))))
        for job in rows:
            job.status = "failed"
            job.error = "The app stopped while this analysis was running; the upload is kept, ask me to retry."
            job.updated_at = utcnow()
            s.add(job)
        return len(rows)
