"""A first start on a fresh clone: `powerforge serve` brings the app up at once and installs the embedded
server's environment in the background. Until the server answers, the supervisor's state is "installing"
and the chat says so (with the estimate) instead of "I can't reach the language model"; once installed the
server is started and watched as usual; a failed install is said plainly. A script stands in for `uv sync`
and a tiny HTTP server for llama.cpp (test_llm_supervisor.py)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx
from support.postgres import free_port
from support.tiny_llm import TinyServer
from support.tiny_llm import wait_until as _wait

from agent.graphs.chat import llm_error_message
from models.llm_server import (
    Supervisor,
    install_eta_s,
    installing_message,
    server_env_ready,
    supervisor_running,
    supervisor_state,
)
from powerforge.config import Settings

# Waits until the test lets it finish, then exits with the code written in that file.
INSTALL = "import pathlib, sys, time\np = pathlib.Path(sys.argv[1])\nwhile not p.exists(): time.sleep(0.05)\n"
INSTALL += "sys.exit(int(p.read_text()))"


def _settings(tmp_path: Path) -> Settings:
    port = free_port()
    return Settings(_env_file=None, data_dir=tmp_path / "var", llm_base_url=f"http://127.0.0.1:{port}/v1",
                    llm_server_env=tmp_path / "llm-env")  # fmt: skip


def test_the_chat_says_the_model_is_installing_then_the_server_comes_up(tmp_path: Path):
    settings = _settings(tmp_path)
    assert not server_env_ready(settings)
    server = TinyServer(settings, log_path=tmp_path / "server.log")
    done = tmp_path / "install-done"
    supervisor = Supervisor(server, check_every_s=0.2)
    supervisor.install_then_start([sys.executable, "-c", INSTALL, str(done)], eta_s=15 * 60,
                                  log_path=tmp_path / "install.log")  # fmt: skip
    try:
        state = supervisor_state(settings)
        assert state is not None and state["state"] == "installing"
        assert not supervisor_running(settings)  # nothing to wait for yet: the turn is answered at once
        text = llm_error_message(settings, httpx.ConnectError("refused"))
        assert "still being installed (about 15 min)" in text
        assert "plain commands" in text and "can't reach" not in text
        later = installing_message(settings, now=float(state["since"]) + 11 * 60)
        assert later is not None and "about 4 min" in later
        late = installing_message(settings, now=float(state["since"]) + 20 * 60)
        assert late is not None and "a few more minutes" in late
        assert not server.alive()

        done.write_text("0")  # the install finished: the server is started and watched
        assert _wait(lambda: (supervisor_state(settings) or {}).get("state") == "up"), server.log_tail()
        assert server.answering()
        assert supervisor_running(settings)
        assert installing_message(settings) is None
        assert "can't reach" in llm_error_message(settings, httpx.ConnectError("refused"))
    finally:
        supervisor.stop()
    assert not server.alive()


def test_a_failed_install_is_said_plainly_and_nothing_is_started(tmp_path: Path):
    settings = _settings(tmp_path)
    server = TinyServer(settings, log_path=tmp_path / "server.log")
    done = tmp_path / "install-done"
    done.write_text("3")
    supervisor = Supervisor(server).install_then_start(
        [sys.executable, "-c", INSTALL, str(done)], eta_s=60, log_path=tmp_path / "install.log"
    )
    try:
        assert _wait(lambda: (supervisor_state(settings) or {}).get("state") == "failed")
        text = llm_error_message(settings, httpx.ConnectError("refused"))
        assert "could not be started" in text and "make llm-env" in text
        assert not server.alive()
    finally:
        supervisor.stop()


def test_stopping_during_the_install_ends_the_installer(tmp_path: Path):
    settings = _settings(tmp_path)
    server = TinyServer(settings, log_path=tmp_path / "server.log")
    supervisor = Supervisor(server).install_then_start(
        [sys.executable, "-c", INSTALL, str(tmp_path / "never")], eta_s=60, log_path=tmp_path / "install.log"
    )
    started = time.monotonic()
    supervisor.stop()
    assert time.monotonic() - started < 20
    assert supervisor._thread is not None and not supervisor._thread.is_alive()
    assert supervisor_state(settings) is None or supervisor_state(settings)["state"] == "stopped"
    assert not server.alive()


def test_the_estimate_scales_with_cores_and_an_env_with_llama_cpp_is_ready(tmp_path: Path):
    assert install_eta_s(2) == 2 * install_eta_s(4)
    settings = _settings(tmp_path)
    (tmp_path / "llm-env" / "bin").mkdir(parents=True)
    (tmp_path / "llm-env" / "bin" / "python").write_text("")
    assert not server_env_ready(settings)  # uv made the interpreter but has not built llama-cpp-python yet
    pkg = tmp_path / "llm-env" / "lib" / "python3.11" / "site-packages" / "llama_cpp"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    assert server_env_ready(settings)
