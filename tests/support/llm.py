"""Start the real embedded LLM server (llm_server's env, pf_llm.serve) on a free port for a test.

Models come from the project's real models folder (`Settings().models_dir`, where `powerforge models
pull` installs them), so a test session pulls a model once and later sessions find it verified.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from models.llm_server import ENV_COMMAND, EmbeddedServer, server_python
from models.manifest import get_entry, install_dir, installed_files_present
from powerforge.config import Settings
from support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]


def models_settings() -> Settings:
    """The real settings (`.env` included): where installed models live."""
    return Settings()


def env_missing_reason() -> str | None:
    """Why the LLM server cannot run here (its environment is absent), or None."""
    python = server_python(models_settings())
    if not python.exists():
        return f"the llm_server environment is missing ({python}); create it with: {ENV_COMMAND}"
    return None


def behaviour_threads() -> int:
    """llama.cpp threads for behaviour tests: POWERFORGE_TEST_LLM_THREADS, default 1 (robust when busy)."""
    return int(os.environ.get("POWERFORGE_TEST_LLM_THREADS", "1"))


def model_installed(name: str) -> bool:
    s = models_settings()
    return installed_files_present(get_entry(name), install_dir(name, s))


def pull_model(name: str) -> None:
    """`powerforge models pull NAME` for real (a no-op once installed and verified)."""
    proc = subprocess.run([sys.executable, "-m", "powerforge.cli", "models", "pull", name],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"powerforge models pull {name} failed:\n{proc.stdout}\n{proc.stderr}")


@dataclass
class LLMServer:
    """A running embedded server: app settings pointing at it, the process handle and its log."""

    settings: Settings
    server: EmbeddedServer
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        self.server.stop()


@contextmanager
def llm_server(model: str, log_dir: Path, threads: int | None = None, ctx: int = 4096) -> Iterator[LLMServer]:
    """A started, ready server for `model` on a free port (stopped on exit).

    `threads`: default LLM_EMBEDDED_THREADS (the production setting). Tests that only check behaviour
    pass `behaviour_threads()`: on a busy machine llama.cpp's threads wait on each other and 2 threads ran
    15-25x slower than 1 here.
    """
    base = models_settings()
    threads = threads or base.llm_embedded_threads
    settings = base.model_copy(
        update={
            "llm_base_url": f"http://127.0.0.1:{free_port()}/v1",
            "llm_model": model,
            "llm_embedded_model": model,
            "llm_embedded_threads": threads,
            "llm_embedded_ctx": ctx,
            "llm_temperature": 0.0,
            "llm_timeout_s": 300.0,
            "llm_max_retries": 0,
        }
    )
    log_path = log_dir / f"llm-{model}.log"
    server = EmbeddedServer(settings, log_path=log_path)
    with server:
        yield LLMServer(settings, server, log_path)


@contextmanager
def running_llm_server(model: str, log_dir: Path, threads: int | None = None, ctx: int = 4096) -> Iterator[Settings]:
    """A started, ready server for `model`; yields app settings whose LLM_BASE_URL/LLM_MODEL point at it."""
    with llm_server(model, log_dir, threads, ctx) as running:
        yield running.settings


__all__ = [
    "LLMServer",
    "behaviour_threads",
    "env_missing_reason",
    "llm_server",
    "model_installed",
    "models_settings",
    "pull_model",
    "running_llm_server",
]


def browser_test_model() -> str:
    """The model a browser test runs: the installed default-size Qwen, else SmolLM2-135M (pulled for real);
    the test is skipped with the reason when the llm_server environment is missing."""
    import pytest

    reason = env_missing_reason()
    if reason:
        pytest.skip(reason)
    for name in ("qwen2.5-1.5b-instruct", "qwen2.5-0.5b-instruct"):
        if model_installed(name):
            return name
    pull_model("smollm2-135m-instruct")
    return "smollm2-135m-instruct"
