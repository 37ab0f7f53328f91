"""The command line's `--json` contract, in one place: a failure is one JSON document too.

With `--json`, every outcome of a command is one JSON document on stdout. A failure prints
`{"ok": false, "error": "..."}` there and exits non-zero, whether it comes from a command's own
check (`fail`), from argument parsing (a missing file, a bad option), or from an unexpected error
(logged with its traceback, reported as one sentence). Without `--json`, messages go to stderr as
before. `invoke` is what `powerforge` runs; commands call `fail` instead of printing and exiting.
"""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from typing import Any, NoReturn, TextIO

import typer
from typer._click.exceptions import ClickException  # typer >= 0.20 vendors click; its errors are these
from typer._click.globals import get_current_context

log = logging.getLogger("powerforge.cli")
JSON_FLAG = "--json"


def _json_requested() -> bool:
    """True when the running command (or a parent) was given --json."""
    ctx = get_current_context(silent=True)
    while ctx is not None:
        if ctx.params.get("as_json") or ctx.params.get("json"):
            return True
        ctx = ctx.parent
    return False


def emit_json(payload: Any) -> None:
    """Print one JSON document (the contract of every `--json` flag)."""
    typer.echo(json.dumps(payload, indent=2, default=str, ensure_ascii=False))


def subgroup(app: typer.Typer, name: str, help: str = "") -> typer.Typer:
    """The command group `name` of the app being built, added when absent (lets a domain's CLI extend a group
    such as `models` without importing the entry point that defines it)."""
    for group in app.registered_groups:
        if group.name == name and group.typer_instance is not None:
            return group.typer_instance
    sub = typer.Typer(help=help or None)
    app.add_typer(sub, name=name)
    return sub


def error_document(message: str, **extra: Any) -> str:
    return json.dumps({"ok": False, "error": message, **extra}, indent=2, default=str, ensure_ascii=False)


def fail(message: str, code: int = 1, **extra: Any) -> NoReturn:
    """End the command with `message`: one JSON document on stdout under --json, else red text on stderr."""
    if _json_requested():
        typer.echo(error_document(message, **extra))
    else:
        typer.secho(message, fg="red", err=True)
    raise typer.Exit(code)


class _Tee(io.TextIOBase):
    """Passes writes through and remembers them (to know what a command printed before it failed)."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner
        self.seen: list[str] = []

    def write(self, s: str | bytes) -> int:  # type: ignore[override]
        if isinstance(s, bytes):  # echo writes bytes when it finds no binary buffer
            self.seen.append(s.decode("utf-8", "replace"))
            buffer = getattr(self.inner, "buffer", None)
            return buffer.write(s) if buffer is not None else self.inner.write(s.decode("utf-8", "replace"))
        self.seen.append(s)
        return self.inner.write(s)

    def flush(self) -> None:
        self.inner.flush()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", "utf-8")

    def isatty(self) -> bool:
        return self.inner.isatty()


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _last_message(text: str) -> str:
    lines = [_ANSI.sub("", x).strip(" │╭╮╰╯─") for x in text.splitlines()]
    lines = [x.strip() for x in lines if x.strip() and not x.strip().startswith(("Usage:", "Try '"))]
    return lines[-1] if lines else ""


def invoke(app: typer.Typer, args: list[str], prog_name: str = "powerforge") -> int:
    """Run `app` with `args` and return the exit code, keeping the --json contract for every failure."""
    as_json = JSON_FLAG in args
    command = typer.main.get_command(app)
    if not as_json:
        try:
            rv = command.main(args=args, prog_name=prog_name, standalone_mode=False)
        except ClickException as e:
            e.show()
            return e.exit_code
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            return 1
        return rv if isinstance(rv, int) else 0
    out, err = _Tee(sys.stdout), _Tee(sys.stderr)
    sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
    try:
        try:
            rv = command.main(args=args, prog_name=prog_name, standalone_mode=False)
            code = rv if isinstance(rv, int) else 0
            message = ""
        except ClickException as e:
            code, message = e.exit_code, e.format_message()
        except typer.Abort:
            code, message = 1, "Aborted."
        except Exception as e:
            log.exception("powerforge %s failed", " ".join(args[:2]))
            code, message = 1, f"The command failed unexpectedly ({type(e).__name__}: {e}); see the log for details."
    finally:
        sys.stdout, sys.stderr = out.inner, err.inner
    if code != 0 and not "".join(out.seen).strip():
        # a failure that printed only text (or nothing): say it as the one JSON document
        message = message or _last_message("".join(err.seen)) or f"The command failed (exit status {code})."
        typer.echo(error_document(message))
    return code
