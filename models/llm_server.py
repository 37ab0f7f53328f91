"""Start, wait for and stop the embedded LLM server (llm_server/, its own environment) as a subprocess.

The app never imports llama.cpp: the server runs under `<LLM_SERVER_ENV>/bin/python -m pf_llm.serve`
with the installed model file, on the host and port of `LLM_BASE_URL`, under the name `LLM_MODEL`
(what clients send). Everything the app knows about it is that URL, exactly as for vLLM or Ollama.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from models.manifest import model_path
from powerforge.config import Settings, get_settings

log = logging.getLogger("powerforge.llm_server")
ROOT = Path(__file__).resolve().parent.parent
ENV_COMMAND = "CMAKE_ARGS=-DGGML_NATIVE=OFF uv sync --project llm_server"
# Compiling llama-cpp-python from its sdist took 16-20 min on this project's 2-core machine (setup logs,
# 2026-12): the first-start estimate is scaled from that by the number of cores.
INSTALL_CORE_MINUTES = 40.0
MODEL_PULL_ETA_S = 90.0  # the 1 GB default chat model: 64 s in the same setup log
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


class EmbeddedServerError(RuntimeError):
    """The embedded server cannot start or did not become ready; the message says what to do."""


def server_python(settings: Settings) -> Path:
    """The llm_server environment's interpreter (a relative LLM_SERVER_ENV is relative to the repository)."""
    env = settings.llm_server_env
    if not env.is_absolute() and not env.exists():
        env = ROOT / env
    return env / "bin" / "python"


def server_env_ready(settings: Settings) -> bool:
    """Whether the llm_server environment holds llama-cpp-python (uv creates `bin/python` before it builds)."""
    python = server_python(settings)
    return python.exists() and any(python.parent.parent.glob("lib/python*/site-packages/llama_cpp/__init__.py"))


def install_eta_s(cpus: int | None = None) -> float:
    """How long the first install of the server environment is expected to take here (compiling dominates)."""
    return INSTALL_CORE_MINUTES * 60 / max(1, cpus or os.cpu_count() or 1)


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

    def healthy(self, timeout_s: float = 5.0) -> bool:
        """Whether the server answers `/health` (pf_llm answers it even while it generates)."""
        root = self.base_url[: -len("/v1")] if self.base_url.endswith("/v1") else self.base_url
        try:
            return httpx.get(root + "/health", timeout=timeout_s).status_code < 500
        except httpx.HTTPError:
            return False

    def alive(self) -> bool:
        """Whether the process this object started is still running."""
        return self.process is not None and self.process.poll() is None

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


# --------------------------------------------------------------------------- supervision
def state_path(settings: Settings) -> Path:
    """Where the supervisor of the server at LLM_BASE_URL says what it is doing, for the app's clients
    (other processes, possibly with another data dir) to read: one file per host and port."""
    parts = urlsplit(settings.llm_base_url)
    name = f"{parts.hostname or '127.0.0.1'}_{parts.port or 80}.json".replace(":", "_")
    return Path(tempfile.gettempdir()) / f"powerforge-llm-{os.getuid()}" / name


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def supervisor_state(settings: Settings) -> dict[str, object] | None:
    """The supervisor's last state for this server, or None when no live supervisor watches it."""
    try:
        state = json.loads(state_path(settings).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("base_url") != settings.llm_base_url.rstrip("/"):
        return None
    pid = state.get("pid")
    if not isinstance(pid, int) or not _pid_alive(pid):
        return None
    return state


def supervisor_running(settings: Settings) -> bool:
    """True while a live supervisor keeps the server at LLM_BASE_URL up (so a dead server is worth waiting for)."""
    state = supervisor_state(settings)
    return state is not None and state.get("state") in ("up", "restarting")


def installing_message(settings: Settings, now: float | None = None) -> str | None:
    """What the chat says while the supervisor installs the model server (or after that failed); else None."""
    state = supervisor_state(settings)
    if state is None:
        return None
    if state.get("state") == "failed":
        return (
            f"The language model could not be started ({state.get('error')}). "
            "Logging by plain commands works meanwhile."
        )
    if state.get("state") != "installing":
        return None
    since, eta = float(state.get("since") or 0), float(state.get("eta_s") or 0)  # type: ignore[arg-type]
    left = eta - ((now if now is not None else time.time()) - since)
    about = f"about {max(1, round(left / 60))} min" if left > 0 else "a few more minutes"
    return f"The language model is still being installed ({about}); logging by plain commands works meanwhile."


class Supervisor:
    """Keeps an EmbeddedServer up: a health check every `check_every_s`; a process that exited, or stopped
    answering `/health` `hung_after` times in a row, is restarted with exponential backoff (reset once a
    start has stayed up `stable_after_s`). Its state file tells the app that a restart is under way, or, on a
    first start, that the server's environment is still being installed (`install_then_start`)."""

    def __init__(
        self,
        server: EmbeddedServer,
        *,
        check_every_s: float = 1.0,
        backoff_s: tuple[float, ...] = (0.5, 1, 2, 4, 8, 15, 30),
        stable_after_s: float = 60.0,
        hung_after: int = 10,
        ready_timeout_s: float = 300.0,
    ) -> None:
        self.server = server
        self.check_every_s = check_every_s
        self.backoff_s = backoff_s
        self.stable_after_s = stable_after_s
        self.hung_after = hung_after
        self.ready_timeout_s = ready_timeout_s
        self.restarts = 0
        self._failures = 0  # failed starts since the last stable run (picks the backoff)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._up_since = time.monotonic()

    def start(self) -> Supervisor:
        """Watch a server that is already running (start it and wait for it first)."""
        self._write("up")
        self._thread = threading.Thread(target=self._run, name="llm-supervisor", daemon=True)
        self._thread.start()
        return self

    def install_then_start(
        self, command: list[str], *, eta_s: float, log_path: Path, env: dict[str, str] | None = None
    ) -> Supervisor:
        """Run `command` (the server environment's install) in the background, then start and watch the server.

        Lets the app come up at once on a fresh machine: until the server answers, the state is
        "installing" with the estimate (the chat says so); a failed install or start is "failed"."""
        self._write("installing", since=time.time(), eta_s=eta_s)
        args = (command, env, log_path)
        self._thread = threading.Thread(target=self._install_and_run, args=args, name="llm-installer", daemon=True)
        self._thread.start()
        return self

    def _install_and_run(self, command: list[str], env: dict[str, str] | None, log_path: Path) -> None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with log_path.open("ab") as out:
                proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        except OSError as exc:
            self._write("failed", error=f"{exc}; install it with `make llm-env`")
            return
        while proc.poll() is None:
            if self._stop.wait(1.0):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                proc.wait()
                return
        if proc.returncode != 0:
            log.error("installing the embedded LLM server failed (exit %s); log %s", proc.returncode, log_path)
            self._write("failed", error=f"its install failed, see {log_path}; retry with `make llm-env`")
            return
        try:
            self.server.start()
            self.server.wait_ready(self.ready_timeout_s)
        except Exception as exc:
            log.error("the embedded LLM server did not start after its install: %s", exc)
            self._write("failed", error=f"it did not start after its install, see {self.server.log_path}")
            return
        log.warning("the embedded LLM server is installed and ready")
        self._up_since = time.monotonic()
        self._write("up")
        self._run()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
        self.server.stop()
        self._write("stopped")

    def _write(self, state: str, **extra: object) -> None:
        path = state_path(self.server.settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"pid": os.getpid(), "state": state, "base_url": self.server.base_url, "restarts": self.restarts,
               "updated": time.time(), **extra}  # fmt: skip
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc))
        tmp.replace(path)

    def _run(self) -> None:
        silent = 0
        while not self._stop.wait(self.check_every_s):
            if self.server.alive():
                silent = 0 if self.server.healthy() else silent + 1
                if silent < self.hung_after:
                    if self._failures and time.monotonic() - self._up_since > self.stable_after_s:
                        self._failures = 0
                    continue
                log.error("the embedded LLM server stopped answering its health check; restarting it")
            else:
                code = self.server.process.returncode if self.server.process is not None else None
                log.error("the embedded LLM server exited (code %s); restarting it. Log tail:\n%s", code,
                          self.server.log_tail())  # fmt: skip
            silent = 0
            self._restart()

    def _restart(self) -> None:
        """Restart until the server is ready again or the supervisor is stopped."""
        while not self._stop.is_set():
            self._write("restarting")
            wait = self.backoff_s[min(self._failures, len(self.backoff_s) - 1)]
            if self._stop.wait(wait):
                return
            self.server.stop()
            try:
                self.server.start()
                self.server.wait_ready(self.ready_timeout_s)
            except Exception as exc:
                self._failures += 1
                log.error("restarting the embedded LLM server failed (%s); next try in %.0f s", exc,
                          self.backoff_s[min(self._failures, len(self.backoff_s) - 1)])  # fmt: skip
                continue
            self.restarts += 1
            self._failures += 1  # reset only after the new process has stayed up a while
            self._up_since = time.monotonic()
            self._write("up")
            log.warning("the embedded LLM server is back (restart %d)", self.restarts)
            return


__all__ = [
    "ENV_COMMAND",
    "MODEL_PULL_ETA_S",
    "EmbeddedServer",
    "EmbeddedServerError",
    "Supervisor",
    "install_eta_s",
    "installing_message",
    "server_env_ready",
    "server_python",
    "supervisor_running",
    "supervisor_state",
]
