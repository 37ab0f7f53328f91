"""Browser e2e fixtures: the real app on a free port, and Debian's Chromium via Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.app import CHROMIUM, AppServer


@pytest.fixture(scope="session", autouse=True)
def _need_chromium() -> None:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed (apt-get install chromium)")


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
