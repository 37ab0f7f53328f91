"""The supervisor `powerforge serve` puts around the embedded server: a process killed with SIGKILL is
started again (a new process, same URL), the state file tells clients a restart is under way, and a
stopped supervisor is no longer taken for one. A tiny HTTP server process stands in for llama.cpp here;
tests/integration/test_llm_resilience.py does the same with the real server and model."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from support.postgres import free_port
from support.tiny_llm import TinyServer
from support.tiny_llm import wait_until as _wait

from models.llm_server import Supervisor, state_path, supervisor_running, supervisor_state
from powerforge.config import Settings


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
