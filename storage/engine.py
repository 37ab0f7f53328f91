"""Database engines and transactions: SQLite (WAL, foreign keys) by default, Postgres by URL.

One engine per URL per process; every write goes through `transaction()` so a failure rolls the
whole unit of work back and the database stays consistent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from powerforge.config import get_settings, normalise_db_url


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str) -> Engine:
    """A new engine for `url`, with SQLite tuned for one writer and many readers.

    Registers the whole schema first: any process that touches the database (a spawned job worker,
    a CLI command) then knows every table a foreign key may point at.
    """
    from storage.tables import load_all  # here, not at import: the table modules import this package

    load_all()
    url = normalise_db_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Behind a transaction pooler each transaction may land on another server session, where a statement
    # psycopg prepared earlier does not exist: prepared statements off (psycopg prepares after 5 runs).
    connect_args = {"prepare_threshold": None} if get_settings().behind_transaction_pooler else {}
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args=connect_args)


_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def engine_for(url: str) -> Engine:
    """The shared engine for `url` (one per process, so connections are pooled)."""
    with _LOCK:
        if url not in _ENGINES:
            _ENGINES[url] = make_engine(url)
        return _ENGINES[url]


def get_engine() -> Engine:
    return engine_for(get_settings().db_url)


def dispose_all() -> None:
    """Close every engine (tests that switch databases, graceful shutdown)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


@contextmanager
def transaction(engine: Engine | None = None) -> Iterator[Session]:
    """A session whose work commits at the end of the block or rolls back on any exception."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session for reads only (no commit)."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        yield session


def short_lived_engine(url: str) -> Engine:
    """An engine without a pool, for one-off commands (migrations, CLI) that must not hold connections."""
    from storage.tables import load_all

    load_all()
    url = normalise_db_url(url)
    if url.startswith("sqlite"):
        return make_engine(url)
    return create_engine(url, poolclass=NullPool)


def saved_id(s: Session, row: Any) -> int:
    """The primary key of a row just added to `s`: flushes so the database assigns it (SQLModel types
    `id` as optional because it is None until then)."""
    s.flush()
    key = row.id
    if not isinstance(key, int):
        raise RuntimeError(f"{type(row).__name__} got no integer id on flush")
    return key
