"""Two app processes, one chat thread: concurrent turns lose no update (a Postgres advisory lock per thread).

Two `Coach` objects on one PostgreSQL database stand for two app processes: each has its own in-process
locks, so only the database lock can serialise their turns. The model is slow enough that, unserialised,
both turns would start from the same checkpoint and the second write would drop the first turn.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from langchain_core.messages import AIMessage
from support.scripted_model import ScriptedChatModel

from agent.runner import Coach
from powerforge.config import Settings
from storage.accounts import create_account
from storage.engine import dispose_all, make_engine
from storage.migrate import upgrade

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(240)]


def _slow_reply(messages, _bound) -> AIMessage:
    time.sleep(1.0)  # runs in LangChain's executor: the other process's turn overlaps it
    return AIMessage(f"noted ({sum(1 for m in messages if m.type == 'human')} of your messages so far)")


async def test_two_processes_turns_on_one_thread_lose_no_update(pg_settings: Settings) -> None:
    engine = make_engine(pg_settings.db_url)
    upgrade(engine=engine)
    account = create_account("athlete", "correct-horse-1", engine=engine)
    model = ScriptedChatModel(fallback=_slow_reply)
    lines = ["my knee feels fine today", "slept well last night"]
    async with Coach.open(pg_settings, model=model) as a, Coach.open(pg_settings, model=model) as b:
        turns = (c.turn(account_id=account.id, thread_id="t", text=t) for c, t in zip((a, b), lines, strict=True))
        await asyncio.gather(*turns)
        history = await a.history(account.id, "t")
    humans = [m.content for m in history if m.type == "human"]
    assert sorted(humans) == sorted(lines)  # both turns are in the thread: neither overwrote the other
    assert len([m for m in history if m.type == "ai"]) == 2
    engine.dispose()
    dispose_all()
