"""Core subcommands: `serve`, `user`, `db`, `chat`."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import typer

from powerforge.cli_contract import fail
from powerforge.config import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
user_app = typer.Typer(help="Manage the people who can sign in.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.add_typer(db_app, name="db")
    app.command("serve")(serve)
    app.command("chat")(chat)


# --------------------------------------------------------------------------- db
@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (the app also does this on start)."""
    from storage.migrate import upgrade

    s = get_settings()
    s.ensure_dirs()
    upgrade(s.db_url)
    typer.echo(f"Database is up to date: {_safe_url(s.db_url)}")


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


# --------------------------------------------------------------------------- users
@user_app.command("add")
def user_add(
    username: str,
    password: str = typer.Option(None, help="Omit to be asked (hidden input)."),
    admin: bool = typer.Option(False, "--admin", help="Give admin rights."),
) -> None:
    """Create a user who can sign in."""
    from storage.accounts import AccountError, create_account
    from storage.migrate import upgrade

    s = get_settings()
    s.ensure_dirs()
    upgrade(s.db_url)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        create_account(username, password, is_admin=admin)
    except AccountError as e:
        typer.secho(str(e), fg="red", err=True)
        raise typer.Exit(1) from e
    typer.echo(f"User '{username}' created{' (admin)' if admin else ''}.")


@user_app.command("passwd")
def user_passwd(username: str, password: str = typer.Option(None, help="Omit to be asked.")) -> None:
    """Set a user's password."""
    from storage.accounts import AccountError, set_password

    if password is None:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        set_password(username, password)
    except AccountError as e:
        typer.secho(str(e), fg="red", err=True)
        raise typer.Exit(1) from e
    typer.echo(f"Password of '{username}' changed.")


@user_app.command("list")
def user_list() -> None:
    """List users."""
    from storage.accounts import list_accounts
    from storage.migrate import upgrade

    upgrade(get_settings().db_url)
    for a in list_accounts():
        typer.echo(f"{a.id:>4}  {a.username:<24} {'admin' if a.is_admin else 'user'}")


def ensure_admin(settings: Settings) -> tuple[str, str] | None:
    """On first run create the admin user; returns (name, password) when one was just created."""
    from storage.accounts import create_account, list_accounts

    if list_accounts():
        return None
    password = os.environ.get("POWERFORGE_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    create_account(settings.admin_user, password, is_admin=True, display_name="Admin")
    note = settings.data_dir / "FIRST_LOGIN.txt"
    note.write_text(
        f"Power Forge first login\nuser: {settings.admin_user}\npassword: {password}\n"
        "Change it with: powerforge user passwd " + settings.admin_user + "\n"
    )
    note.chmod(0o600)
    return settings.admin_user, password


# --------------------------------------------------------------------------- serve
def serve(
    host: str = typer.Option(None, help="Bind address (default from HOST, 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default from PORT, 8000)."),
    no_llm: bool = typer.Option(False, "--no-llm", help="Don't start the embedded LLM server."),
    cluster: bool = typer.Option(
        False, "--cluster", help="PostgreSQL, Redis, Celery workers, two app processes behind nginx (docs/deploy.md)."
    ),
    workers: int = typer.Option(2, help="With --cluster: how many Celery workers for video jobs."),
    apps: int = typer.Option(2, help="With --cluster: how many Chainlit app processes behind nginx."),
) -> None:
    """Start the embedded LLM server (unless LLM_EMBEDDED=false) and the chat app."""
    from storage.migrate import upgrade

    s = get_settings()
    s.ensure_dirs()
    host, port = host or s.host, port or s.port
    if cluster:
        from powerforge.cluster.stack import run

        code = run(s, host=host, port=port, workers=workers, apps=apps, with_llm=not no_llm, on_ready=typer.echo)
        raise typer.Exit(code)
    upgrade(s.db_url)
    created = ensure_admin(s)

    llm = None
    if s.llm_embedded and not no_llm and not _llm_env_ready(s):
        llm = _install_embedded_llm(s)  # the app comes up now; the model follows when installed
    elif s.llm_embedded and not no_llm:
        llm = _start_embedded_llm(s)
        if llm is not None:  # restarted with backoff if it dies; chat turns wait for it meanwhile
            from models.llm_server import Supervisor

            llm = Supervisor(llm).start()
    else:
        typer.echo(f"Using the LLM server at {s.llm_base_url} (model {s.llm_model}).")

    env = {**os.environ, "CHAINLIT_AUTH_SECRET": s.resolved_auth_secret(), "PYTHONUNBUFFERED": "1"}
    cmd = [
        sys.executable,
        "-m",
        "chainlit",
        "run",
        str(ROOT / "app.py"),
        "--headless",
        "--host",
        host,
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    typer.secho(f"\nPower Forge is starting on http://{host}:{port}", fg="green", bold=True)
    if created:
        typer.secho(f"First run: sign in as '{created[0]}' with password '{created[1]}'", fg="yellow", bold=True)
        typer.echo(f"(also saved in {s.data_dir / 'FIRST_LOGIN.txt'}; add people with `powerforge user add NAME`)")
    else:
        typer.echo("Sign in with your user (add one with `powerforge user add NAME`).")

    def _stop(*_a: Any) -> None:
        proc.terminate()

    signal.signal(signal.SIGTERM, _stop)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        code = proc.wait()
    finally:
        if llm is not None:
            llm.stop()
    raise typer.Exit(code)


def _llm_env_ready(s: Settings) -> bool:
    """Whether the embedded server can start now: its environment is built and its model installed."""
    from models.llm_server import server_env_ready

    return server_env_ready(s) and _model_installed(s)


def _model_installed(s: Settings) -> bool:
    from models.manifest import ModelMissing, model_path

    try:
        model_path(s.llm_embedded_model, s)
    except ModelMissing:
        return False
    return True


def _install_embedded_llm(s: Settings) -> Any:
    """Install the embedded server's environment and model in the background (a fresh clone: compiling
    llama.cpp takes minutes), then start and supervise it; the chat says it is being installed meanwhile."""
    from models.llm_server import (
        MODEL_PULL_ETA_S,
        EmbeddedServer,
        Supervisor,
        install_eta_s,
        server_env_ready,
        server_python,
    )
    from models.llm_server import ROOT as LLM_ROOT

    env_dir = server_python(s).parent.parent
    if not server_env_ready(s) and env_dir.resolve() != (LLM_ROOT / "llm_server" / ".venv").resolve():  # not ours
        typer.secho(f"The embedded LLM server's environment {env_dir} has no llama-cpp-python; install it "
                    "there (LLM_SERVER_ENV) or set LLM_EMBEDDED=false.", fg="red")  # fmt: skip
        return None
    uv = os.environ.get("UV") or shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    powerforge = str(Path(sys.executable).with_name("powerforge"))
    # sh: the environment (a no-op when built), then the model (a no-op when installed), one log for both
    script = 'set -e; "$1" sync --frozen --project "$2"; "$3" models pull "$4"'
    cmd = ["/bin/sh", "-c", script, "sh", uv, str(LLM_ROOT / "llm_server"), powerforge, s.llm_embedded_model]
    env = {**os.environ, "CMAKE_ARGS": os.environ.get("CMAKE_ARGS", "-DGGML_NATIVE=OFF")}
    env.pop("VIRTUAL_ENV", None)  # `uv run` sets it to the app's environment; this one is llm_server's own
    eta = (0.0 if server_env_ready(s) else install_eta_s()) + (0.0 if _model_installed(s) else MODEL_PULL_ETA_S)
    log_path = s.data_dir / "logs" / "llm-env-install.log"
    typer.secho(f"Installing the embedded model server in the background (about {max(1, round(eta / 60))} min; log "
                f"{log_path}); the app starts now and the chat says when the model is ready.", fg="yellow")  # fmt: skip
    return Supervisor(EmbeddedServer(s)).install_then_start(cmd, eta_s=eta, log_path=log_path, env=env)


def _start_embedded_llm(s: Settings) -> Any:
    """Start the embedded llama.cpp server; on any problem explain it and carry on without the model."""
    try:
        from models.llm_server import EmbeddedServer
    except ImportError as e:  # pragma: no cover - only on a broken checkout
        typer.secho(f"Embedded LLM support is missing ({e}); chat works for plain commands only.", fg="red")
        return None
    server = EmbeddedServer(s)
    try:
        server.start()
        typer.echo(f"Starting the embedded model {s.llm_embedded_model} on {s.llm_base_url} …")
        server.wait_ready()
    except Exception as e:
        typer.secho(f"The embedded LLM server did not start: {e}", fg="red")
        typer.echo("The app runs anyway; plain commands (logging, conversions) work without the model.")
        server.stop()
        return None
    typer.echo("Embedded model ready.")
    return server


# --------------------------------------------------------------------------- chat
def chat(
    message: str,
    user: str = typer.Option(None, help="Username (default: the first user)."),
    thread: str = typer.Option("cli", help="Conversation id; reuse it to continue a conversation."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """One turn through the same agent graph the web app uses."""
    from agent.runner import Coach
    from powerforge.cli_contract import emit_json
    from storage.accounts import get_account_by_name, list_accounts
    from storage.migrate import upgrade

    s = get_settings()
    s.ensure_dirs()
    upgrade(s.db_url)
    account = get_account_by_name(user) if user else next(iter(list_accounts()), None)
    if account is None:
        fail("No such user; create one with `powerforge user add NAME`.")

    async def _run() -> Any:
        async with Coach.open(s) as coach:
            # Waits on the model ("2 messages ahead of you", "the model is restarting") go to stderr.
            status = lambda line: line and typer.echo(line, err=True)  # noqa: E731
            return await coach.turn(account_id=account.id, thread_id=thread, text=message, on_status=status)

    result = asyncio.run(_run())
    if as_json:
        emit_json(
            {
                "route": result.route,
                "routed_by": result.routed_by,
                "reply": result.reply,
                "llm_error": result.llm_error,
                "outputs": [o.model_dump() for o in result.outputs],
                "text": result.text,
            }
        )
    else:
        typer.echo(result.text)
