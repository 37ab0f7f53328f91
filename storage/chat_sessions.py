"""The chat thread each browser session is in, readable by every app process (see `ChatSession`)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from storage.engine import read_session, transaction
from storage.tables.core import ChatSession, utcnow


def remember_thread(session_id: str, account_id: int, thread_id: str, engine: Engine | None = None) -> None:
    """Record (or move) the session's thread. Two writers at once: the second updates the first's row."""
    for _attempt in range(2):
        try:
            with transaction(engine) as s:
                row = s.get(ChatSession, session_id)
                if row is None:
                    s.add(ChatSession(session_id=session_id, account_id=account_id, thread_id=thread_id))
                elif row.account_id == account_id:  # a session id is never handed to another person's thread
                    row.thread_id, row.updated_at = thread_id, utcnow()
            return
        except IntegrityError:
            continue  # the other writer inserted first: update its row


def thread_of_session(session_id: str, engine: Engine | None = None) -> str | None:
    """The thread a browser session was in, or None. The caller still checks the thread is the signed-in
    person's (Chainlit refuses a socket that names someone else's thread)."""
    with read_session(engine) as s:
        row = s.get(ChatSession, session_id)
    return row.thread_id if row is not None else None
