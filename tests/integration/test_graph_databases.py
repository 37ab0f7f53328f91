"""The same chat graph, with its checkpointer and tools, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage
from sqlalchemy import inspect
from support.scripted_model import ScriptedChatModel, call

from agent.runner import Coach
from powerforge.config import Settings
from storage.accounts import create_account, get_profile
from storage.engine import dispose_all, make_engine
from storage.migrate import upgrade

pytestmark = pytest.mark.integration


async def _conversation(settings: Settings) -> None:
    engine = make_engine(settings.db_url)
    upgrade(engine=engine)
    account = create_account("pg-athlete", "correct-horse-1", engine=engine)
    script = [
        AIMessage("Hi! What are we training today?"),
        call("update_profile", height_cm=178, timezone="Europe/Madrid"),
    ]
    model = ScriptedChatModel(script=script)
    async with Coach.open(settings, model=model) as coach:
        first = await coach.turn(account_id=account.id, thread_id="db-thread", text="hello")
        conv = await coach.turn(account_id=account.id, thread_id="db-thread", text="convert 5 km to mi")
    assert first.reply.startswith("Hi!")
    assert "3.107 mi" in conv.text
    # a second coach (a restarted app) continues the same thread from the database
    async with Coach.open(settings, model=model) as coach:
        history = await coach.history(account.id, "db-thread")
        third = await coach.turn(account_id=account.id, thread_id="db-thread", text="put me on spanish time, 178 tall")
        yes = third.outputs[0].actions[0]  # a write the model chose waits for the athlete's yes
        await coach.turn(account_id=account.id, thread_id="db-thread", direct={"tool": yes.tool, "args": yes.args})
    assert [m.content for m in history if m.type == "human"] == ["hello", "convert 5 km to mi"]
    assert third.outputs[0].ok
    profile = get_profile(account.id, engine)
    assert profile.height_cm == 178
    assert "checkpoints" in inspect(engine).get_table_names()
    engine.dispose()


async def test_graph_on_sqlite(settings):
    await _conversation(settings)


async def test_graph_on_postgres(pg_settings):
    assert pg_settings.db_url.startswith("postgresql+psycopg://")
    await _conversation(pg_settings)
    dispose_all()
