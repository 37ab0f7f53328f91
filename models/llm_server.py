"""Start, wait for and stop the embedded LLM server (llm_server/, its own environment) as a subprocess.

The app never imports llama.cpp: the server runs under `<LLM_SERVER_ENV>/bin/python -m pf_llm.serve`
with the installed model file, on the host and port of `LLM_BASE_URL`, under the name `LLM_MODEL`
(what clients send). Everything the app knows about it is that URL, exactly as for vLLM or Ollama.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from models.manifest import model_path
from powerforge.config import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
ENV_COMMAND = "CMAKE_ARGS=-DGGML_NATIVE=OFF uv sync --project llm_server"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


class EmbeddedServerError(RuntimeError):
    """The embedded server cannot start or did not become ready; the message says what to do."""


def server_python(settings: Settings) -> Path:
    """The llm_server environment's interpreter (a relative LLM_SERVER_ENV is relative to the repository)."""
    env = settings.llm_server_env
    if not env.is_absolute() and not env.exists():
        env = ROOT / env
    return env / "bin" / "python"


class EmbeddedServer:
    """One llama.cpp server process serving `settings.llm_embedded_model` at `settings.llm_base_url`."""

    def __init__(self, settings: Settings | None = None, *, model: str | None = None, log_path: Path | None = None):
        self.settings = settings or get_settings()
        self.model = model or self.settings.llm_embedded_model
        parts = urlsplit(self.settings.llm_base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.base_url = self.settings.llm_base_url.rstrip("/")
        self.log_path = log_path or self.settings.data_dir / "logs" / "llm-server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        """The server's command line; raises EmbeddedServerError/ModelMissing with the fixing command."""
        if self.host not in LOCAL_HOSTS:
            raise EmbeddedServerError(
                f"LLM_BASE_URL ({self.base_url}) is not on this machine, so there is no embedded server to "
                "start; set LLM_EMBEDDED=false to use that server."
            )
        python = server_python(self.settings)
        if not python.exists():
            raise EmbeddedServerError(
                f"The embedded LLM server's environment is missing ({python.parent.parent}). "
                f"Create it with: {ENV_COMMAND}"
            )
        weights = model_path(self.model, self.settings)  # ModelMissing names `powerforge models pull …`
        s = self.settings
        return [str(python), "-m", "pf_llm.serve", "--model", str(weights), "--alias", s.llm_model,
                "--host", self.host, "--port", str(self.port), "--threads", str(s.llm_embedded_threads),
                "--ctx", str(s.llm_embedded_ctx), "--access-log"]  # fmt: skip

    def answering(self, timeout_s: float = 1.0) -> bool:
        """Whether an OpenAI-compatible server answers at the URL (ours or anyone's)."""
        try:
            r = httpx.get(self.base_url + "/models", timeout=timeout_s,
                          headers={"Authorization": f"Bearer {self.settings.llm_api_key}"})  # fmt: skip
        except httpx.HTTPError:
            return False
        return r.status_code == 200

    def start(self) -> EmbeddedServer:
        if self.process is not None and self.process.poll() is None:
            return self
        cmd = self.command()
        if self.answering():
            raise EmbeddedServerError(
                f"Something already answers at {self.base_url}; stop it, or set LLM_EMBEDDED=false to use it."
            )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        return self

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 180.0) -> None:
        """Poll `/v1/models` until the model is loaded; a dead process or a timeout raises with its log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise EmbeddedServerError(
                    f"The embedded LLM server exited (code {self.process.returncode}). Log {self.log_path}:\n"
                    + self.log_tail()
                )
            if self.answering(timeout_s=2.0):
                return
            time.sleep(0.25)
        raise EmbeddedServerError(
            f"The embedded LLM server was not ready after {timeout:.0f} s. Log {self.log_path}:\n" + self.log_tail()
        )

    def stop(self, timeout: float = 10.0) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout)

    def __enter__(self) -> EmbeddedServer:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["ENV_COMMAND", "EmbeddedServer", "EmbeddedServerError", "server_python"]
