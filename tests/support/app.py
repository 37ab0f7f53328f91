"""Start the real Power Forge web app (Chainlit) on a free port and drive it with headless Chromium.

`AppServer` runs `chainlit run app.py` in a subprocess with its own data dir and database, exactly as
`powerforge serve` does after it has started the LLM server; `browser_page()` opens Debian's
Chromium through Playwright (never `playwright install`) and blocks every host but the app's.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
E2E_DATABASE = "PF_E2E_DATABASE"  # "postgres": the e2e pass on PostgreSQL (tests/e2e/conftest.py)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip


def seeded_data_dir(tmp_path: Path, accounts: dict[str, str]) -> tuple[object, dict[str, int]]:
    """A fresh data dir with a migrated SQLite database and these accounts (username → password).

    Returns the app's Settings for that dir and each account's id, for an `app_factory` server.
    """
    from powerforge.config import Settings
    from storage.accounts import create_account
    from storage.engine import make_engine
    from storage.migrate import upgrade

    settings = Settings(_env_file=None, data_dir=tmp_path / "var")
    settings.ensure_dirs()
    engine = make_engine(settings.db_url)
    try:
        upgrade(engine=engine)
        ids = {name: create_account(name, pw, engine=engine).id for name, pw in accounts.items()}
    finally:
        engine.dispose()
    return settings, ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    data_dir: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATA_DIR": str(self.data_dir),
            # never a developer's own database; on the Postgres e2e pass, the test's fresh one
            "DATABASE_URL": os.environ.get("DATABASE_URL", "") if os.environ.get(E2E_DATABASE) == "postgres" else "",
            "LLM_EMBEDDED": "false",
            "CHAINLIT_AUTH_SECRET": "e2e-secret-" + "x" * 40,
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }

    def start(self, timeout: float = 240) -> AppServer:  # a limit, not a measure: a loaded 2-core CI box is slow
        self.log_path = self.data_dir / f"app-{self.port}.log"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "chainlit", "run", str(ROOT / "app.py"), "--headless",
               "--host", "127.0.0.1", "--port", str(self.port)]  # fmt: skip
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.environment(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited ({self.proc.returncode}):\n{self.log()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/auth/config", timeout=2).status_code == 200:
                    return self
            time.sleep(0.5)
        raise RuntimeError(f"the app did not answer within {timeout}s:\n{self.log()[-3000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def restart(self) -> AppServer:
        self.stop()
        return self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""


@contextlib.contextmanager
def browser(base_url: str) -> Iterator[object]:
    """A Playwright browser (Debian Chromium) whose pages can reach only `base_url`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def new_page(b: object, base_url: str):
    context = b.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url) else route.abort())
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def login(page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name='email']", username)
    page.fill("input[name='password']", password)
    page.click("button[type='submit']")


def wait_ready(page) -> None:
    page.wait_for_selector("#chat-input", timeout=60_000)


_INPUT_EMPTY = (
    "() => { const e = document.querySelector('#chat-input'); return !!e && !((e.value ?? e.innerText) || '').trim(); }"
)


def send(page, text: str, timeout_ms: int = 300_000) -> None:
    """Type `text` and send it, as a person would: when the send button is there and has stayed there.

    While a turn runs Chainlit shows a stop button in its place, and it does so for a moment on its own when a
    tab reconnects and resumes its thread (the resume hook runs as a task). A click that meets that flash lands
    on the stop button: nothing is sent and the text stays in the box (seen in the cluster test under load). So
    the button must be enabled twice in a row before the click, and the line counts as sent only once the box
    is empty; while the text is still there, the person clicks again.
    """
    deadline = time.monotonic() + timeout_ms / 1000

    def left_ms() -> int:
        return max(1, int((deadline - time.monotonic()) * 1000))

    page.wait_for_selector("#chat-submit", timeout=left_ms())  # no turn running
    page.fill("#chat-input", text)
    while True:
        settled = 0
        while settled < 2:  # enabled (connected, text typed) and not in a resume's flash
            page.wait_for_selector("#chat-submit:not([disabled])", timeout=left_ms())
            page.wait_for_timeout(300)
            settled = settled + 1 if page.locator("#chat-submit:not([disabled])").count() else 0
        page.click("#chat-submit")
        try:
            page.wait_for_function(_INPUT_EMPTY, timeout=5_000)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise


def assistant_messages(page) -> list[str]:
    return page.locator("[data-step-type='assistant_message']").all_inner_texts()


def wait_for_assistant(page, count: int, timeout: float = 120) -> list[str]:
    """Wait until at least `count` assistant messages are shown and the last one stopped changing."""
    deadline = time.monotonic() + timeout
    last, stable = None, 0
    while time.monotonic() < deadline:
        msgs = assistant_messages(page)
        idle = page.locator("#chat-submit").count() > 0  # no turn running
        if len(msgs) >= count and msgs[-1].strip() and idle:
            stable = stable + 1 if msgs == last else 0
            if stable >= 3:
                return msgs
        last = msgs
        page.wait_for_timeout(400)
    raise TimeoutError(f"expected {count} assistant messages, saw {assistant_messages(page)}")


def attach_and_watch(page, clip: Path, message: str, report_text: str) -> tuple[list[str], str, int]:
    """Attach `clip`, send `message`, open the live progress step and poll it until the report (an
    assistant message containing `report_text`) is posted.

    Returns (the distinct progress lines seen, the report's text, how many videos the page shows).
    """
    page.locator("[data-step-type='assistant_message']").first.wait_for()  # the welcome
    page.set_input_files("#upload-button-input", str(clip))
    page.wait_for_selector("#attachments")
    send(page, message)
    step = page.locator("[data-step-type='tool']", has_text="Working").first
    step.wait_for(timeout=60_000)  # the live progress step appears while the job runs
    step.locator("button").first.click()  # open it: the progress line is its output
    report = page.locator("[data-step-type='assistant_message']", has_text=report_text)
    seen: list[str] = []
    for _ in range(600):  # poll until the report is posted (at most 5 min)
        text = step.inner_text()
        if "% · " in text and (not seen or seen[-1] != text):
            seen.append(text)
        if report.count():
            break
        page.wait_for_timeout(500)
    report.first.wait_for(timeout=5_000)
    video = page.locator("video")
    video.first.wait_for(timeout=30_000)
    return seen, report.first.inner_text(), video.count()
