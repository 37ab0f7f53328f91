"""`powerforge checkin list|add|cancel|outbox` with --json, on a real migrated database."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from powerforge.cli import _discover, app


@pytest.fixture
def cli(settings, engine, account):
    _discover()
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["checkin", *args, "--user", account.username])
        return result.exit_code, result.output

    return run


def test_add_list_cancel(cli):
    code, out = cli("add", "remind me to log dinner at 8pm every day", "--json")
    assert code == 0, out
    [saved] = json.loads(out)["checkins"]
    assert saved["label"] == "Reminder: log dinner" and saved["when"] == "Daily at 20:00 UTC"
    assert saved["next_run"].endswith("T20:00:00+00:00")

    code, out = cli("add", "turn on the morning readiness check and the Sunday review", "--dry-run", "--json")
    assert code == 0 and json.loads(out)["saved"] is False
    code, out = cli("list", "--json")
    assert [c["id"] for c in json.loads(out)["checkins"]] == [saved["id"]]

    code, out = cli("cancel", str(saved["id"]), "--json")
    assert code == 0 and json.loads(out)["cancelled"] == saved["id"]
    assert json.loads(cli("list", "--json")[1])["checkins"] == []
    assert len(json.loads(cli("list", "--all", "--json")[1])["checkins"]) == 1


def test_bad_input_exits_with_a_message(cli):
    code, out = cli("add", "remind me to log dinner at 8")
    assert code == 2 and "--ampm" in out
    code, out = cli("add", "remind me to log dinner at 8", "--ampm", "pm")
    assert code == 0 and "Daily" not in out and "Once on" in out
    code, out = cli("add", "remind me yesterday at 5pm")
    assert code == 1 and "passed" in out
    code, out = cli("cancel", "999")
    assert code == 1 and "no check-in number 999" in out
    code, out = cli("outbox", "--json")
    assert code == 0 and json.loads(out)["messages"] == []
