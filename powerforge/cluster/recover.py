"""Give a dead worker's jobs to the others now, instead of after the visibility timeout.

Redis keeps every message a worker has taken but not acknowledged (kombu's `unacked` hash), and hands
it out again only after the visibility timeout, which must stay above the longest analysis (an hour by
default). A job is running exactly when a worker holds its advisory lock (powerforge.cluster.worker),
so when a supervisor sees a worker die it requeues the unacknowledged messages whose job is neither
ended nor locked. A message a live worker took a moment ago and has not locked yet may be requeued too:
the copy then finds the job locked (and retries later) or ended (and does nothing), so it never runs twice.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from sqlalchemy import Engine, text

from powerforge.cluster.worker import TASK, _lock_key, make_celery
from powerforge.config import Settings
from storage.locks import session_engine

log = logging.getLogger(__name__)

UNACKED = "unacked"  # kombu.transport.redis.Channel.unacked_key


def _job_id(raw: bytes) -> str | None:
    """The job id a stored message carries (Celery protocol 2: body = [args, kwargs, embed])."""
    try:
        message = json.loads(raw)[0]
        if message.get("headers", {}).get("task") != TASK:
            return None
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        return str(args[0])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _running(engine: Engine, job_id: str) -> bool:
    """Whether a worker holds the job's lock (SQLite has no such lock: assume it runs)."""
    if engine.url.get_backend_name() != "postgresql":
        return True
    with session_engine(engine).connect() as conn:
        key = _lock_key(job_id)
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        if got:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        conn.commit()
        return not got


def requeue_orphans(settings: Settings, engine: Engine) -> list[str]:
    """Requeue the messages of jobs no live worker runs; returns their job ids."""
    from storage import jobs as repo

    app = make_celery(settings)
    requeued: list[str] = []
    with app.connection_for_write() as conn:
        channel: Any = conn.default_channel
        client = channel.client
        for tag, raw in client.hgetall(UNACKED).items():
            job_id = _job_id(raw)
            if job_id is None:
                continue
            job = repo.get_job(job_id, engine=engine)
            if job is not None and job.status in repo.TERMINAL:
                continue  # its worker died after recording the outcome: the message only needs dropping
            if _running(engine, job_id):
                continue
            channel.qos.restore_by_tag(tag.decode() if isinstance(tag, bytes) else tag, leftmost=True)
            requeued.append(job_id)
    if requeued:
        log.warning("requeued %d job(s) of a worker that died: %s", len(requeued), ", ".join(requeued))
    return requeued
