"""Everything stored about one account, table by table: what "give me all my data" hands back.

Every table with an `account_id` column is read for that account, so a table added later is in the backup
without editing this file; the account row comes without its password hash, and the chat history (Chainlit's
threads and steps, keyed by the username) comes with it. Values are made JSON-safe here, once.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Engine, Table, select

from storage.engine import get_engine
from storage.tables import load_all

SECRET_COLUMNS = frozenset({"password_hash"})  # never leaves the database, not even to its owner


# Chainlit keeps these as JSON in text columns; only they are parsed (a note that reads "[1, 2]" stays text).
_JSON_TEXT_COLUMNS = frozenset({"metadata", "tags", "generation", "modes", "props"})


def _safe(value: Any, json_text: bool = False) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode()}
    if json_text and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _rows(conn: Any, table: Table, where: Any) -> list[dict[str, Any]]:
    keep = [c for c in table.c if c.name not in SECRET_COLUMNS]
    as_json = [c.name in _JSON_TEXT_COLUMNS and not isinstance(c.type, JSON) for c in keep]
    return [
        {c.name: _safe(v, j) for c, v, j in zip(keep, row, as_json, strict=True)}
        for row in conn.execute(select(*keep).where(where))
    ]


def dump_account(account_id: int, engine: Engine | None = None) -> dict[str, list[dict[str, Any]]]:
    """Table name → this account's rows (empty tables left out)."""
    engine = engine or get_engine()
    tables = load_all().metadata.tables
    out: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        accounts = tables["accounts"]
        out["accounts"] = _rows(conn, accounts, accounts.c.id == account_id)
        for name, table in sorted(tables.items()):
            if "account_id" in table.c and (rows := _rows(conn, table, table.c.account_id == account_id)):
                out[name] = rows
        if out["accounts"]:  # the chat history: Chainlit's tables, outside SQLModel's metadata
            from sqlalchemy import MetaData

            chat = MetaData()
            threads = Table("threads", chat, autoload_with=conn)
            steps = Table("steps", chat, autoload_with=conn)
            out["threads"] = _rows(conn, threads, threads.c.userIdentifier == out["accounts"][0]["username"])
            ids = [t["id"] for t in out["threads"]]
            out["steps"] = _rows(conn, steps, steps.c.threadId.in_(ids)) if ids else []
    return {name: rows for name, rows in out.items() if rows}
