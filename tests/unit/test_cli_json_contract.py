"""The command line's --json contract: every failure of every command that takes --json is one JSON
document on stdout ({"ok": false, "error": ...}) with a non-zero exit, through the entry point
`powerforge` runs (`powerforge.cli_contract.invoke`)."""

from __future__ import annotations

import json

import pytest

from powerforge.cli import _discover, app
from powerforge.cli_contract import invoke


def _json_commands() -> list[list[str]]:
    """Paths of every command that has a --json option, found by walking the command tree."""
    import typer

    _discover()
    root = typer.main.get_command(app)
    found: list[list[str]] = []

    def walk(cmd, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        elif any("--json" in p.opts for p in cmd.params if hasattr(p, "opts")):
            found.append(path)

    walk(root, [])
    return found


def _run(capsys, args: list[str]) -> tuple[int, dict]:
    code = invoke(app, args)
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_the_walk_finds_the_json_commands():
    paths = {" ".join(p) for p in _json_commands()}
    assert {"food import mfp", "train import", "food barcode", "models verify"} <= paths
    assert len(paths) >= 20


@pytest.mark.parametrize("path", _json_commands(), ids=lambda p: " ".join(p))
def test_a_usage_error_is_one_json_document(capsys, path):
    code, doc = _run(capsys, [*path, "--json", "--no-such-option"])
    assert code != 0
    assert doc["ok"] is False and "--no-such-option" in doc["error"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["food", "barcode", "3029330003534", "--json"], "check digit"),
        (["food", "import", "mfp", "/nonexistent/Nutrition-Summary.csv", "--json"], "does not exist"),
        (["food", "day", "--user", "nobody", "--json"], "No such user"),
        (["train", "import", "bogus", "/etc/hostname", "--json"], "strong"),
        (["models", "verify", "no-such-model", "--json"], "No model named"),
    ],
)
def test_a_command_failure_is_one_json_document(capsys, engine, args, says):
    code, doc = _run(capsys, args)
    assert code != 0 and doc == {"ok": False, "error": doc["error"]} and says in doc["error"]


def test_a_failure_printed_as_text_still_becomes_json(capsys):
    """Commands that print plain text and exit non-zero are caught by the entry point, not by each command."""
    import typer

    extra = typer.Typer()

    @extra.command()
    def broken(as_json: bool = typer.Option(False, "--json")) -> None:
        typer.echo("The thing is broken; try again.", err=True)
        raise typer.Exit(3)

    @extra.command()
    def crashes(as_json: bool = typer.Option(False, "--json")) -> None:
        raise RuntimeError("disk on fire")

    code = invoke(extra, ["broken", "--json"])
    captured = capsys.readouterr()
    assert code == 3 and json.loads(captured.out) == {"ok": False, "error": "The thing is broken; try again."}
    code = invoke(extra, ["crashes", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and "disk on fire" in doc["error"]


def test_without_json_failures_stay_text_on_stderr(capsys, engine):
    code = invoke(app, ["food", "barcode", "3029330003534"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == "" and "check digit" in captured.err
