"""The coach's memory with several app processes (issue 18): every process talks to one Chroma server
(`MEMORY_URL`, started by `powerforge serve --cluster`), so a note one process stores is found by another
at once, and each person's notes stay in their own collection.

Without the server each process opens its own store on the same folder, and the second one fails to read
what the first wrote (Chroma: "Error creating hnsw segment reader").
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.postgres import PostgresServer

from powerforge.cluster.stack import Stack, start_chroma
from storage.accounts import create_account
from storage.engine import make_engine
from storage.migrate import upgrade

pytestmark = pytest.mark.integration
SIDE = Path(__file__).resolve().parents[1] / "support" / "memory_side.py"


class Side:
    """A separate OS process holding its own memory client, as an app process does."""

    def __init__(self, account_id: int, env: dict[str, str]):
        self.proc = subprocess.Popen([sys.executable, str(SIDE), str(account_id)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)  # fmt: skip
        assert self.ask(None).startswith("ready")

    def ask(self, line: str | None) -> str:
        assert self.proc.stdin and self.proc.stdout
        if line is not None:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def test_notes_written_by_one_process_are_found_by_another(postgres: PostgresServer, tmp_path: Path) -> None:
    db = postgres.new_database()
    engine = make_engine(db)
    upgrade(engine=engine)
    ana = create_account("ana", "ana-pass-123", engine=engine).id
    ben = create_account("ben", "ben-pass-123", engine=engine).id
    engine.dispose()
    (tmp_path / "logs").mkdir()
    stack = Stack(tmp_path)
    sides: list[Side] = []
    try:
        env = {**os.environ, "DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": db, "LLM_EMBEDDED": "false",
               "MEMORY_URL": start_chroma(stack)}  # fmt: skip
        a, b, other = Side(ana, env), Side(ana, env), Side(ben, env)
        sides += [a, b, other]
        assert b.ask("search knee pain") == "hits"  # b's client is open before a writes
        assert a.ask("remember left knee ached on the second squat set").startswith("ok")
        assert b.ask("search knee pain") == "hits left knee ached on the second squat set"
        assert b.ask("remember slept five hours before the meet").startswith("ok")
        assert a.ask("search sleep before competing").startswith("hits slept five hours")
        assert other.ask("search knee pain") == "hits"  # another person never sees ana's notes
    finally:
        for s in sides:
            s.stop()
        stack.stop()
