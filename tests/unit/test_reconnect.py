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


def _socket_session(session_id: str, thread_id: str):
    from typing import Literal

    from chainlit.session import WebsocketSession

    async def emit(event: str, data: Any) -> None:
        return None

    async def emit_call(event: Literal["ask", "call_fn"], data: Any, timeout: int | None) -> None:
        return None

    return WebsocketSession(id=session_id, socket_id=f"sid-{session_id}", emit=emit, emit_call=emit_call,
                            client_type="webapp", user_env={}, thread_id=thread_id)  # fmt: skip


def test_a_tab_that_came_back_has_had_its_first_line(monkeypatch: pytest.MonkeyPatch, engine, account):
    """A line the tab sends before it asks to resume must not be taken for the thread's first (which renames it)."""
    from webapp import reconnect

    async def chainlit_connect(sid: str, environ: Any, auth: dict[str, Any]) -> bool:
        _socket_session(auth["sessionId"], auth["threadId"])  # what Chainlit's handler makes of the auth
        return True

    monkeypatch.setattr(reconnect, "_chainlit_connect", chainlit_connect)
    from chainlit.session import WebsocketSession

    remember_thread("tab-6", account.id, "thread-6", engine=engine)
    _connect({"sessionId": "tab-6", "threadId": "", "clientType": "webapp"})
    _connect({"sessionId": "brand-new-tab", "threadId": "", "clientType": "webapp"})
    try:
        assert WebsocketSession.get_by_id("tab-6").has_first_interaction
        assert not WebsocketSession.get_by_id("brand-new-tab").has_first_interaction
    finally:
        for sid in ("tab-6", "brand-new-tab"):
            if session := WebsocketSession.get_by_id(sid):
                asyncio.run(session.delete())
        reconnect.came_back("tab-6")


def test_a_line_sent_while_resuming_is_answered_and_kept_in_the_thread_the_tab_is_given():
    """The resume waits for that line's turn and adds its messages to the thread it hands the tab."""
    import chainlit as cl
    from chainlit.chat_context import chat_context
    from chainlit.context import init_ws_context

    from webapp.reconnect import settle_line_in_flight

    session = _socket_session("tab-7", "thread-7")
    read = {
        "steps": [{"id": "old", "type": "user_message", "output": "squat 100x5", "createdAt": "2026-01-01T10:00:00Z"}]
    }

    async def main() -> tuple[bool, bool]:
        init_ws_context(session)
        idle = await settle_line_in_flight(session, {"steps": []})  # nothing in flight: nothing waited for
        chat_context.add(cl.Message(content="1 check-in waiting", type="assistant_message"))  # shown on resume

        async def turn() -> None:  # the person's line and its answer, a little after the thread was read
            chat_context.add(cl.Message(content="bench 60x5", author="sam", type="user_message"))
            await asyncio.sleep(0.2)
            chat_context.add(cl.Message(content="Logged bench 60 kg", type="assistant_message"))

        session.current_task = asyncio.create_task(turn())
        await asyncio.sleep(0)
        return idle, await settle_line_in_flight(session, read)

    try:
        idle, waited = asyncio.run(main())
    finally:
        asyncio.run(session.delete())
    assert not idle and waited
    assert [s["output"] for s in read["steps"]] == ["squat 100x5", "1 check-in waiting", "bench 60x5",
                                                    "Logged bench 60 kg"]  # fmt: skip
