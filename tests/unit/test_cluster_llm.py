"""`serve --cluster` puts the embedded model server under the same supervisor as `powerforge serve`: the app
processes read its state file (per host and port) and wait for a restart instead of saying the model is down.
Unsupervised, a killed server stayed dead for every app process. A tiny HTTP server stands in for llama.cpp."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from support.postgres import free_port
from support.tiny_llm import TinyServer
from support.tiny_llm import wait_until as _wait

from models.llm_server import supervisor_running
from powerforge.cluster import stack as cluster_stack
from powerforge.config import Settings


def test_the_cluster_model_server_is_supervised_and_restarted(tmp_path: Path, monkeypatch) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "var", llm_base_url=f"http://127.0.0.1:{free_port()}/v1")
    server = TinyServer(settings, log_path=tmp_path / "server.log")

    def start(_s: Settings) -> TinyServer:  # what `_start_embedded_llm` does: start it and wait until it answers
        server.start()
        server.wait_ready(30)
        return server

    monkeypatch.setattr("powerforge.commands._start_embedded_llm", start)
    (tmp_path / "logs").mkdir()
    stack = cluster_stack.Stack(tmp_path)
    try:
        assert cluster_stack._start_llm(stack, settings) == settings.llm_base_url
        assert supervisor_running(settings)  # app processes on this machine wait for a restart
        first = server.process.pid
        os.killpg(first, signal.SIGKILL)
        assert _wait(lambda: server.alive() and server.answering() and server.process.pid != first), server.log_tail()
    finally:
        stack.stop()
    assert not server.alive()
    assert not supervisor_running(settings)
