"""A browser tab whose app process died comes back to its own thread and is told what was not answered.

Chainlit keeps socket sessions in the memory of one process. When that process dies (a crash, a restart, or
behind the cluster's proxy) the tab's socket reconnects with the same session id to a process that knows
nothing of it. Chainlit's client sends the thread id it learned at the chat's first interaction, so a
conversation under way resumes; a tab that lost its process before that event reached it sends none and
would open a fresh thread. Before Chainlit's own connect handler runs, this looks the session up in the
database (`storage.chat_sessions`): a known session is a tab coming back, so its thread is named when the
tab sent none (Chainlit still checks it is the signed-in person's) and the session is marked, so that the
resume can tell the person about a line the lost process stored but never answered.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import chainlit.socket as cl_socket
from chainlit.chat_context import chat_context
from chainlit.session import WebsocketSession

from storage.chat_sessions import remember_thread, thread_of_session

log = logging.getLogger("powerforge.reconnect")
_chainlit_connect = cl_socket.connect
_came_back: set[str] = set()  # socket sessions resumed here after their own process was lost


async def connect(sid: str, environ: Any, auth: dict[str, Any]) -> bool:
    session_id = (auth or {}).get("sessionId")
    if session_id and WebsocketSession.get_by_id(session_id) is None:
        try:
            thread_id = await asyncio.to_thread(thread_of_session, session_id)
        except Exception:  # a convenience: without it the tab resumes (or not) as Chainlit alone would
            log.exception("could not look up the thread of socket session %s", session_id)
            thread_id = None
        if thread_id:  # a tab this or another process served before: it lost its process
            log.info("socket session %s came back without its process (thread %s)", session_id, thread_id)
            _came_back.add(session_id)
            if not auth.get("threadId"):
                auth = {**auth, "threadId": thread_id}
    accepted = await _chainlit_connect(sid, environ, auth)
    if accepted and session_id in _came_back and (session := WebsocketSession.get_by_id(session_id)):
        # A line can arrive while the resume is still reading the thread, before Chainlit marks the session as having
        # had its first line: Chainlit would take it for the thread's first and rename the thread after it.
        session.has_first_interaction = True
    return accepted


def came_back(session_id: str) -> bool:
    """Whether this session was just resumed after losing its process (answered once per reconnect)."""
    if session_id in _came_back:
        _came_back.discard(session_id)
        return True
    return False


def unanswered_line(thread: dict[str, Any]) -> str | None:
    """The person's last line when nothing answered it: the lost process received and stored it, then died."""
    messages = [s for s in thread.get("steps") or [] if s.get("type") in ("user_message", "assistant_message")]
    messages.sort(key=lambda s: str(s.get("createdAt") or ""))
    if messages and messages[-1].get("type") == "user_message":
        return str(messages[-1].get("output") or "").strip() or None
    return None


async def settle_line_in_flight(session: WebsocketSession, thread: dict[str, Any]) -> bool:
    """Let a line sent while the tab reconnected finish, and put every message this session has shown so far (that
    line and its answer, a notice, a check-in delivered on resume) into the thread the tab is about to get.

    Chainlit hands the tab the thread it read before the resume hook ran and the tab replaces its messages with it:
    a message sent in the meantime vanished from the screen (a check-in was then marked delivered yet never seen),
    and a line sent right after the socket came back could lose its answer the same way (steps are written in the
    background). Returns whether a line was in flight.
    """
    task, running = session.current_task, False
    if task is not None and not task.done():
        running = True
        await asyncio.wait({task})  # never cancelled here: the turn is the person's
    steps = thread.setdefault("steps", [])
    known = {s.get("id") for s in steps}
    for message in chat_context.get():
        if message.id not in known:
            steps.append(message.to_dict())  # the session's messages come in the order they were said
            known.add(message.id)
    return running


def install() -> None:
    """Put `connect` in front of Chainlit's socket connect handler (once, at import of the app)."""
    cl_socket.sio.on("connect")(connect)


async def keep_thread(session_id: str, account_id: int, thread_id: str) -> None:
    """Record the tab's thread so another process can resume it; a failure only costs that convenience."""
    try:
        await asyncio.to_thread(remember_thread, session_id, account_id, thread_id)
    except Exception:
        log.exception("could not record the thread of socket session %s", session_id)
