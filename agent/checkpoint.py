"""LangGraph checkpointer on the app's own database, so a thread's agent state survives restarts.

SQLite: LangGraph's async SQLite saver on the same file (WAL lets it share with the app).
Postgres: LangGraph's async Postgres saver on a small psycopg pool (the road to many processes); its tables are
set up again when another app process, started at the same moment, was creating them too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from langgraph.checkpoint.base import BaseCheckpointSaver

from powerforge.config import Settings


class _Migrating(Protocol):
    async def setup(self) -> None: ...


async def _set_up(saver: _Migrating, attempts: int = 6) -> None:
    """LangGraph's migrations are not safe to run twice at once: two app processes starting together failed with
    'type "checkpoint_migrations" already exists' (or a duplicate migration row), and one came up without its
    coach. The loser runs them again: by then the winner's tables and rows are there and are skipped."""
    from psycopg import errors

    for attempt in range(attempts):
        try:
            await saver.setup()
            return
        except (errors.DuplicateObject, errors.DuplicateTable, errors.UniqueViolation):
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.2 * (attempt + 1))


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver]:
    url = settings.db_url
    if url.startswith("sqlite"):
        import aiosqlite
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        path = url.split("///", 1)[1]
        conn = await aiosqlite.connect(path, timeout=10)
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA busy_timeout=10000")
        saver = AsyncSqliteSaver(conn)
        await saver.setup()
        try:
            yield saver
        finally:
            await conn.close()
        return
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    # LangGraph's saver prepares every statement (threshold 0); a transaction pooler cannot keep them.
    prepare = None if settings.behind_transaction_pooler else 0
    pool = AsyncConnectionPool(
        conninfo, min_size=1, max_size=4, open=False,
        kwargs={"autocommit": True, "prepare_threshold": prepare, "row_factory": dict_row},
    )  # fmt: skip
    await pool.open()
    try:
        pg_saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
        await _set_up(pg_saver)
        yield pg_saver
    finally:
        await pool.close()
