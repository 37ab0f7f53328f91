"""Browser e2e fixtures: the real app on a free port, and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.app import CHROMIUM, E2E_DATABASE, AppServer
from support.postgres import PostgresServer, start_postgres


@pytest.fixture(scope="session", autouse=True)
def _need_chromium() -> None:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="session")
def _e2e_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer | None]:
    """`PF_E2E_DATABASE=postgres` (`make test` sets it for its second e2e pass): one server for the session.

    Asked for and unavailable is a failure, not a skip: CI runs the suite on Postgres once.
    """
    if os.environ.get(E2E_DATABASE, "sqlite") != "postgres":
        yield None
        return
    server = start_postgres(tmp_path_factory.mktemp("e2e-pg"))
    if isinstance(server, str):
        pytest.fail(f"{E2E_DATABASE}=postgres but no server could start: {server}")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _e2e_database(_e2e_postgres: PostgresServer | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the Postgres pass every test gets its own empty database, seen by the test and the apps it starts
    (seeded accounts, the app processes and any direct reads all follow `DATABASE_URL`)."""
    if _e2e_postgres is not None:
        monkeypatch.setenv("DATABASE_URL", _e2e_postgres.new_database())


@pytest.fixture
def app_factory(tmp_path: Path) -> Iterator:
    """Start app servers on their own data dir; all are stopped at the end of the test."""
    servers: list[AppServer] = []

    def start(data_dir: Path | None = None, **env: str) -> AppServer:
        server = AppServer(data_dir or tmp_path / "var", env=env)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
