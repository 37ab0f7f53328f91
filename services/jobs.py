"""Job lookups for the chat layer: what a job already queued or finished for the same request returned."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from storage.jobs import get_job


def finished_result(job_id: str, account_id: int, engine: Engine | None = None) -> dict[str, Any] | None:
    """The stored result of the person's job `job_id`; None while it runs, or when it is not theirs.

    A request submitted twice (the same idempotency key) returns the first job's id and no future: the
    caller reads the result here instead of running the work again.
    """
    job = get_job(job_id, account_id, engine)
    return None if job is None else job.result
