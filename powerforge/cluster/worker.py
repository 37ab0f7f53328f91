"""The Celery side of the job interface: a `video` queue, late acks, one message per worker at a time.

Start a worker with `celery -A powerforge.cluster.worker worker -Q video -c 1` (what `powerforge serve
--cluster` does). Delivery is at-least-once (a worker killed mid-analysis leaves its message unacked; Redis
hands it to another worker after the visibility timeout), so the job row in the database decides:
- a task whose job already ended does nothing;
- while one worker runs a job it holds a Postgres advisory lock on it, so a copy delivered early (a
  visibility timeout shorter than the analysis) waits and retries instead of running it twice;
- the outcome is written by a conditional UPDATE, and only the worker that wrote it puts a notice in
  the outbox and publishes the final event: one result, one message. The turn that waits on the job
  marks the notice delivered (it shows the result itself); otherwise the app process holding the
  person's chat shows it, or the next visit does.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator
from typing import Any

from celery import Celery
from sqlalchemy import Engine, text

from powerforge.cluster import events
from powerforge.config import Settings, get_settings
from powerforge.jobs import JOB_FAILED, JobCancelled, Progress, ProgressEvent, _load, is_input_error
from storage.locks import session_engine

log = logging.getLogger(__name__)

TASK = "powerforge.run_job"
QUEUE = "video"
RETRY_BUSY_S = 30  # a copy of a job another worker is running: look again after this
INPUT_FAILURE = "failed: input"  # the row's message when the error text is written for the person


def make_celery(settings: Settings) -> Celery:
    """The Celery app both sides share (the app only sends; workers also run `run_job`)."""
    app = Celery("powerforge", broker=settings.redis_url)
    app.conf.update(
        task_acks_late=True,  # ack after the job ends: a worker killed mid-job leaves the message to others
        task_reject_on_worker_lost=True,  # a pool process killed by a signal: requeue, don't ack
        worker_prefetch_multiplier=1,  # a worker reserves only the job it runs (long jobs, fair spread)
        task_default_queue=QUEUE,
        task_routes={TASK: {"queue": QUEUE}},
        task_ignore_result=True,  # the job row is the result
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": settings.visibility_timeout_s,
            "unacked_restore_interval": settings.celery_restore_interval_s,
            "unacked_restore_throttle": 1,
        },
        worker_hijack_root_logger=False,
    )
    return app


celery_app = make_celery(get_settings())


@celery_app.task(name=TASK, bind=True, max_retries=None)
def run_job(self: Any, job_id: str, target: str, database_url: str) -> str:
    """Run one job to its recorded end; returns what happened (for the worker log and tests)."""
    try:
        return execute(job_id, target, database_url, get_settings().redis_url)
    except JobBusy:
        raise self.retry(countdown=RETRY_BUSY_S) from None


class JobBusy(Exception):
    """Another worker holds this job's lock: it is running there."""


def _lock_key(job_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(job_id.encode(), digest_size=8).digest(), "big", signed=True)


@contextlib.contextmanager
def job_lock(engine: Engine, job_id: str) -> Iterator[bool]:
    """Hold a session advisory lock on the job while it runs (released when the worker dies)."""
    if engine.url.get_backend_name() != "postgresql":
        yield True  # SQLite: one machine, the local pool's shape; the conditional UPDATE still guards
        return
    conn = session_engine(engine).connect()
    try:
        key = _lock_key(job_id)
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                with contextlib.suppress(Exception):
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
    finally:
        conn.close()


def execute(job_id: str, target: str, database_url: str, redis_url: str) -> str:
    from storage import jobs as repo
    from storage.engine import engine_for
    from storage.job_outcomes import finish_job, start_attempt, write_notice

    engine = engine_for(database_url)
    job = repo.get_job(job_id, engine=engine)
    if job is None:
        log.warning("job %s is not in the database; dropped", job_id)
        return "missing"
    if job.status in repo.TERMINAL:
        _complete_notice(job, engine)
        return "already-ended"
    conn = events.client(redis_url)
    account_id = job.account_id

    def send(event: ProgressEvent, **extra: Any) -> None:
        payload = {"job_id": event.job_id, "fraction": event.fraction, "message": event.message,
                   "status": event.status, "kind": job.kind, "thread_id": job.thread_id, **extra}  # fmt: skip
        try:
            events.publish(conn, account_id, payload)
        except Exception:  # the row holds the state; a lost event only delays the reader's poll
            log.warning("could not publish %s of job %s", event.status, job_id, exc_info=True)

    def on_progress(event: ProgressEvent) -> None:
        repo.update_job(job_id, progress=event.fraction, message=event.message, engine=engine)
        send(event)

    with job_lock(engine, job_id) as held:
        if not held:
            raise JobBusy(job_id)
        if not start_attempt(job_id, engine):
            return "already-ended"  # ended between our read and the lock
        progress = Progress(job_id, on_progress, lambda: bool(conn.exists(cancel_key(job_id))))
        try:
            result = _load(target)(job.params, progress)
        except JobCancelled:
            if finish_job(job_id, "cancelled", engine, message="cancelled"):
                send(ProgressEvent(job_id, 0.0, "cancelled", "cancelled"))
            return "cancelled"
        except Exception as exc:
            msg = str(exc) or type(exc).__name__
            user_error = is_input_error(exc)
            log.log(logging.WARNING if user_error else logging.ERROR, "job %s (%s) failed: %s", job_id, job.kind,
                    msg, exc_info=exc)  # fmt: skip
            shown = msg if user_error else JOB_FAILED
            if finish_job(job_id, "failed", engine, error=msg, message=INPUT_FAILURE if user_error else "failed"):
                notice = write_notice(job, notice_text(job.kind, "failed", shown), engine)
                send(ProgressEvent(job_id, 0.0, shown, "failed"), input_error=user_error, outbox_id=notice)
            return "failed"
        if finish_job(job_id, "done", engine, result=result, progress=1.0, message="done"):
            notice = write_notice(job, notice_text(job.kind, "done"), engine)
            send(ProgressEvent(job_id, 1.0, "done", "done"), outbox_id=notice)
            return "done"
        return "already-ended"


LABELS = {"lift_analysis": "lift video analysis", "strike_analysis": "boxing video analysis",
          "punch_training": "punch model training"}  # fmt: skip


def notice_text(kind: str, status: str, shown: str = "") -> str:
    """The outbox line for a job's end, for a person whose chat was not waiting on it."""
    what = LABELS.get(kind, "analysis")
    if status == "done":
        return f"Your {what} has finished. Ask me about it to see the result."
    return f"Your {what} did not finish: {shown}"


def _complete_notice(job: Any, engine: Engine) -> None:
    """A worker that died between recording the outcome and writing its notice: write it now (once, by key)."""
    from storage.job_outcomes import write_notice

    if job.status == "done":
        write_notice(job, notice_text(job.kind, "done"), engine)
    elif job.status == "failed":
        shown = job.error if job.message == INPUT_FAILURE else JOB_FAILED
        write_notice(job, notice_text(job.kind, "failed", shown or JOB_FAILED), engine)


def cancel_key(job_id: str) -> str:
    return f"pf:cancel:{job_id}"
