"""The `powerforge` command: one entry point whose subcommands the domain packages extend.

Each domain package may ship `<package>/cli.py` with `register(app: typer.Typer) -> None`; it is
discovered here, so adding a domain never edits this file. Analysis commands take `--json` and print
one JSON document.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import typer

app = typer.Typer(help="Power Forge: a self-hosted coach for lifting and boxing.", no_args_is_help=True)
models_app = typer.Typer(help="Install and inspect model weights (never downloaded implicitly).")
app.add_typer(models_app, name="models")

DOMAIN_PACKAGES = (
    "powerforge",
    "models",
    "nutrition",
    "training",
    "vision",
    "striking",
    "analytics",
    "checkins",
    "agent",
)


def _register(pkg: str) -> None:
    name = f"{pkg}.cli" if pkg != "powerforge" else "powerforge.commands"
    if importlib.util.find_spec(pkg) is None or importlib.util.find_spec(name) is None:
        return
    register = getattr(importlib.import_module(name), "register", None)
    if register is not None:
        register(app)


def _discover() -> None:
    for pkg in DOMAIN_PACKAGES:
        _register(pkg)


def _names() -> set[str]:
    """Top-level command and group names registered so far."""
    commands = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    return commands | {g.name or "" for g in app.registered_groups}


def _discover_for(argv: list[str]) -> None:
    """Import only what the command line needs: the core commands (`chat`, `serve`, `user`, `db`) start
    without importing every domain's CLI and its dependencies; help, `models` (which domains extend) and
    domain commands import them all, as before."""
    command = next((a for a in argv if not a.startswith("-")), None)
    _register("powerforge")
    if command is not None and command != "models" and command in _names():
        return
    for pkg in DOMAIN_PACKAGES:
        if pkg != "powerforge":
            _register(pkg)


def main() -> None:
    _discover_for(sys.argv[1:])
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
