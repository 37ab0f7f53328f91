"""Shared fixtures: a fresh data dir and migrated database per test, real PostgreSQL on demand,
and the `../shared/data` test corpus (skipped with a reason when absent)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.postgres import PostgresServer, start_postgres  # noqa: E402

from powerforge.config import Settings, override_settings  # noqa: E402
from storage.engine import dispose_all, make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

SHARED_DATA = Path(os.environ.get("POWERFORGE_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings pointing at an empty temp data dir (SQLite); installed as the process-wide settings."""
    s = Settings(_env_file=None, data_dir=tmp_path / "var", database_url="", llm_embedded=False)
    s.ensure_dirs()
    override_settings(s)
    yield s
    override_settings(None)
    dispose_all()


@pytest.fixture
def engine(settings: Settings):
    """A migrated SQLite engine for the test's data dir."""
    eng = make_engine(settings.db_url)
    upgrade(engine=eng)
    yield eng
    eng.dispose()


@pytest.fixture
def account(engine):
    from storage.accounts import create_account

    return create_account("athlete", "correct-horse-1", engine=engine)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A real PostgreSQL server from Debian's package, started for this test session."""
    server = start_postgres(tmp_path_factory.mktemp("pg"))
    if isinstance(server, str):
        pytest.skip(server)
    yield server
    server.stop()


@pytest.fixture
def pg_settings(postgres: PostgresServer, tmp_path: Path) -> Iterator[Settings]:
    url = postgres.new_database()
    s = Settings(_env_file=None, data_dir=tmp_path / "var", database_url=url, llm_embedded=False)
    s.ensure_dirs()
    override_settings(s)
    yield s
    override_settings(None)
    dispose_all()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data`, the project's external test corpus; tests using it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"test corpus not found at {SHARED_DATA} (../shared/data is absent)")
    return SHARED_DATA
