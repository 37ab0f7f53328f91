"""Your own uploads after a reload, in the browser: the photo attached to a new thread's first message is
stored under its owner, opens again after a reload, and is 404 for another signed-in user."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from support.app import browser, login, new_page, seeded_data_dir, send, wait_for_assistant, wait_ready
from support.postgres import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _png(path: Path) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x20\xa0\xff" * 16 for _ in range(16))
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b""))
    return path


def test_first_message_attachment_reopens_after_reload_for_its_owner_only(app_factory, tmp_path: Path):
    settings, _ids = seeded_data_dir(tmp_path, {"alice": "alice-pass-1", "bob": "bob-pass-12"})
    server = app_factory(settings.data_dir, LLM_BASE_URL=f"http://127.0.0.1:{free_port()}/v1")
    with browser(server.url) as b:
        page = new_page(b, server.url)
        login(page, server.url, "alice", "alice-pass-1")
        wait_ready(page)
        wait_for_assistant(page, 1)
        page.set_input_files("#upload-button-input", str(_png(tmp_path / "meal.png")))  # in the first message
        page.wait_for_selector("#attachments")
        send(page, "convert 100 kg to lb")
        wait_for_assistant(page, 2)
        page.wait_for_timeout(1500)  # the thread and its elements are persisted after the turn
        page.reload()
        wait_ready(page)
        page.wait_for_selector("text=220.462 lb")
        if not page.locator("img[src*='/pf-files/']").count():  # the history, reopened from the sidebar
            page.locator("#thread-history a").first.click()
            page.wait_for_selector("text=220.462 lb")
        img = page.locator("img[src*='/pf-files/']").first
        img.wait_for(timeout=30_000)
        src = img.get_attribute("src") or ""
        key = src.split("/pf-files/", 1)[1]
        assert not key.startswith("unknown/"), key
        url = server.url + "/pf-files/" + key
        assert page.request.get(url).status == 200  # the owner opens her own upload after the reload
        assert page.evaluate("(u) => fetch(u).then(r => r.status)", url) == 200
        other = new_page(b, server.url)
        login(other, server.url, "bob", "bob-pass-12")
        wait_ready(other)
        assert other.request.get(url).status == 404  # another user never gets it
