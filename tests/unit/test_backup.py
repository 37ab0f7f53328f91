"""'A backup of everything': every table holding the athlete's rows and the chat history; no secret, nobody else's."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime

from sqlalchemy import text

from agent.router import route_by_code
from agent.tools.base import ToolContext, load_tools
from storage.accounts import create_account


def test_everything_stored_about_one_person_and_nothing_else(settings, engine, account) -> None:
    tools = load_tools()
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    other = create_account("neighbour", "correct-horse-3", engine=engine)
    for who in (account, other):
        ctx = ToolContext(account_id=who.id, settings=settings, engine=engine, now=now)
        tools["log_food"].run(ctx, tools["log_food"].args_model(text="2 eggs and 60g oats for breakfast"))
        tools["train_log_sets"].run(ctx, tools["train_log_sets"].match("squat 100x5x3 @8", []))
        tools["body_weight_log"].run(ctx, tools["body_weight_log"].match("weighed 81.2 kg this morning", []))
    with engine.begin() as conn:  # a chat thread of each, as Chainlit's data layer stores it
        for n, who in enumerate((account, other)):
            conn.execute(text("INSERT INTO users (id, identifier, metadata) VALUES (:i, :u, '{}')"),
                         {"i": f"u{n}", "u": who.username})  # fmt: skip
            conn.execute(text('INSERT INTO threads (id, name, "userId", "userIdentifier", metadata) '
                              "VALUES (:t, '[1, 2]', :i, :u, '{\"k\": 1}')"),
                         {"t": f"t{n}", "i": f"u{n}", "u": who.username})  # fmt: skip
            conn.execute(text("INSERT INTO steps (id, name, type, \"threadId\", streaming, output) "
                              "VALUES (:s, 'me', 'user_message', :t, false, :o)"),
                         {"s": f"s{n}", "t": f"t{n}", "o": f"line of {who.username}"})  # fmt: skip

    line = "I want a full backup of my account"
    route = route_by_code(line, [], tools)
    assert route is not None and route.tool == "export_all", route
    ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, now=now)
    out = tools["export_all"].run(ctx, tools["export_all"].args_model(**route.args))

    with zipfile.ZipFile(out.files[0]) as z:
        tables = {name.removesuffix(".json"): json.loads(z.read(name)) for name in z.namelist()}
    manifest = tables.pop("manifest")
    assert manifest["tables"] == {name: len(rows) for name, rows in tables.items()} == out.data["tables"]
    for name in ("accounts", "nutrition_entries", "training_sets", "threads", "steps"):
        assert tables.get(name), f"{name} missing from the backup: {sorted(tables)}"
    assert [a["username"] for a in tables["accounts"]] == [account.username]
    assert all("password_hash" not in row for rows in tables.values() for row in rows)
    blob = json.dumps(tables)
    assert "neighbour" not in blob and "correct-horse" not in blob  # nobody else's rows, no secret
    assert all(row.get("account_id", account.id) == account.id for rows in tables.values() for row in rows)
    assert [s["output"] for s in tables["steps"]] == [f"line of {account.username}"]
    thread = tables["threads"][0]
    assert thread["metadata"] == {"k": 1} and thread["name"] == "[1, 2]"  # JSON columns parsed, text left as typed
    assert out.data["rows"] == sum(manifest["tables"].values())
