"""The foundation, end to end in headless Chromium: sign-in, chat, uploads, history, isolation, failures."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest
from sqlmodel import Session, select
from support.app import browser, login, new_page, seeded_data_dir, send, wait_for_assistant, wait_ready
from support.postgres import free_port

from powerforge.config import Settings
from storage.engine import make_engine
from storage.tables.core import Upload

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _png(path: Path, pad_bytes: int = 0) -> Path:
    """A valid 8x8 PNG, optionally padded with a large private chunk (to test size limits)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x80\x00" * 8 for _ in range(8))
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw))
    if pad_bytes:
        body += chunk(b"prVt", os.urandom(pad_bytes))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b""))
    return path


def _uploads(db_url: str) -> list[Upload]:
    engine = make_engine(db_url)
    with Session(engine) as s:
        rows = list(s.exec(select(Upload)))
    engine.dispose()
    return rows


@pytest.fixture
def users(tmp_path: Path) -> Settings:
    return seeded_data_dir(tmp_path, {"alice": "alice-pass-1", "bob": "bob-pass-12"})[0]


def test_chat_uploads_history_isolation_and_llm_down(app_factory, users: Settings, tmp_path: Path):
    down = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens here: the LLM server is "killed"
    server = app_factory(users.data_dir, LLM_BASE_URL=down, UPLOAD_MAX_MB="1")
    with browser(server.url) as b:
        page = new_page(b, server.url)

        # wrong password is refused and leaves us on the login page
        login(page, server.url, "alice", "not-her-password")
        page.wait_for_selector("text=/credentials|invalid|incorrect/i")
        assert "/login" in page.url

        login(page, server.url, "alice", "alice-pass-1")
        wait_ready(page)
        msgs = wait_for_assistant(page, 1)
        assert "Power Forge coach" in msgs[0]  # the welcome message
        assert page.get_by_role("button", name="⚖️ Convert units").is_visible()  # starters

        # LLM down: a clear message, and the app keeps answering what code can do
        send(page, "what should I eat before a fight?")
        msgs = wait_for_assistant(page, 2)
        assert "can't reach the language model" in msgs[-1]
        send(page, "convert 100 kg to lb")
        msgs = wait_for_assistant(page, 3)
        assert "220.462 lb" in msgs[-1]

        # an accepted upload is stored before anything else happens
        page.set_input_files("#upload-button-input", str(_png(tmp_path / "meal.png")))
        page.wait_for_selector("#attachments")
        send(page, "convert 2 cups_us to ml")
        msgs = wait_for_assistant(page, 4)
        stored = _uploads(users.db_url)
        assert [u.mime for u in stored] == ["image/png"]
        assert (users.files_dir / stored[0].path).is_file()

        # too big and wrong type: a clear message each, nothing stored
        page.set_input_files("#upload-button-input", str(_png(tmp_path / "huge.png", pad_bytes=2_000_000)))
        page.wait_for_selector("#attachments")
        send(page, "here is a big photo")
        page.wait_for_selector("text=/limit is 1 MB/")
        exe = tmp_path / "tool.mp4"
        exe.write_bytes(b"\x7fELF\x02\x01\x01" + os.urandom(4096))
        page.set_input_files("#upload-button-input", str(exe))
        page.wait_for_selector("#attachments")
        send(page, "and a video")
        page.wait_for_selector("text=/I accept/")
        assert len(_uploads(users.db_url)) == 1

        # reload: the whole thread is still there, the coach's messages included
        thread_url = page.url
        page.reload()
        wait_ready(page)
        page.wait_for_selector("text=220.462 lb")
        assert "/thread/" in thread_url or page.locator("#thread-history a").count() >= 1

        # another user sees none of alice's threads
        page2 = new_page(b, server.url)
        login(page2, server.url, "bob", "bob-pass-12")
        wait_ready(page2)
        page2.wait_for_timeout(1500)
        assert "convert 100 kg" not in page2.locator("body").inner_text()

    # restart the app: the thread survives and can be continued
    server.restart()
    with browser(server.url) as b:
        page = new_page(b, server.url)
        login(page, server.url, "alice", "alice-pass-1")
        wait_ready(page)
        page.locator("#thread-history").get_by_text("what should I eat", exact=False).first.click()
        page.wait_for_selector("text=220.462 lb")
        page.wait_for_selector("text=can't reach the language model")
        send(page, "convert 3 miles to km")
        page.wait_for_selector("text=4.828 km", timeout=60_000)


def test_the_coach_replies_through_the_real_local_llm(app_factory, users: Settings, tmp_path: Path):
    """Chit-chat and a request only the model can route, through the real embedded llama.cpp server."""
    from support.llm import env_missing_reason, model_installed, running_llm_server

    model = Settings(_env_file=None).llm_embedded_model
    reason = env_missing_reason() or (None if model_installed(model) else f"{model} not installed")
    if reason:
        pytest.skip(reason)
    with running_llm_server(model, tmp_path) as llm:
        server = app_factory(
            users.data_dir, LLM_BASE_URL=llm.llm_base_url, LLM_MODEL=llm.llm_model, LLM_TEMPERATURE="0",
            LLM_TIMEOUT_S="300",
        )  # fmt: skip
        with browser(server.url) as b:
            page = new_page(b, server.url)
            login(page, server.url, "alice", "alice-pass-1")
            wait_ready(page)
            wait_for_assistant(page, 1)
            send(page, "how should I brace for a heavy squat?")
            reply = wait_for_assistant(page, 2, timeout=300)[-1]
            assert len(reply) > 20 and "can't reach" not in reply and "{" not in reply
            send(page, "could you turn eighty kilos into pounds for me")
            reply = wait_for_assistant(page, 3, timeout=300)[-1]
            assert "176.37" in reply  # the model routed to the converter; the number came from code
