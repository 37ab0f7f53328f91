"""`powerforge serve --cluster` on loopback: PostgreSQL, Redis, a Celery worker, two schedulers, two
Chainlit app processes and nginx start; the login page comes through nginx; SIGINT stops every process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import urllib.request
from pathlib import Path

import pytest
from support.cluster import ROOT, spawn, wait_for
from support.postgres import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.read().decode(errors="replace")


def test_run_cluster_serves_the_login_page_through_nginx_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    # The data dir must be reachable by the `postgres` user when the tests run as root (pytest's are not).
    base = Path(tempfile.mkdtemp(prefix="pf-cluster-"))
    base.chmod(0o755)
    data = base / "var"
    env = {**os.environ, "DATA_DIR": str(data), "LLM_EMBEDDED": "false", "DATABASE_URL": "",
           "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "PYTHONUNBUFFERED": "1"}  # fmt: skip
    cmd = [sys.executable, "-m", "powerforge.cli", "serve", "--cluster", "--workers", "1", "--port", str(port),
           "--no-llm"]  # fmt: skip
    serve = spawn(cmd, tmp_path / "serve.log", env, ROOT)
    pids: dict[str, int] = {}
    try:
        wait_for(lambda: "cluster is up" in serve.text() or serve.proc.poll() is not None, 480, "the cluster")
        assert serve.proc.poll() is None, serve.text()[-2000:]
        pids = json.loads((data / "cluster" / "pids.json").read_text())
        assert {"postgres", "redis", "scheduler-1", "scheduler-2", "worker-1", "app-1", "app-2", "nginx"} <= set(pids)
        assert all(_alive(p) for p in pids.values())

        status, body = _get(f"http://127.0.0.1:{port}/login")
        assert status == 200 and "<html" in body.lower()
        status, body = _get(f"http://127.0.0.1:{port}/ws/socket.io/?EIO=4&transport=polling")
        assert status == 200 and '"sid"' in body  # Socket.IO's handshake reaches an app process through nginx
        logs = data / "cluster" / "logs"
        assert "started as leader" in (logs / "scheduler-1.log").read_text()
        assert "started as standby" in (logs / "scheduler-2.log").read_text()

        # Kill a worker, the scheduler leader and an app process: each is started again, the standby leads,
        # and the login page keeps answering through nginx (the other app process) meanwhile.
        for name in ("worker-1", "scheduler-1", "app-1"):
            os.kill(pids[name], signal.SIGKILL)
        status, _ = _get(f"http://127.0.0.1:{port}/login")
        assert status == 200
        wait_for(lambda: all(f"{n} restarted" in serve.text() for n in ("worker-1", "scheduler-1", "app-1")), 60,
                 "the supervisor to restart the killed pieces")  # fmt: skip

        # Exactly one leader again: the standby takes over at its next reconcile, unless the restarted
        # scheduler-1 gets the lock first (it starts in a second or two), in which case the standby stays one.
        def took_over() -> tuple[bool, bool]:
            standby_leads = "fires check-ins now" in (logs / "scheduler-2.log").read_text()
            restarted_leads = (logs / "scheduler-1.log").read_text().count("started as leader") >= 2
            return standby_leads, restarted_leads

        wait_for(lambda: any(took_over()), 60, "a scheduler to lead again")
        assert sum(took_over()) == 1, took_over()
        new_pids = json.loads((data / "cluster" / "pids.json").read_text())
        assert all(new_pids[n] != pids[n] for n in ("worker-1", "scheduler-1", "app-1"))
        pids.update(new_pids)
        wait_for(lambda: (logs / "worker-1.log").read_text().count(" ready.") >= 2, 120, "worker-1 again")

        os.killpg(serve.pid, signal.SIGINT)  # Ctrl-C
        serve.proc.wait(90)
        assert serve.proc.returncode == 0, serve.text()[-2000:]
        wait_for(lambda: not any(_alive(p) for p in pids.values()), 30, "every cluster process to exit")
    finally:
        serve.stop(30)
        for pid in pids.values():  # leftovers after a failure: by PID, never by name
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(base, ignore_errors=True)
