"""Named locks across processes: a Postgres session advisory lock, held on its own connection.

The app's in-process locks stop two turns of one thread in the same process; when several app processes
share a database (cluster mode) this one stops them across processes. SQLite means one process: no-op.
Each held lock owns one connection outside the app's pool, so long holders (a chat turn waiting on the
model) never starve the pool that queries need.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

from powerforge.config import normalise_db_url

_ENGINES: dict[str, Engine] = {}
_GUARD = threading.Lock()


def lock_key(name: str) -> int:
    """A signed 64-bit key for `name` (the advisory lock key space)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def _engine(url: str) -> Engine:
    with _GUARD:
        if url not in _ENGINES:
            _ENGINES[url] = create_engine(normalise_db_url(url), poolclass=NullPool)
        return _ENGINES[url]


def _try(conn: Connection, key: int) -> bool:
    got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
    conn.commit()
    return got


def _unlock(conn: Connection, key: int) -> None:
    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    conn.commit()


@asynccontextmanager
async def held(db_url: str, name: str, poll_s: float = 0.05) -> AsyncIterator[None]:
    """Hold the lock `name` for the block, waiting (without blocking the loop) while another process has it."""
    if not normalise_db_url(db_url).startswith("postgresql"):
        yield
        return
    key = lock_key(name)
    conn = await asyncio.to_thread(_engine(db_url).connect)
    try:
        while not await asyncio.to_thread(_try, conn, key):
            await asyncio.sleep(poll_s)
        try:
            yield
        finally:
            await asyncio.to_thread(_unlock, conn, key)
    finally:
        await asyncio.to_thread(conn.close)
