"""Check-in delivery: push due messages into open chats, show the rest when a chat opens.

Open sessions are registered per account when a chat starts or resumes. A push goes to the newest
session of the account whose socket is connected (one place, so never shown twice): the outbox row
is claimed (pending → sending), the message is sent with `WebsocketSession.get_by_id` +
`init_ws_context` on the server's loop, and the row is marked delivered right after. A failed send
releases the claim; a crash in between is settled at the next start (`storage.checkins.recover_sending`
looks for the message's deterministic id in the chat history). Nothing connected: the row stays
pending and the next chat start shows it, with the unread count in the welcome.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import ClassVar

import chainlit as cl
from chainlit.context import init_ws_context
from chainlit.session import WebsocketSession

from agent.tools.base import Action
from checkins.scheduler import CheckinScheduler
from powerforge.config import Settings
from storage import checkins as repo
from storage.engine import engine_for
from storage.tables.checkins import CheckinOutbox
from webapp.render import to_cl_action

log = logging.getLogger("powerforge.checkins")


class _Registry:
    sessions: ClassVar[dict[int, dict[str, float]]] = defaultdict(dict)  # account id → {session id: opened at}
    locks: ClassVar[dict[int, asyncio.Lock]] = {}


def _lock(account_id: int) -> asyncio.Lock:
    return _Registry.locks.setdefault(account_id, asyncio.Lock())


def _now() -> datetime:
    return datetime.now(UTC)


def register_session(account_id: int, session_id: str) -> None:
    _Registry.sessions[account_id][session_id] = time.monotonic()


def _connected(session: WebsocketSession) -> bool:
    from chainlit.server import sio

    return bool(sio.manager.is_connected(session.socket_id, "/"))


def live_sessions(account_id: int) -> list[WebsocketSession]:
    """Connected sessions of the account, newest last (gone ones are forgotten)."""
    found = []
    for session_id, _opened in sorted(_Registry.sessions[account_id].items(), key=lambda kv: kv[1]):
        session = WebsocketSession.get_by_id(session_id)
        if session is None:
            _Registry.sessions[account_id].pop(session_id, None)
        elif _connected(session):
            found.append(session)
    return found


def _groups(rows: list[CheckinOutbox]) -> list[tuple[CheckinOutbox, list[CheckinOutbox]]]:
    """(newest, older ones) per schedule: a week away shows one dinner reminder, not seven."""
    by_schedule: dict[object, list[CheckinOutbox]] = defaultdict(list)
    for row in rows:
        by_schedule[row.schedule_id if row.schedule_id is not None else row.id].append(row)
    out = [(group[-1], group[:-1]) for group in by_schedule.values()]
    return sorted(out, key=lambda g: g[0].scheduled_for)


def _content(row: CheckinOutbox, older: list[CheckinOutbox]) -> str:
    if not older:
        return row.text
    return (
        row.text
        + f"\n\n_({len(older)} earlier one{'s' if len(older) != 1 else ''} of this check-in while you were away)_"
    )


async def _show(account_id: int, session: WebsocketSession, *, pushed: bool) -> int:
    """Show every pending message of the account in `session`; returns how many were shown."""
    shown = 0
    async with _lock(account_id):
        rows = await asyncio.to_thread(repo.pending_messages, account_id)
        for row, older in _groups(rows):
            if not await asyncio.to_thread(repo.claim, row.id, session.id, now=_now()):
                continue  # another delivery got there first
            try:
                if pushed:
                    init_ws_context(session)
                actions = [to_cl_action(Action(**b)) for b in row.actions]
                await cl.Message(content=_content(row, older), id=repo.message_step_id(row.id), actions=actions).send()
            except Exception:
                log.exception("could not show check-in %s; it stays pending", row.id)
                await asyncio.to_thread(repo.release, row.id)
                continue
            await asyncio.to_thread(repo.mark_delivered, [row.id, *(o.id for o in older)], session.id, now=_now())
            shown += 1
    return shown


async def push_pending(account_id: int) -> int:
    """The scheduler's delivery hook: into the account's newest connected chat, if any."""
    sessions = live_sessions(account_id)
    if not sessions:
        return 0
    return await _show(account_id, sessions[-1], pushed=True)


async def welcome_note(account_id: int) -> str:
    """A line for the welcome message when check-ins are waiting."""
    n = await asyncio.to_thread(repo.unread_count, account_id)
    if not n:
        return ""
    return f"\n\n🔔 You have **{n} unread check-in{'s' if n != 1 else ''}** — here {'they are' if n != 1 else 'it is'}:"


async def chat_opened(account_id: int) -> int:
    """on_chat_start / on_chat_resume: register this session and show what is waiting."""
    session = cl.context.session
    if not isinstance(session, WebsocketSession):
        return 0
    register_session(account_id, session.id)
    return await _show(account_id, session, pushed=False)


async def chat_ended() -> None:
    """on_chat_end: nothing to drop. The session stays registered so a reconnect (which Chainlit restores
    without a new chat start) still receives pushes; a gone socket is skipped and forgotten."""


async def start_scheduler(settings: Settings) -> CheckinScheduler:
    """The process's check-in scheduler on the running (server) loop, delivering through this module."""
    # Cluster mode: the dedicated scheduler processes fire check-ins (leader + standby); apps only deliver.
    can_lead = settings.jobs_backend != "celery"
    return await CheckinScheduler(engine_for(settings.db_url), deliver=push_pending, can_lead=can_lead).start()
