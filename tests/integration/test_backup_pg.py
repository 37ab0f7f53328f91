"""The all-data backup on PostgreSQL (JSON columns come back as objects there, text on SQLite)."""

from __future__ import annotations

import pytest

from powerforge.config import Settings
from storage.accounts import create_account
from storage.backup import dump_account
from storage.engine import make_engine
from storage.migrate import upgrade

pytestmark = pytest.mark.integration


def test_a_backup_on_postgres_holds_the_same_tables(pg_settings: Settings) -> None:
    from datetime import UTC, datetime

    from agent.tools.base import ToolContext, load_tools

    engine = make_engine(pg_settings.db_url)
    upgrade(engine=engine)
    me = create_account("pgathlete", "correct-horse-1", engine=engine)
    tools = load_tools()
    ctx = ToolContext(account_id=me.id, settings=pg_settings, engine=engine, now=datetime(2026, 3, 2, 9, tzinfo=UTC))
    tools["log_food"].run(ctx, tools["log_food"].args_model(text="2 eggs for breakfast"))
    tables = dump_account(me.id, engine)
    assert [a["username"] for a in tables["accounts"]] == ["pgathlete"]
    entry = tables["nutrition_entries"][0]
    assert entry["meal"] == "breakfast" and isinstance(entry["per100"], dict)  # JSON as an object, not text
    assert "password_hash" not in tables["accounts"][0]
