"""One unit of work per user action: every storage call of the action joins one database transaction.

The storage functions take an `engine` and open their own short sessions. Handed the connection of a
unit of work instead, their sessions join its transaction (SQLAlchemy's default `join_transaction_mode`):
their commits become no-ops and the action commits once at the end, or rolls back as a whole when it
raises, so a half-done action (a custom exercise created, the sets not logged) is never left behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

from sqlalchemy import Engine


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Engine]:
    """A transaction for one user action; pass what it yields wherever storage takes an `engine`.

    What it yields is a Connection standing in for the Engine (typed as one for the storage signatures);
    reads through it see the action's own uncommitted writes. Nothing else may write to the database
    with another connection inside the block (SQLite would wait on this transaction's lock).

    Shared reference data that storage seeds once per process (the exercise library: `ensure_library`)
    must be seeded before the block: seeded inside it, it would be marked done before it is committed, and
    a concurrent first action elsewhere would not find its rows.
    """
    if engine is None:
        from storage.engine import get_engine

        engine = get_engine()
    with engine.connect() as conn:
        conn.url = engine.url  # type: ignore[attr-defined]  # storage keys per-database caches by URL
        with conn.begin():
            yield cast(Engine, conn)
