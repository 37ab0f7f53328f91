"""One check-in scheduler across processes: a leader by Postgres advisory lock and a standby.

Two real scheduler processes on one PostgreSQL database: a check-in fires once (from the leader);
after SIGKILL of the leader the standby takes the lock and fires the next one; the outbox holds
exactly one message per occurrence. Each write is announced on Redis for the app processes.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.cluster import ROOT, spawn, start_redis, wait_for

from checkins import service
from checkins.schedule import CheckinSpec, Recurrence
from powerforge.config import Settings
from storage import checkins as repo
from storage.engine import make_engine
from storage.migrate import upgrade

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(240)]


def _save_once(account_id: int, engine, words: str, seconds: float) -> int:
    """A one-off due in `seconds` (sooner than chat allows, to keep the test short)."""
    now = datetime.now(UTC)
    rec = Recurrence("once", tz="UTC", run_at=now + timedelta(seconds=seconds))
    rows, _ = service.save(account_id, [CheckinSpec("reminder", rec, words)], now=now, engine=engine)
    return rows[0].id


def test_one_leader_fires_once_and_the_standby_takes_over(pg_settings: Settings, tmp_path: Path) -> None:
    from powerforge.cluster.events import Subscriber
    from storage.accounts import create_account

    redis_server = start_redis(tmp_path / "redis")
    if isinstance(redis_server, str):
        pytest.fail(redis_server)
    upgrade(pg_settings.db_url)
    engine = make_engine(pg_settings.db_url)
    account = create_account("athlete", "correct-horse-1", engine=engine)
    env = {**os.environ, "DATABASE_URL": pg_settings.db_url, "REDIS_URL": redis_server.url,
           "DATA_DIR": str(pg_settings.data_dir), "LLM_EMBEDDED": "false"}  # fmt: skip
    cmd = [sys.executable, "-m", "powerforge.cluster.scheduler", "--reconcile-s", "1"]
    announced: list[int] = []
    lock = threading.Lock()

    def on_event(account_id: int, payload: dict) -> None:
        if payload.get("type") == "checkin":
            with lock:
                announced.append(account_id)

    subscriber = Subscriber(redis_server.url, on_event).start()
    procs = []
    try:
        leader = spawn(cmd, tmp_path / "sched-1.log", env, ROOT)
        procs.append(leader)
        wait_for(lambda: "started as leader" in leader.text(), 60, "the first scheduler to lead")
        standby = spawn(cmd, tmp_path / "sched-2.log", env, ROOT)
        procs.append(standby)
        wait_for(lambda: "started as standby" in standby.text(), 60, "the second scheduler to stand by")

        first = _save_once(account.id, engine, "stretch your hips", 2)
        wait_for(lambda: len(repo.messages(account.id, engine=engine)) == 1, 30, "the first check-in")
        assert f"#{first} written" in leader.text() and "written" not in standby.text()
        wait_for(lambda: account.id in announced, 10, "the check-in to be announced on Redis")

        leader.kill()  # SIGKILL: its advisory lock goes with its connection
        leader.proc.wait(10)
        second = _save_once(account.id, engine, "drink water", 2)
        wait_for(lambda: len(repo.messages(account.id, engine=engine)) == 2, 30, "the standby to fire the next one")
        assert "fires check-ins now" in standby.text() and f"#{second} written" in standby.text()

        time.sleep(3)  # several reconcile rounds: a second write of either occurrence would show now
        rows = repo.messages(account.id, engine=engine)
        assert sorted(r.schedule_id for r in rows) == sorted([first, second])  # nothing twice
        assert standby.text().count("written to the outbox") == 1
    finally:
        subscriber.stop()
        for p in procs:
            p.stop()
        redis_server.stop()
        engine.dispose()
