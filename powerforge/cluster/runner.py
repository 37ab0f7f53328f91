"""`JobRunner`'s interface over Celery: same submit / wait / cancel / subscribe, jobs run on workers.

The job row is the truth. Events from workers arrive by Redis pub/sub and resolve the futures of
jobs this process submitted; a poll of the rows of pending jobs covers an event lost to a Redis
reconnect, so a caller is never left waiting on a job that ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from sqlalchemy import Engine

from powerforge.cluster import events
from powerforge.cluster.worker import INPUT_FAILURE, QUEUE, TASK, cancel_key, make_celery
from powerforge.config import Settings
from powerforge.jobs import JOB_FAILED, JOB_KINDS, JobCancelled, ProgressEvent, resolve
from storage import jobs as repo
from storage.job_outcomes import finish_job, settle_notice

log = logging.getLogger(__name__)

AccountListener = Callable[[int, dict[str, Any]], None]
POLL_S = 2.0


class JobFailed(RuntimeError):
    """A job failed on a worker for a reason that is not the person's input (details in the worker log)."""


class CeleryJobRunner:
    """Submits jobs to the `video` queue and follows them through their rows and Redis events."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        from storage.engine import engine_for

        self._engine = engine
        self._db_url = (engine or engine_for(settings.db_url)).url.render_as_string(hide_password=False)
        self._settings = settings
        self.process_id = f"{socket.gethostname()}:{os.getpid()}"
        self._celery = make_celery(settings)
        self._redis = events.client(settings.redis_url)
        self._lock = threading.Lock()
        self._listeners: dict[str, list[Callable[[ProgressEvent], None]]] = {}
        self._futures: dict[str, Future] = {}
        self._account_listeners: list[AccountListener] = []
        self._stop = threading.Event()
        self._subscriber = events.Subscriber(settings.redis_url, self._on_event).start()
        self._poller = threading.Thread(target=self._poll, name="pf-job-poll", daemon=True)
        self._poller.start()

    # --- the JobRunner interface -----------------------------------------------------------
    def submit(
        self,
        kind: str,
        account_id: int,
        params: dict[str, Any],
        *,
        upload_id: str | None = None,
        thread_id: str | None = None,
        idempotency_key: str | None = None,
        listener: Callable[[ProgressEvent], None] | None = None,
    ) -> tuple[str, Future | None]:
        """Queue a job on the workers; returns its id and a future (None when an identical job exists)."""
        resolve(kind)
        job, created = repo.create_job(
            account_id, kind, params, upload_id=upload_id, thread_id=thread_id,
            idempotency_key=idempotency_key, engine=self._engine,
        )  # fmt: skip
        if listener:
            self.subscribe(job.id, listener)
        if not created:
            return job.id, None
        future: Future = Future()
        future.set_running_or_notify_cancel()
        with self._lock:
            self._futures[job.id] = future
        try:
            self._celery.send_task(TASK, args=[job.id, JOB_KINDS[kind], self._db_url], queue=QUEUE)
        except Exception as e:  # Redis unreachable: say so now instead of leaving a row queued forever
            log.error("could not queue job %s (%s) on %s", job.id, kind, self._settings.redis_url, exc_info=e)
            with self._lock:
                self._futures.pop(job.id, None)
                self._listeners.pop(job.id, None)
            finish_job(job.id, "failed", self._engine, error=f"the job queue is unreachable: {e}", message="failed")
            raise JobFailed(JOB_FAILED) from e
        return job.id, future

    async def wait(self, job_id: str, future: Future | None) -> repo.Job | None:
        if future is not None:
            with contextlib.suppress(Exception):
                await asyncio.wrap_future(future)
            return repo.get_job(job_id, engine=self._engine)
        while True:  # a job submitted earlier (maybe by another process): follow its row
            job = repo.get_job(job_id, engine=self._engine)
            if job is None or job.status in repo.TERMINAL:
                return job
            await asyncio.sleep(0.5)

    def cancel(self, job_id: str) -> None:
        """Ask the worker running it to stop (it checks at its next progress report)."""
        self._redis.set(cancel_key(job_id), "1", ex=int(self._settings.visibility_timeout_s) + 60)

    def subscribe(self, job_id: str, listener: Callable[[ProgressEvent], None]) -> None:
        with self._lock:
            self._listeners.setdefault(job_id, []).append(listener)

    def on_account_event(self, listener: AccountListener) -> None:
        """Every job event of every account reaching this process (the app routes them to open chats)."""
        with self._lock:
            self._account_listeners.append(listener)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop following jobs; they keep running on the workers and their rows record the outcome."""
        self._stop.set()
        self._subscriber.stop()
        self._poller.join(timeout=timeout)
        with contextlib.suppress(Exception):
            self._redis.close()

    # --- internals --------------------------------------------------------------------------
    def _on_event(self, account_id: int, payload: dict[str, Any]) -> None:
        job_id = str(payload.get("job_id", ""))
        event = ProgressEvent(job_id, float(payload.get("fraction", 0.0)), str(payload.get("message", "")),
                              str(payload.get("status", "running")))  # fmt: skip
        with self._lock:
            listeners = list(self._listeners.get(job_id, ())) + [
                lambda e, f=f: f(account_id, payload) for f in self._account_listeners
            ]
        for listener in listeners:
            with contextlib.suppress(Exception):
                listener(event)
        if event.status in repo.TERMINAL:
            self._settle(job_id)

    def _settle(self, job_id: str) -> None:
        """Resolve this process's future of an ended job from its row."""
        with self._lock:
            future = self._futures.get(job_id)
        if future is None:
            return
        job = repo.get_job(job_id, engine=self._engine)
        if job is None or job.status not in repo.TERMINAL:
            return
        with self._lock:
            if self._futures.pop(job_id, None) is None:
                return  # the poller settled it meanwhile
            self._listeners.pop(job_id, None)
        try:  # the waiting turn shows the outcome: the outbox notice is not shown again elsewhere
            settle_notice(job_id, f"turn:{self.process_id}", self._engine)
        except Exception:
            log.warning("could not settle the notice of job %s; it may be shown once more", job_id, exc_info=True)
        if job.status == "done":
            future.set_result(job.result)
        elif job.status == "cancelled":
            future.set_exception(JobCancelled(job_id))
        elif job.message == INPUT_FAILURE:
            future.set_exception(ValueError(job.error or "the input could not be analysed"))
        else:
            future.set_exception(JobFailed(JOB_FAILED))

    def _poll(self) -> None:
        while not self._stop.wait(POLL_S):
            with self._lock:
                pending = list(self._futures)
            for job_id in pending:
                try:
                    self._settle(job_id)
                except Exception:
                    log.warning("could not read job %s; trying again", job_id, exc_info=True)
