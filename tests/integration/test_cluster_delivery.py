"""Cross-process delivery of job outcomes: Redis pub/sub wakes the app process with the open chat, the
outbox claim makes the message shown once, and the turn that waited on the job keeps it to itself.

App process A is this test process (the CeleryJobRunner that submits); app process B is a separate
process (tests/support/cluster_app.py) whose 'open chat' prints what it shows.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from support.cluster import ROOT, cluster_env, spawn, start_worker, wait_for

from powerforge.config import Settings
from powerforge.jobs import register_job
from storage.engine import make_engine

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(240)]

KIND = "test_cluster_slow"
register_job(KIND, "support.cluster_jobs:slow_count")


def _shown(log: Path) -> list[dict]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [json.loads(x) for x in lines if x.startswith("{")]


def test_a_job_submitted_in_a_is_reported_once_in_b(cluster_settings: Settings, tmp_path: Path) -> None:
    from powerforge.cluster.runner import CeleryJobRunner
    from storage import checkins as outbox
    from storage.accounts import create_account
    from storage.job_outcomes import outbox_key

    s = cluster_settings
    engine = make_engine(s.db_url)
    account = create_account("athlete", "correct-horse-1", engine=engine)
    env = {**os.environ, **cluster_env(s), "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}", "RELAY_GRACE_S": "1"}
    procs = []
    try:
        worker = start_worker("w", cluster_env(s), tmp_path)
        procs.append(worker.proc)
        b_log = tmp_path / "app-b.log"
        app_b = spawn([sys.executable, str(ROOT / "tests/support/cluster_app.py")], b_log, env)
        procs.append(app_b)
        wait_for(lambda: "ready" in app_b.text(), 60, "app process B")

        # 1. A submits, then goes away before the job ends (its turn no longer waits): B shows the notice once.
        a = CeleryJobRunner(s, engine=engine)
        gone_id, _ = a.submit(KIND, account.id, {"n": 4, "sleep": 0.25, "marker": str(tmp_path / "m1")})
        a.shutdown()
        wait_for(lambda: len(_shown(b_log)) >= 1, 60, "process B to show the finished job")
        time.sleep(2.0)  # a second showing (another relay round, a duplicate event) would appear by now
        shown = _shown(b_log)
        assert len(shown) == 1 and shown[0]["kind"] == "job" and "finished" in shown[0]["shown"]
        rows = [r for r in outbox.messages(account.id, engine=engine) if r.idempotency_key == outbox_key(gone_id)]
        assert len(rows) == 1 and rows[0].status == "delivered" and rows[0].session_id == "chat-b"

        # 2. A's turn waits on its job: it shows the result itself, and B (which hears the event) shows nothing.
        a2 = CeleryJobRunner(s, engine=engine)
        try:
            kept_id, future = a2.submit(KIND, account.id, {"n": 4, "sleep": 0.25, "marker": str(tmp_path / "m2")})
            assert future is not None and future.result(timeout=60) == {"counted": 4}
        finally:
            a2.shutdown()
        time.sleep(3.0)  # past B's grace
        assert len(_shown(b_log)) == 1
        rows = [r for r in outbox.messages(account.id, engine=engine) if r.idempotency_key == outbox_key(kept_id)]
        assert len(rows) == 1 and rows[0].status == "delivered" and rows[0].session_id.startswith("turn:")
    finally:
        for p in procs:
            p.stop()
        engine.dispose()
