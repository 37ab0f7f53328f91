"""Job and check-in events across processes: Redis pub/sub, one channel per account.

Every app process subscribes to all accounts and hands an event to the sockets it holds, so an event
published by a worker reaches the user's open chat whichever app process the proxy sent them to.
Pub/sub is fire-and-forget: the database (job row, outbox) stays the truth, these only wake readers.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

log = logging.getLogger(__name__)

PREFIX = "pf:account:"
Handler = Callable[[int, dict[str, Any]], None]


def client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=30)


def channel(account_id: int) -> str:
    return f"{PREFIX}{account_id}"


def publish(conn: redis.Redis, account_id: int, payload: dict[str, Any]) -> int:
    """Publish one event; returns how many processes were listening (0 is fine: the row keeps it)."""
    return int(conn.publish(channel(account_id), json.dumps(payload, default=str)))  # type: ignore[arg-type]


class Subscriber:
    """A daemon thread receiving every account's events; reconnects after Redis restarts."""

    def __init__(self, url: str, handler: Handler) -> None:
        self._url = url
        self._handler = handler
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pf-events", daemon=True)

    def start(self, timeout: float = 10.0) -> Subscriber:
        """Start and wait until subscribed (events published before that are only in the database)."""
        self._thread.start()
        if not self._ready.wait(timeout):
            log.warning("event subscription not ready after %.0f s; retrying in the background", timeout)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                pubsub = client(self._url).pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(PREFIX + "*")
                self._ready.set()
                while not self._stop.is_set():
                    msg = pubsub.get_message(timeout=0.5)
                    if msg is None or msg.get("type") != "pmessage":
                        continue
                    self._dispatch(msg)
                pubsub.close()
            except redis.RedisError:
                log.warning("event subscription lost; reconnecting in 1 s", exc_info=True)
                time.sleep(1.0)

    def _dispatch(self, msg: dict[str, Any]) -> None:
        try:
            name = msg["channel"].decode() if isinstance(msg["channel"], bytes) else msg["channel"]
            account_id = int(name[len(PREFIX) :])
            payload = json.loads(msg["data"])
        except (ValueError, KeyError):
            log.warning("ignored a malformed event on %r", msg.get("channel"))
            return
        try:
            self._handler(account_id, payload)
        except Exception:  # a broken handler must not end the subscription
            log.exception("event handler failed for account %s", account_id)
