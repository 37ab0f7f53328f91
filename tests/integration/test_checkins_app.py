"""The real app process (Chainlit + services) restarted around a check-in: the job persists in the app
database, still fires after the restart, and a run missed while the app was down arrives exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from support.app import ROOT, AppServer

from checkins import service
from checkins.parse import parse_request
from powerforge.config import Settings
from storage import checkins as repo
from storage.accounts import create_account
from storage.engine import make_engine
from storage.migrate import upgrade

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _cli(data_dir: Path, *args: str) -> dict:
    env = {**os.environ, "DATA_DIR": str(data_dir), "DATABASE_URL": "", "LLM_EMBEDDED": "false"}
    out = subprocess.run(
        [sys.executable, "-m", "powerforge.cli", "checkin", *args, "--user", "alice", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise TimeoutError(what)


def test_job_survives_restarts_and_missed_runs_arrive_once(tmp_path: Path):
    settings = Settings(_env_file=None, data_dir=tmp_path / "var")
    settings.ensure_dirs()
    engine = make_engine(settings.db_url)
    upgrade(engine=engine)
    alice = create_account("alice", "alice-pass-1", engine=engine)

    def jobs() -> list[tuple[str, float]]:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text("SELECT id, next_run_time FROM checkin_jobs"))]

    # A daily reminder set three days ago, while the app was never running: three evenings were missed.
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    specs = parse_request("remind me to log dinner at 8pm every day", three_days_ago, "UTC")
    [daily], _ = service.save(alice.id, specs, now=three_days_ago, engine=engine)
    # A one-off set by the command line, due after the first restart.
    [once] = _cli(settings.data_dir, "add", "remind me to stretch in 70 seconds")["checkins"]
    due = datetime.fromisoformat(once["next_run"])

    server = AppServer(settings.data_dir)
    try:
        server.start()
        _wait(lambda: any(j[0] == f"checkin:{alice.id}:{once['id']}" for j in jobs()), 30, "the job is persisted")
        _wait(lambda: len(repo.messages(alice.id, engine=engine)) == 1, 30, "the missed dinner is written")
        server.stop()
        assert datetime.now(UTC) < due, "the app took too long to start; the test could not stop it in time"
        [(_job, next_run)] = [j for j in jobs() if j[0].endswith(f":{once['id']}")]
        assert abs(next_run - due.timestamp()) < 1  # persisted with its fire time, in the app database

        [missed] = repo.messages(alice.id, engine=engine)
        assert missed.schedule_id == daily.id and missed.late and missed.status == "pending"  # one, not three

        server.start()  # the restart: the job must still fire, at its time
        _wait(lambda: any(m.schedule_id == once["id"] for m in repo.messages(alice.id, engine=engine)), 120,
              "the one-off fires after the restart")  # fmt: skip
        [fired] = [m for m in repo.messages(alice.id, engine=engine) if m.schedule_id == once["id"]]
        assert fired.text == "⏰ **Reminder:** stretch"
        assert fired.scheduled_for == due
        assert fired.created_at - due < timedelta(seconds=30)  # fired by the timer, not by a late catch-up
        assert fired.status == "pending"  # no chat open: it waits for the next visit

        server.restart()  # and once more: nothing is written twice
        time.sleep(3)
        rows = repo.messages(alice.id, engine=engine)
        assert sorted(m.schedule_id for m in rows) == sorted([daily.id, once["id"]])
        listed = _cli(settings.data_dir, "list")
        assert [c["id"] for c in listed["checkins"]] == [daily.id] and listed["unread"] == 2
    finally:
        server.stop()
        engine.dispose()
    assert "Traceback" not in server.log(), server.log()[-3000:]
