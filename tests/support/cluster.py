"""Real cluster pieces for tests on 127.0.0.1: a redis-server and Celery workers, started and stopped by PID."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_S = 8  # above the test jobs' length (~6 s), well under the tests' patience


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass
class Proc:
    """A child started in its own session, so one signal reaches it and its children (a worker's pool)."""

    proc: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            return

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            self.kill(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
                self.proc.wait(5)
        self.kill(signal.SIGKILL)  # leftovers of the group (a pool process orphaned by the parent's exit)


def spawn(cmd: list[str], log: Path, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Proc:
    out = log.open("ab")
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True)
    out.close()
    return Proc(proc, log)


@dataclass
class RedisServer:
    proc: Proc
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.proc.stop()


def start_redis(base: Path) -> RedisServer | str:
    """A throwaway redis-server (no persistence), or why none could start."""
    exe = shutil.which("redis-server")
    if exe is None:
        return "redis-server not installed (make system-test-deps)"
    port = free_port()
    base.mkdir(parents=True, exist_ok=True)
    cmd = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(base)]
    server = RedisServer(spawn(cmd, base / "redis.log"), port)
    import redis

    def up() -> bool:
        try:
            return bool(redis.Redis(port=port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    try:
        wait_for(up, 15, "redis-server")
    except AssertionError:
        server.stop()
        return "redis-server did not start: " + server.proc.text()[-300:]
    return server


@dataclass
class Worker:
    proc: Proc
    name: str
    env: dict[str, str] = field(default_factory=dict)

    def ready(self) -> bool:
        return "ready." in self.proc.text()


def start_worker(name: str, env: dict[str, str], log_dir: Path, concurrency: int = 1, wait: bool = True) -> Worker:
    """A real `celery worker` on the video queue (prefork pool); waits until it says it is ready."""
    full_env = {**os.environ, **env, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}
    cmd = [sys.executable, "-m", "celery", "-A", "powerforge.cluster.worker", "worker", "-Q", "video",
           "-c", str(concurrency), "-n", f"{name}@%h", "-l", "INFO",
           "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    worker = Worker(spawn(cmd, log_dir / f"worker-{name}.log", full_env), name, env)
    if wait:
        wait_ready(worker)
    return worker


def wait_ready(worker: Worker) -> None:
    name = worker.name
    try:
        wait_for(lambda: worker.ready() or worker.proc.proc.poll() is not None, 90, f"celery worker {name}")
    except AssertionError:
        worker.proc.stop()
        raise
    if not worker.ready():
        raise AssertionError(f"celery worker {name} exited: {worker.proc.text()[-800:]}")


def cluster_env(s: Any) -> dict[str, str]:
    """The environment of a worker or app process started by a test."""
    return {"DATABASE_URL": s.db_url, "REDIS_URL": s.redis_url, "DATA_DIR": str(s.data_dir), "LLM_EMBEDDED": "false",
            "CELERY_VISIBILITY_TIMEOUT_S": str(VISIBILITY_S), "CELERY_RESTORE_INTERVAL_S": "1"}  # fmt: skip
