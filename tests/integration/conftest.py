"""Fixtures for the cluster tests: a real redis-server, and settings for Celery on Postgres + Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cluster import VISIBILITY_S, RedisServer, start_redis

from powerforge.config import Settings
from storage.migrate import upgrade


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = start_redis(tmp_path / "redis")
    if isinstance(server, str):
        pytest.fail(server)  # CI installs redis-server (make system-test-deps): a missing one is a failure
    yield server
    server.stop()


@pytest.fixture
def cluster_settings(pg_settings: Settings, redis_server: RedisServer) -> Settings:
    upgrade(pg_settings.db_url)
    return pg_settings.model_copy(
        update={"jobs_backend": "celery", "redis_url": redis_server.url,
                "celery_visibility_timeout_s": VISIBILITY_S, "celery_restore_interval_s": 1.0}
    )  # fmt: skip
