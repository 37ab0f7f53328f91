"""Long jobs behind one small interface: submit, progress, result, cancel.

Today a local process pool runs them (video analysis must not block the chat's event loop, and one
clip per process is what the pose and decode libraries scale with); the state lives in the `jobs`
table and progress is published as events, so a Celery/Redis worker can replace the pool later
without touching callers.

A job function is a plain importable function `fn(params: dict, progress: Progress) -> dict`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import multiprocessing as mp
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from storage import jobs as repo

JOB_KINDS: dict[str, str] = {}
log = logging.getLogger(__name__)


def register_job(kind: str, target: str) -> None:
    """Declare that jobs of `kind` run `target` ('package.module:function')."""
    JOB_KINDS[kind] = target


def resolve(kind: str) -> Callable[..., dict[str, Any]]:
    if kind not in JOB_KINDS:
        raise KeyError(f"No job kind '{kind}' is registered.")
    return _load(JOB_KINDS[kind])


def _load(target: str) -> Callable[..., dict[str, Any]]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


class JobCancelled(Exception):
    """Raised inside a job when its owner asked to stop it."""


@dataclass(frozen=True)
class ProgressEvent:
    job_id: str
    fraction: float  # 0..1
    message: str
    status: str = "running"


class Progress:
    """The callback a job reports through; raises JobCancelled when the job was cancelled."""

    def __init__(self, job_id: str, sink: Callable[[ProgressEvent], None], cancelled: Callable[[], bool]):
        self.job_id = job_id
        self._sink = sink
        self._cancelled = cancelled
        self._last = 0.0
        self._stage: str | None = None
        self._shown = 0.0
        self._lock = threading.Lock()  # stages may report from several threads (the pose model loads in one)

    def __call__(self, fraction: float, message: str = "", *, force: bool = False) -> None:
        if self._cancelled():
            raise JobCancelled(self.job_id)
        with self._lock:
            now = time.monotonic()
            stage = message.split(":")[0]  # "following the bar: frame 12 of ~80" → a stage, throttled within
            if force or stage != self._stage or now - self._last >= 0.25 or fraction >= 1.0:
                self._last, self._stage = now, stage  # a new stage is always shown, however fast the last one was
                # never backwards: a stage whose own estimate starts lower (or a thread reporting late) holds the bar
                self._shown = max(self._shown, max(0.0, min(1.0, fraction)))
                self._sink(ProgressEvent(self.job_id, self._shown, message))


def _worker_init() -> None:
    """A spawned worker starts with an empty interpreter: register the whole schema before any job runs.

    Otherwise a row whose foreign key points at a table the job never imported (an analysis linked to a
    logged set -> `training_sets`) fails with NoReferencedTableError, which inline runs never show.
    """
    from storage.tables import load_all

    load_all()


def _run_in_worker(target: str, job_id: str, params: dict[str, Any], events: Any, cancels: Any) -> dict[str, Any]:
    """Entry point inside a pool process (which has its own, empty registry: we pass the target)."""
    _worker_init()  # idempotent; also covers executors made without the initializer
    fn = _load(target)
    progress = Progress(job_id, events.put, lambda: bool(cancels.get(job_id)))
    return fn(params, progress)


def run_inline(kind: str, params: dict[str, Any], on_progress: Callable[[ProgressEvent], None] | None = None) -> dict:
    """Run a job in this process (CLI, tests): same function, same progress events."""
    progress = Progress("inline", on_progress or (lambda e: None), lambda: False)
    return resolve(kind)(params, progress)


class JobRunner:
    """Runs registered jobs in a process pool, mirrors their state into the `jobs` table."""

    def __init__(self, max_workers: int = 1, engine: Engine | None = None):
        self._engine = engine
        ctx = mp.get_context("spawn")  # fork would copy the event loop, sockets and DB connections
        self._manager = ctx.Manager()
        self._events = self._manager.Queue()
        self._cancels = self._manager.dict()
        self._pool = ProcessPoolExecutor(max_workers=max_workers, mp_context=ctx, initializer=_worker_init)
        self._listeners: dict[str, list[Callable[[ProgressEvent], None]]] = {}
        self._lock = threading.Lock()
        self._pending: set[Future] = set()
        self._ended: dict[str, None] = {}  # ids of jobs whose outcome is recorded (insertion-ordered, capped)
        self._kinds: dict[str, str] = {}  # running job id -> kind, for the log line of a failure
        self._order = threading.Lock()
        self._stop = threading.Event()
        self._pump = threading.Thread(target=self._drain, name="job-events", daemon=True)
        self._pump.start()

    # --- public interface -------------------------------------------------------------------
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
        """Queue a job; returns its id and a future (None when an identical job already exists)."""
        resolve(kind)  # fail fast on an unknown kind, before a row is written
        job, created = repo.create_job(
            account_id, kind, params, upload_id=upload_id, thread_id=thread_id,
            idempotency_key=idempotency_key, engine=self._engine,
        )  # fmt: skip
        if listener:
            self.subscribe(job.id, listener)
        if not created:
            return job.id, None
        repo.update_job(job.id, status="running", message="starting", engine=self._engine)
        # Callers get a future that resolves only after the outcome is in the jobs table, so a job row read
        # right after `result()` is never still "running" (the pool's own future resolves before callbacks).
        outer: Future = Future()
        outer.set_running_or_notify_cancel()
        with self._lock:
            self._pending.add(outer)
            self._kinds[job.id] = kind
        inner = self._pool.submit(_run_in_worker, JOB_KINDS[kind], job.id, params, self._events, self._cancels)
        inner.add_done_callback(lambda f, jid=job.id: self._finish(jid, f, outer))
        return job.id, outer

    async def wait(self, job_id: str, future: Future | None) -> repo.Job | None:
        """Await a submitted job's end without blocking the event loop; returns its final row."""
        if future is not None:  # it resolves only after _finish has written the outcome
            with contextlib.suppress(Exception):
                await asyncio.wrap_future(future)
            return repo.get_job(job_id, engine=self._engine)
        for _ in range(200):  # an identical job submitted earlier: poll its row
            job = repo.get_job(job_id, engine=self._engine)
            if job is None or job.status in repo.TERMINAL:
                return job
            await asyncio.sleep(0.05)
        return repo.get_job(job_id, engine=self._engine)

    def cancel(self, job_id: str) -> None:
        self._cancels[job_id] = True

    def subscribe(self, job_id: str, listener: Callable[[ProgressEvent], None]) -> None:
        with self._lock:
            self._listeners.setdefault(job_id, []).append(listener)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop taking work; jobs already finished get their outcome recorded before the queues close."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            pending = list(self._pending)
        deadline = time.monotonic() + timeout
        for fut in pending:
            with contextlib.suppress(Exception):
                fut.exception(timeout=max(0.0, deadline - time.monotonic()))
        self._stop.set()
        self._manager.shutdown()

    # --- internals --------------------------------------------------------------------------
    def _publish(self, event: ProgressEvent) -> None:
        with self._lock:
            listeners = list(self._listeners.get(event.job_id, ()))
        for listener in listeners:
            with contextlib.suppress(Exception):  # a broken listener must not stop the pump
                listener(event)

    def _handle(self, event: ProgressEvent) -> None:
        if event.job_id in self._ended:
            return  # a progress event taken just before the job's end was recorded: never after "done"
        repo.update_job(event.job_id, progress=event.fraction, message=event.message, engine=self._engine)
        self._publish(event)

    def _drain(self) -> None:
        # The blocking get happens outside the lock: holding it there starved _finish for a minute at a
        # time (a Lock is not fair). Handling happens under it, and _handle drops events of ended jobs,
        # so a job's final event still can never be followed by one of its progress events.
        while not self._stop.is_set():
            try:
                event: ProgressEvent = self._events.get(timeout=0.2)
            except queue.Empty:
                continue
            except (EOFError, OSError, BrokenPipeError):
                return
            with self._order:
                self._handle(event)

    def _drain_now(self) -> None:
        """Deliver events still queued (a worker's puts complete before its result does)."""
        while True:
            try:
                self._handle(self._events.get_nowait())
            except queue.Empty:
                return
            except (EOFError, OSError, BrokenPipeError):
                return

    def _finish(self, job_id: str, future: Future, outer: Future) -> None:
        try:
            with self._order:
                self._drain_now()
                self._record_end(job_id, future)
                self._ended[job_id] = None
                while len(self._ended) > 10_000:
                    self._ended.pop(next(iter(self._ended)))
        finally:
            with self._lock:
                self._pending.discard(outer)
            exc = JobCancelled(job_id) if future.cancelled() else future.exception()
            if exc is not None:
                outer.set_exception(exc)
            else:
                outer.set_result(future.result())

    def _record_end(self, job_id: str, future: Future) -> None:
        exc = JobCancelled(job_id) if future.cancelled() else future.exception()
        if exc is None:
            repo.update_job(job_id, status="done", progress=1.0, result=future.result(), message="done",
                            engine=self._engine)  # fmt: skip
            event = ProgressEvent(job_id, 1.0, "done", "done")
        elif isinstance(exc, JobCancelled):
            repo.update_job(job_id, status="cancelled", message="cancelled", engine=self._engine)
            event = ProgressEvent(job_id, 0.0, "cancelled", "cancelled")
        else:
            msg = str(exc) or type(exc).__name__
            with self._lock:
                kind = self._kinds.get(job_id, "?")
            # The worker's traceback travels as the exception's cause: the server log gets all of it.
            level = logging.WARNING if is_input_error(exc) else logging.ERROR
            log.log(level, "job %s (%s) failed: %s", job_id, kind, msg, exc_info=exc)
            repo.update_job(job_id, status="failed", error=msg, message="failed", engine=self._engine)
            event = ProgressEvent(job_id, 0.0, msg, "failed")
        self._publish(event)
        with self._lock:
            self._listeners.pop(job_id, None)
            self._kinds.pop(job_id, None)
        with contextlib.suppress(Exception):  # the manager may already be gone at shutdown
            self._cancels.pop(job_id, None)


def is_input_error(exc: BaseException) -> bool:
    """True for a failure whose message is written for the person (a bad clip, a missing model, no such
    row); False for a bug, whose text means nothing to them (KeyError 'x', NoReferencedTableError)."""
    if isinstance(exc, KeyError | IndexError):
        return False
    return isinstance(exc, ValueError | FileNotFoundError | LookupError)  # ModelMissing is a FileNotFoundError


JOB_FAILED = (
    "The analysis failed on my side (the details are in the server log); your upload is kept, "
    "so ask me to try again and tell the admin if it fails twice."
)


def worker_settings(params: dict[str, Any]) -> Any:
    """The settings a job runs with: the app's (.env included), on the data dir and database it was given."""
    from powerforge.config import get_settings

    settings = get_settings()
    updates: dict[str, Any] = {}
    if params.get("data_dir"):
        updates["data_dir"] = Path(params["data_dir"])
    if "database_url" in params:
        updates["database_url"] = params["database_url"] or ""
    return settings.model_copy(update=updates) if updates else settings


def job_input_path(params: dict[str, Any], settings: Any) -> Path:
    """The clip a job analyses, as a file on this machine. A stored upload is found through the upload store,
    so a worker whose local dir is empty (another machine, UPLOADS_URL=s3://...) fetches it from the bucket once;
    without an upload (CLI, tests) it is the path the job was given."""
    if params.get("upload_id") and params.get("account_id") is not None:
        from storage.engine import engine_for
        from storage.uploads import get_upload

        engine = engine_for(settings.db_url)
        up = get_upload(str(params["upload_id"]), int(params["account_id"]), settings.files_dir, engine)
        if up is not None:
            return up.path
    return Path(params["path"])


def make_runner(settings: Any, engine: Engine | None = None, max_workers: int = 1) -> Any:
    """The job runner the configuration asks for: the local pool (default) or Celery workers (cluster)."""
    if getattr(settings, "jobs_backend", "local") == "celery":
        from powerforge.cluster.runner import CeleryJobRunner

        return CeleryJobRunner(settings, engine=engine)
    return JobRunner(max_workers=max_workers, engine=engine)
