"""One chat turn at a time per thread, across processes: the cross-process half of the runner's turn lock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from storage.locks import held


@asynccontextmanager
async def turn_lock(db_url: str, thread_key: str) -> AsyncIterator[None]:
    """Hold the thread's turn lock for the block. On PostgreSQL an advisory lock, so app processes behind
    one proxy (cluster mode) never interleave two turns of one thread; SQLite means one process: no-op."""
    async with held(db_url, f"turn:{thread_key}"):
        yield
