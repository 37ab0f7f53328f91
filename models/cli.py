"""`powerforge models list|pull|verify`: the only way weights get onto the machine."""

from __future__ import annotations

import typer

from powerforge.cli_contract import emit_json, fail, subgroup


def _size(n: object) -> str:
    if not isinstance(n, int):
        return "?"
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def models_list(as_json: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> None:
    """Every model in the manifest: kind, size, licence, installed and verified."""
    from models.manifest import load_manifest
    from models.pull import status

    rows = [status(entry) for entry in load_manifest().values()]
    if as_json:
        emit_json({"models": rows})
        return
    typer.echo(f"{'name':<24} {'kind':<10} {'size':>8}  {'state':<20} licence")
    for r in rows:
        state = "installed, verified" if r["verified"] else "installed" if r["installed"] else "not installed"
        typer.echo(f"{r['name']:<24} {r['kind']:<10} {_size(r['size_bytes']):>8}  {state:<20} {r['licence']}")


def models_pull(
    name: str = typer.Argument(..., help="Model name (see `powerforge models list`)."),
    force: bool = typer.Option(False, "--force", help="Download and install again even if verified."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Download, verify (sha256) and install one model. A verified install is left alone."""
    from models.manifest import UnknownModel
    from models.pull import PullError, pull

    try:
        result = pull(name, force=force, log=lambda m: typer.echo(m, err=True), show_tool_output=not as_json)
    except (UnknownModel, PullError) as exc:
        if as_json:
            emit_json({"name": name, "ok": False, "error": str(exc)})
        else:
            typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from exc
    if as_json:
        emit_json({"name": name, "ok": True, "status": result.status, "path": str(result.path),
                   "seconds": round(result.seconds, 1), "sources": result.sources})  # fmt: skip
    elif result.status == "already-installed":
        typer.echo(f"{name} is already installed and verified: {result.path}")
    else:
        typer.secho(f"{name} installed and verified in {result.seconds:.0f} s: {result.path}", fg="green")


def models_verify(
    name: str = typer.Argument(None, help="One model; default: every installed model."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Re-hash installed weights against the manifest; exit 1 if anything is wrong."""
    from models.manifest import UnknownModel, install_dir, installed_files_present, load_manifest
    from models.pull import verify
    from powerforge.config import get_settings

    entries = load_manifest()
    if name is not None and name not in entries:
        fail(str(UnknownModel(f"No model named '{name}' (known: {', '.join(sorted(entries))}).")))
    s = get_settings()
    names = [name] if name else [n for n, e in entries.items() if installed_files_present(e, install_dir(n, s))]
    results = [verify(n, s, entries) for n in names]
    if as_json:
        emit_json({"results": [r.__dict__ for r in results]})
    else:
        if not results:
            typer.echo("No model is installed (see `powerforge models list`).")
        for r in results:
            if r.ok:
                typer.secho(f"{r.name}: OK", fg="green")
            else:
                typer.secho(f"{r.name}: " + "; ".join(r.problems), fg="red")
    if any(not r.ok for r in results):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    models_app = subgroup(app, "models")
    models_app.command("list")(models_list)
    models_app.command("pull")(models_pull)
    models_app.command("verify")(models_verify)
