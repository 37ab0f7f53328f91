"""Postgres behind a transaction pooler (issue 18): PgBouncer from Debian in transaction mode, as managed
poolers (Supavisor, RDS Proxy, PgBouncer in front of a cloud database) run it.

A pooler hands each transaction to whichever server session is free. Two things break: statements
psycopg prepared on one session (`prepared statement "_pg3_0" already exists` / `does not exist` on the
next client), and session advisory locks. With `DATABASE_POOLER=transaction` the app prepares nothing and
takes its locks on `DATABASE_DIRECT_URL`. The pooler here has one server session, so every client meets the
previous client's session state at once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from support.pgbouncer import PgBouncer, start_pgbouncer
from support.postgres import PostgresServer

from agent.checkpoint import open_checkpointer
from powerforge.config import Settings, override_settings
from storage.accounts import create_account, get_account
from storage.engine import dispose_all, make_engine
from storage.locks import held, session_engine
from storage.migrate import upgrade

pytestmark = pytest.mark.integration


@pytest.fixture
def pooler(postgres: PostgresServer) -> Iterator[PgBouncer]:
    bouncer = start_pgbouncer(postgres)
    if isinstance(bouncer, str):
        pytest.fail(bouncer)  # installed by `make system-test-deps`: CI must not skip
    yield bouncer
    bouncer.stop()


def _settings(tmp_path: Path, pooled_url: str, direct_url: str, pooler: str = "transaction") -> Settings:
    s = Settings(_env_file=None, data_dir=tmp_path / "var", database_url=pooled_url, database_pooler=pooler,
                 database_direct_url=direct_url, llm_embedded=False)  # fmt: skip
    s.ensure_dirs()
    return s


@pytest.fixture
def pooled(postgres: PostgresServer, pooler: PgBouncer, tmp_path: Path) -> Iterator[Settings]:
    direct = postgres.new_database()
    s = _settings(tmp_path, pooler.url(direct.rsplit("/", 1)[1]), direct)
    override_settings(s)
    yield s
    override_settings(None)
    dispose_all()


def _same_query_on_two_connections(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as a, engine.connect() as b:
            for _ in range(8):  # psycopg prepares a statement on its 5th run
                for conn in (a, b):
                    assert conn.execute(text("SELECT count(*) FROM accounts WHERE id > :i"), {"i": 0}).scalar() == 1
                    conn.commit()
    finally:
        engine.dispose()


def test_without_the_setting_a_pooler_breaks_prepared_statements(postgres, pooler, tmp_path: Path) -> None:
    """The failure the setting exists for, so the test below cannot pass by accident."""
    direct = postgres.new_database()
    override_settings(_settings(tmp_path, pooler.url(direct.rsplit("/", 1)[1]), direct, pooler=""))
    try:
        engine = make_engine(direct)
        upgrade(engine=engine)
        create_account("first", "first-pass-1", engine=engine)
        engine.dispose()
        with pytest.raises(Exception, match="prepared statement"):
            _same_query_on_two_connections(pooler.url(direct.rsplit("/", 1)[1]))
    finally:
        override_settings(None)
        dispose_all()


def test_storage_works_through_a_transaction_pooler(pooled: Settings) -> None:
    engine = make_engine(pooled.db_url)
    upgrade(engine=engine)  # migrations through the pooler
    acc = create_account("pooled", "pooled-pass-1", engine=engine)
    _same_query_on_two_connections(pooled.db_url)

    errors: list[BaseException] = []

    def reads() -> None:
        try:
            for _ in range(10):
                assert get_account(acc.id, engine=engine).username == "pooled"
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=reads) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert errors == []


def test_the_checkpointer_works_through_a_transaction_pooler(pooled: Settings) -> None:
    from langgraph.checkpoint.base import empty_checkpoint

    async def run() -> None:
        async with open_checkpointer(pooled) as one, open_checkpointer(pooled) as two:
            for i in range(8):
                for saver in (one, two):
                    cfg = {"configurable": {"thread_id": f"t{i % 2}", "checkpoint_ns": ""}}
                    cp = empty_checkpoint()
                    await saver.aput(cfg, cp, {"source": "input", "step": i}, {})
                    got = await saver.aget_tuple(cfg)
                    assert got is not None and got.checkpoint["id"] == cp["id"]

    asyncio.run(run())


def test_advisory_locks_skip_the_pooler(pooled: Settings, postgres: PostgresServer) -> None:
    assert session_engine(pooled.db_url).url.port == postgres.port
    assert session_engine(make_engine(pooled.db_url)).url.port == postgres.port

    order: list[str] = []

    async def turn(name: str, hold_s: float) -> None:
        async with held(pooled.db_url, "turn:one-thread"):
            order.append(f"{name} in")
            await asyncio.sleep(hold_s)
            order.append(f"{name} out")

    async def both() -> None:
        first = asyncio.create_task(turn("a", 0.5))
        await asyncio.sleep(0.1)
        await asyncio.gather(first, turn("b", 0))

    asyncio.run(both())
    assert order == ["a in", "a out", "b in", "b out"]


def test_a_transaction_pooler_without_a_direct_url_is_refused(tmp_path: Path) -> None:
    s = _settings(tmp_path, "postgresql://u@pooler:6432/app", "")
    with pytest.raises(ValueError, match="DATABASE_DIRECT_URL"):
        _ = s.lock_db_url
