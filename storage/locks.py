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

from powerforge.config import get_settings, normalise_db_url

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


def session_engine(engine: Engine | str) -> Engine:
    """The engine advisory locks must use for this database: itself, or, when the app's URL goes through a
    transaction pooler (DATABASE_POOLER=transaction), a direct session to the same database. A pooler hands
    each transaction to any server session, so a session lock taken through it would be held by a session
    other clients then use, and released by nobody."""
    url = normalise_db_url(engine if isinstance(engine, str) else engine.url.render_as_string(hide_password=False))
    settings = get_settings()
    if settings.behind_transaction_pooler and url == settings.db_url:
        return _engine(settings.lock_db_url)
    return _engine(url) if isinstance(engine, str) else engine


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
    conn = await asyncio.to_thread(session_engine(db_url).connect)
    try:
        while not await asyncio.to_thread(_try, conn, key):
            await asyncio.sleep(poll_s)
        try:
            yield
        finally:
            await asyncio.to_thread(_unlock, conn, key)
    finally:
        await asyncio.to_thread(conn.close)
