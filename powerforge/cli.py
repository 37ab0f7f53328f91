"""The `powerforge` command: one entry point whose subcommands the domain packages extend.

Each domain package may ship `<package>/cli.py` with `register(app: typer.Typer) -> None`; it is
discovered here, so adding a domain never edits this file. Analysis commands take `--json` and print
one JSON document.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from typing import Any

import typer

app = typer.Typer(help="Power Forge: a self-hosted coach for lifting and boxing.", no_args_is_help=True)
models_app = typer.Typer(help="Install and inspect model weights (never downloaded implicitly).")
app.add_typer(models_app, name="models")

DOMAIN_PACKAGES = ("powerforge", "models", "nutrition", "training", "vision", "striking", "analytics", "checkins")


def emit_json(payload: Any) -> None:
    """Print one JSON document (the contract of every `--json` flag)."""
    typer.echo(json.dumps(payload, indent=2, default=str, ensure_ascii=False))


def _discover() -> None:
    for pkg in DOMAIN_PACKAGES:
        name = f"{pkg}.cli" if pkg != "powerforge" else "powerforge.commands"
        if importlib.util.find_spec(pkg) is None or importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


def main() -> None:
    _discover()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
