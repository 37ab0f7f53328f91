"""The browser flow through nginx across both app processes of `powerforge serve --cluster` (issue 18).

The real cluster on 127.0.0.1 (PostgreSQL, Redis, one Celery worker, two schedulers, two Chainlit app
processes, nginx) with the language model down: the chat lines below are code-routed. In headless Chromium:
sign in, log a set, attach a generated squat clip and ask for its analysis — the job runs on the Celery
worker and its report reaches the chat. Then the app process that holds the browser's socket is killed
(SIGKILL by PID): the open tab reconnects through nginx to a live process and carries on in the same thread
(the next line is answered and stored there, not in a fresh chat); a fresh sign-in shows the thread's history
with the earlier result and the later line, and no thread of the later line's own (one database)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest
from support.app import (
    assistant_messages,
    attach_and_watch,
    browser,
    login,
    new_page,
    send,
    wait_for_assistant,
    wait_ready,
)
from support.cluster import ROOT, spawn, wait_for
from support.postgres import free_port

from vision.synthetic import RepSpec, SceneSpec, render

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

FIRST_RUN = re.compile(r"sign in as '([^']+)' with password '([^']+)'")


def _missing() -> str | None:
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        return "nginx is not installed (make system-test-deps)"
    if not shutil.which("redis-server"):
        return "redis-server is not installed (make system-test-deps)"
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        return "PostgreSQL is not installed (make system-test-deps)"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _app_port(pid: int) -> int:
    """The port an app process listens on, from its command line (`chainlit run ... --port N`)."""
    args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return int(args[args.index(b"--port") + 1])


def _established(port: int) -> int:
    """How many open TCP connections end at 127.0.0.1:`port` on this machine (nginx's upstream side)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


def _serving(apps: dict[str, int]) -> list[str]:
    """The app processes that hold a long-lived connection from nginx (the browser's Socket.IO socket)."""
    return [name for name, pid in apps.items() if _established(_app_port(pid))]


def test_browser_through_nginx_survives_the_socket_process_being_killed(tmp_path: Path) -> None:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    reps = [RepSpec(con_s=c, ecc_s=0.9, rom_m=0.5, top_pause_s=0.5) for c in (0.6, 0.75, 0.95)]
    clip = render(tmp_path / "squat.mp4", reps, SceneSpec(seed=21, width=270, height=480, plate_px=120))

    port = free_port()
    base = Path(tempfile.mkdtemp(prefix="pf-cluster-browser-"))  # reachable by `postgres` when run as root
    base.chmod(0o755)
    data = base / "var"
    # LLM_BASE_URL names a closed port: the model is down, the lines below are routed by code.
    env = {**os.environ, "DATA_DIR": str(data), "LLM_EMBEDDED": "false", "DATABASE_URL": "",
           "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "PYTHONUNBUFFERED": "1",
           "LLM_BASE_URL": f"http://127.0.0.1:{free_port()}/v1"}  # fmt: skip
    cmd = [sys.executable, "-m", "powerforge.cli", "serve", "--cluster", "--workers", "1", "--port", str(port),
           "--no-llm"]  # fmt: skip
    serve = spawn(cmd, tmp_path / "serve.log", env, ROOT)
    pids: dict[str, int] = {}
    url = f"http://127.0.0.1:{port}"
    logs = data / "cluster" / "logs"
    try:
        wait_for(lambda: FIRST_RUN.search(serve.text()) or serve.proc.poll() is not None, 480, "the cluster")
        assert serve.proc.poll() is None, serve.text()[-2000:]
        user, password = FIRST_RUN.search(serve.text()).groups()  # type: ignore[union-attr]
        pids = json.loads((data / "cluster" / "pids.json").read_text())
        apps = {name: pids[name] for name in ("app-1", "app-2")}
        wait_for(lambda: " ready." in (logs / "worker-1.log").read_text(), 120, "the Celery worker")

        with browser(url) as b:
            page = new_page(b, url)
            login(page, url, user, password)
            wait_ready(page)
            n = len(wait_for_assistant(page, 1))
            send(page, "squat 70x5x3 @7")
            logged = wait_for_assistant(page, n + 1)[-1]
            assert "Logged" in logged, logged
            _seen, report, _videos = attach_and_watch(page, clip.path, "analyse my squat, 70 kg", "reps with 70 kg")
            assert "3 squat reps with 70 kg" in report, report
            worker_log = (logs / "worker-1.log").read_text()
            assert re.search(r"Task \S+\[[^\]]+\] succeeded", worker_log), worker_log[-2000:]  # ran on Celery

            page.wait_for_timeout(1500)  # nginx's short HTTP requests to the apps have closed by now
            [first] = _serving(apps)
            os.kill(apps[first], signal.SIGKILL)
            wait_for(lambda: not _alive(apps[first]), 10, f"{first} to die")

            # The open tab reconnects through nginx to the other process and carries on in ITS thread: the next
            # line is answered there, and the conversation stays one thread (it opened a fresh one before).
            # (nginx sends it to the other process, or to the killed one's restarted copy once that is up)
            page.wait_for_timeout(1000)
            send(page, "bench 60x5x3 @8")
            wait_for(lambda: any("Logged" in m and "60" in m for m in assistant_messages(page)[-2:]), 240,
                     "the line typed after the crash to be answered")  # fmt: skip

            page = new_page(b, url)  # a fresh visit through nginx: sign in again
            login(page, url, user, password)
            wait_ready(page)
            page.locator("#thread-history").get_by_text("squat 70x5x3", exact=False).first.click()
            page.wait_for_selector("text=/3 squat reps with 70 kg/", timeout=60_000)
            page.wait_for_selector("text=/bench 60x5x3/", timeout=10_000)  # the line typed after the crash
            assert len(page.locator("#thread-history").get_by_text("bench 60x5x3", exact=False).all()) == 0, (
                "the line typed after the crash opened a thread of its own"
            )
    finally:
        pids_file = data / "cluster" / "pids.json"
        if pids_file.exists():  # the supervisor's restarted copy of the killed process too
            pids.update(json.loads(pids_file.read_text() or "{}"))
        serve.kill(signal.SIGINT)  # Ctrl-C: the supervisor stops every piece by PID
        try:
            serve.proc.wait(90)
        except Exception:
            serve.stop(10)
        for pid in pids.values():  # leftovers after a failure: by PID, never by name
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if logs.exists():  # kept with the test's tmp_path for a failure's post-mortem
            shutil.copytree(logs, tmp_path / "cluster-logs", dirs_exist_ok=True)
        shutil.rmtree(base, ignore_errors=True)
