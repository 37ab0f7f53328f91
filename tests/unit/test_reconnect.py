"""A tab that reconnects to another app process (its own died) resumes its thread instead of a fresh one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from storage.accounts import create_account
from storage.chat_sessions import remember_thread, thread_of_session


def test_a_session_keeps_its_latest_thread_and_only_its_owner_moves_it(engine, account):
    assert thread_of_session("tab-1", engine=engine) is None
    remember_thread("tab-1", account.id, "thread-a", engine=engine)
    remember_thread("tab-1", account.id, "thread-b", engine=engine)  # the tab opened another thread
    assert thread_of_session("tab-1", engine=engine) == "thread-b"
    other = create_account("someone-else", "correct-horse-2", engine=engine)
    remember_thread("tab-1", other.id, "their-thread", engine=engine)  # a forged session id moves nothing
    assert thread_of_session("tab-1", engine=engine) == "thread-b"


def test_concurrent_first_writes_of_one_session_leave_one_row(engine, account):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda t: remember_thread("tab-2", account.id, t, engine=engine), ["t1", "t2", "t3", "t4"]))
    assert thread_of_session("tab-2", engine=engine) in {"t1", "t2", "t3", "t4"}


@pytest.fixture
def chainlit_connect(monkeypatch: pytest.MonkeyPatch, settings, engine) -> list[dict[str, Any]]:
    """Chainlit's own connect handler, replaced by a recorder of the auth it is given (unit test only)."""
    from webapp import reconnect

    seen: list[dict[str, Any]] = []

    async def record(sid: str, environ: Any, auth: dict[str, Any]) -> bool:
        seen.append(auth)
        return True

    monkeypatch.setattr(reconnect, "_chainlit_connect", record)
    return seen


def _connect(auth: dict[str, Any]) -> None:
    from webapp.reconnect import connect

    assert asyncio.run(connect("sid-1", {}, auth)) is True


def test_an_unknown_session_with_a_recorded_thread_resumes_it(chainlit_connect, engine, account):
    remember_thread("tab-3", account.id, "thread-3", engine=engine)
    _connect({"sessionId": "tab-3", "threadId": "", "clientType": "webapp"})
    assert chainlit_connect[-1]["threadId"] == "thread-3"


def test_a_new_tab_or_a_chosen_thread_is_left_alone(chainlit_connect, engine, account):
    _connect({"sessionId": "new-tab", "threadId": "", "clientType": "webapp"})
    assert chainlit_connect[-1]["threadId"] == ""  # nothing recorded: a fresh chat, as before
    remember_thread("tab-4", account.id, "thread-4", engine=engine)
    _connect({"sessionId": "tab-4", "threadId": "picked", "clientType": "webapp"})
    assert chainlit_connect[-1]["threadId"] == "picked"  # the thread in the URL wins


def test_the_last_line_nobody_answered_is_named_once_after_a_reconnect(chainlit_connect, engine, account):
    from webapp.reconnect import came_back, unanswered_line

    remember_thread("tab-5", account.id, "thread-5", engine=engine)
    _connect({"sessionId": "tab-5", "threadId": "", "clientType": "webapp"})
    assert came_back("tab-5") and not came_back("tab-5")  # once per reconnect
    _connect({"sessionId": "tab-5", "threadId": "thread-5", "clientType": "webapp"})  # the client knew its thread
    assert came_back("tab-5")
    _connect({"sessionId": "new-tab", "threadId": "thread-5", "clientType": "webapp"})  # e.g. opened from history
    assert not came_back("new-tab")

    def step(kind: str, text: str, at: str) -> dict[str, Any]:
        return {"type": kind, "output": text, "createdAt": at}

    answered = {"steps": [step("user_message", "squat 100x5", "2026-01-01T10:00:01Z"),
                          step("run", "", "2026-01-01T10:00:02Z"),
                          step("assistant_message", "Logged", "2026-01-01T10:00:03Z")]}  # fmt: skip
    assert unanswered_line(answered) is None
    lost = {"steps": [*answered["steps"], step("user_message", "bench 60x5", "2026-01-01T10:01:00Z"),
                      step("run", "", "2026-01-01T10:01:01Z")]}  # fmt: skip
    assert unanswered_line(lost) == "bench 60x5"
    assert unanswered_line({"steps": []}) is None
