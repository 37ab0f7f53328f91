"""Check-ins end to end in headless Chromium: a reminder set by chat, the app restarted before it is
due, the reminder appearing in the open page at its time; one that fires while the page is closed
waits, counted in the welcome, and is shown exactly once on the next visit."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.app import browser, login, new_page, seeded_data_dir, send, wait_for_assistant, wait_ready
from support.postgres import free_port

from powerforge.config import Settings
from storage import checkins as repo
from storage.engine import make_engine

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def alice(tmp_path: Path) -> tuple[Settings, int]:
    settings, ids = seeded_data_dir(tmp_path, {"alice": "alice-pass-1"})
    return settings, ids["alice"]


def _coach_says(page, words: str, timeout_ms: int) -> None:
    """Wait for an assistant message containing `words` (not the thread list, which echoes requests)."""
    page.locator("[data-step-type='assistant_message']", has_text=words).first.wait_for(timeout=timeout_ms)


def _set_by_chat(page, request: str) -> None:
    n = len(page.locator("[data-step-type='assistant_message']").all())
    send(page, request)
    msgs = wait_for_assistant(page, n + 1)
    assert "Save?" in msgs[-1], msgs[-1]
    page.get_by_role("button", name="✅ Save").last.click()
    page.wait_for_selector("text=/Saved: #\\d+/", timeout=60_000)


def test_reminder_reaches_the_open_page_after_a_restart_and_waits_when_closed(app_factory, alice):
    settings, account_id = alice
    down = f"http://127.0.0.1:{free_port()}/v1"  # no language model: the check-in fast paths need none
    server = app_factory(settings.data_dir, LLM_BASE_URL=down)
    with browser(server.url) as b:
        page = new_page(b, server.url)
        login(page, server.url, "alice", "alice-pass-1")
        wait_ready(page)
        wait_for_assistant(page, 1)
        # two minutes: the restart and sign-in below must fit before it is due, even on a busy machine
        _set_by_chat(page, "remind me to stretch my hips in 2 minutes")
        _set_by_chat(page, "ask me how I slept in 2 minutes")

    server.restart()  # between setting and firing
    engine = make_engine(settings.db_url)
    try:
        with browser(server.url) as b:
            page = new_page(b, server.url)
            login(page, server.url, "alice", "alice-pass-1")
            wait_ready(page)
            welcome = wait_for_assistant(page, 1)[0]
            assert "unread" not in welcome  # not due yet
            # it appears in the open page at its time, pushed by the scheduler of the restarted app
            _coach_says(page, "⏰ Reminder: stretch my hips", 240_000)
            _coach_says(page, "how ready do you feel today?", 30_000)
            rows = repo.messages(account_id, engine=engine)
            assert len(rows) == 2 and all(r.status == "delivered" and not r.late for r in rows)
            # the readiness question's buttons work on a pushed message, and the answer is stored
            page.get_by_role("button", name="4 · good").click()
            _coach_says(page, "Readiness 4/5 (good) saved", 60_000)
            readiness = next(r for r in rows if r.kind == "readiness")
            assert repo.readiness_on(account_id, readiness.scheduled_for.date(), engine) == 4

            # the next one fires while no page is open
            _set_by_chat(page, "remind me to drink water in 20 seconds")
            page.context.close()
        deadline = time.monotonic() + 90
        while not any("drink water" in m.text for m in repo.messages(account_id, engine=engine)):
            assert time.monotonic() < deadline, "the reminder was not written to the outbox"
            time.sleep(1)
        [waiting] = [m for m in repo.messages(account_id, engine=engine) if "drink water" in m.text]
        assert waiting.status == "pending"

        with browser(server.url) as b:
            page = new_page(b, server.url)
            login(page, server.url, "alice", "alice-pass-1")
            wait_ready(page)
            _coach_says(page, "⏰ Reminder: drink water", 60_000)
            msgs = wait_for_assistant(page, 2)
            assert "1 unread check-in" in msgs[0]
            assert sum("Reminder: drink water" in m for m in msgs) == 1
            assert repo.get_message(account_id, waiting.id, engine).status == "delivered"

            page.reload()  # the next visit: shown once means once
            wait_ready(page)
            msgs = wait_for_assistant(page, 1)
            page.wait_for_timeout(1500)
            assert "unread" not in msgs[0]
            assert len(repo.messages(account_id, engine=engine)) == 3
    finally:
        engine.dispose()
