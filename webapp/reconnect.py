"""A browser tab whose app process died carries on in its own thread on the process it reconnects to.

Chainlit keeps socket sessions in the memory of one process. Behind the proxy, when that process dies the
tab's socket reconnects (same session id, no thread id: a new chat never had one in its URL) to another
process, which knows nothing of it and would open a fresh thread, so the next line typed, including one
buffered while the socket was down, would land outside the conversation. Before Chainlit's own connect
handler runs, this looks the session up in the database and, if it was in a thread, names that thread as
the one to resume: Chainlit then checks the thread is the signed-in person's, attaches the session to it
and sends the tab the thread's messages. The same happens after a single-process restart.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import chainlit.socket as cl_socket
from chainlit.session import WebsocketSession

from storage.chat_sessions import remember_thread, thread_of_session

log = logging.getLogger("powerforge.reconnect")
_chainlit_connect = cl_socket.connect


async def connect(sid: str, environ: Any, auth: dict[str, Any]) -> bool:
    session_id = (auth or {}).get("sessionId")
    if session_id and not auth.get("threadId") and WebsocketSession.get_by_id(session_id) is None:
        try:
            thread_id = await asyncio.to_thread(thread_of_session, session_id)
        except Exception:  # the lookup is a convenience: without it the tab gets a fresh chat, as before
            log.exception("could not look up the thread of socket session %s", session_id)
            thread_id = None
        if thread_id:
            log.info("socket session %s came back without its process: resuming thread %s", session_id, thread_id)
            auth = {**auth, "threadId": thread_id}
    return await _chainlit_connect(sid, environ, auth)


def install() -> None:
    """Put `connect` in front of Chainlit's socket connect handler (once, at import of the app)."""
    cl_socket.sio.on("connect")(connect)


async def keep_thread(session_id: str, account_id: int, thread_id: str) -> None:
    """Record the tab's thread so another process can resume it; a failure only costs that convenience."""
    try:
        await asyncio.to_thread(remember_thread, session_id, account_id, thread_id)
    except Exception:
        log.exception("could not record the thread of socket session %s", session_id)
