"""Cross-process delivery: a cluster event wakes the app process that holds the person's open chat.

Events say only "something is pending for account N"; the outbox row is the message, and the claim
on it (pending → sending) makes it shown exactly once whichever process or chat gets there first.
A job's notice waits `grace_s` first: the turn that started the job is usually still open and marks it
delivered itself (it shows the full result), so another chat does not repeat it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

Push = Callable[[int], Awaitable[Any]]


class OutboxRelay:
    """An account-event listener (any thread) that runs `push(account_id)` on the app's event loop."""

    def __init__(self, push: Push, loop: asyncio.AbstractEventLoop, grace_s: float = 2.0) -> None:
        self.push = push
        self.loop = loop
        self.grace_s = grace_s

    def __call__(self, account_id: int, payload: dict[str, Any]) -> None:
        if payload.get("type") == "checkin":
            delay = 0.0
        elif payload.get("outbox_id"):
            delay = self.grace_s
        else:
            return  # progress events are for the waiting turn, not the outbox
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.call_later, delay, self._run, account_id)

    def _run(self, account_id: int) -> None:
        task = asyncio.ensure_future(self.push(account_id))
        task.add_done_callback(self._log_failure)

    @staticmethod
    def _log_failure(task: asyncio.Future) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("delivering from the outbox failed; it stays pending", exc_info=task.exception())
