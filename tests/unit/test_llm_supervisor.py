"""The supervisor `powerforge serve` puts around the embedded server: a process killed with SIGKILL is
started again (a new process, same URL), the state file tells clients a restart is under way, and a
stopped supervisor is no longer taken for one. A tiny HTTP server process stands in for llama.cpp here;
tests/integration/test_llm_resilience.py does the same with the real server and model."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from support.postgres import free_port

from models.llm_server import EmbeddedServer, Supervisor, state_path, supervisor_running, supervisor_state
from powerforge.config import Settings

SERVER = """
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        self.send_response(200); self.send_header("content-length", "2"); self.end_headers(); self.wfile.write(b"{}")
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


class TinyServer(EmbeddedServer):
    def command(self) -> list[str]:
        return [sys.executable, "-c", SERVER, str(self.port)]


def _wait(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_killed_server_is_restarted_and_clients_can_tell(tmp_path: Path):
    settings = Settings(_env_file=None, data_dir=tmp_path / "var", llm_base_url=f"http://127.0.0.1:{free_port()}/v1")
    server = TinyServer(settings, log_path=tmp_path / "server.log")
    server.start()
    server.wait_ready(30)
    supervisor = Supervisor(server, check_every_s=0.2, backoff_s=(0.2, 0.5)).start()
    try:
        assert supervisor_running(settings)
        first = server.process.pid
        os.killpg(first, signal.SIGKILL)
        assert _wait(lambda: supervisor.restarts == 1 and server.alive() and server.answering()), server.log_tail()
        assert server.process.pid != first
        assert supervisor_state(settings)["state"] == "up"
        assert supervisor_running(settings)
    finally:
        supervisor.stop()
    assert not server.alive()
    assert not supervisor_running(settings)  # stopped: a dead server is now simply down


def test_a_state_file_of_a_dead_supervisor_is_ignored(tmp_path: Path):
    settings = Settings(_env_file=None, data_dir=tmp_path / "var", llm_base_url=f"http://127.0.0.1:{free_port()}/v1")
    server = TinyServer(settings, log_path=tmp_path / "server.log")
    supervisor = Supervisor(server)
    supervisor._write("restarting")
    assert supervisor_running(settings)
    path = state_path(settings)
    doc = path.read_text().replace(f'"pid": {os.getpid()}', '"pid": 999999999')
    path.write_text(doc)
    assert not supervisor_running(settings)
