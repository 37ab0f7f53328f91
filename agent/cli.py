"""`powerforge ask`: a question about your own data answered the way the chat answers it.

`powerforge ask "weekly tonnage for the last 12 weeks" --json` prints the typed query, the data and the
chart path. The fast path answers common phrasings; anything else goes to the configured model with
the `ask` tool forced (the same path the chat uses), and a clear message when no model answers.
It lives with the agent because it runs the agent's tool; `analytics` (a domain) imports no chat code.
"""

from __future__ import annotations

import asyncio
import json

import typer

from analytics.cli import account_for, as_of
from powerforge.config import get_settings


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)


def ask(
    question: str = typer.Argument(..., help="e.g. 'weekly tonnage for the last 12 weeks'"),
    user: str = typer.Option(None, help="Whose data (default: the admin user)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
    today: str = typer.Option(None, help="Answer as if today were this date (YYYY-MM-DD)."),
    thread: str = typer.Option("cli", help="Conversation key: follow-ups refine this thread's last chart."),
) -> None:
    """Answer a question about your own data: a typed query, the numbers, a chart."""
    from agent.tools.analytics import AskArgs, fill_with_model
    from agent.tools.analytics import ask as run_ask
    from agent.tools.base import ToolContext, ToolError
    from analytics import fastpath

    settings = get_settings()
    account_id = account_for(user)
    args: AskArgs | None = None
    how = "code"
    if (q := fastpath.parse_question(question)) is not None:
        args = AskArgs(**q.model_dump(exclude_defaults=True))
    else:
        from agent.tools.analytics import _match_ask

        args = _match_ask(question, [])
        if args is None:
            how = "model"
            try:
                args = asyncio.run(fill_with_model(question, settings))
            except Exception as e:  # the model is optional for the CLI: say why it could not help
                msg = (f"I couldn't read that question by pattern, and the model at {settings.llm_base_url} "
                       f"is unavailable ({type(e).__name__}).")  # fmt: skip
                _fail(msg, as_json)
    ctx = ToolContext(account_id=account_id, settings=settings, thread_id=thread, text=question, now=as_of(today))
    try:
        out = run_ask(ctx, args)
    except ToolError as e:
        _fail(str(e), as_json)
    payload = {"question": question, "parsed_by": how, "ok": out.ok, **out.data, "caption": out.summary}
    payload.setdefault("chart", out.images[0] if out.images else None)
    if as_json:
        typer.echo(json.dumps(payload, indent=2, default=str, ensure_ascii=False))
        return
    typer.echo(out.markdown or out.summary)
    if out.images:
        typer.echo(f"\nChart: {out.images[0]}")


def _fail(message: str, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"ok": False, "error": message}, indent=2))
    else:
        typer.secho(message, fg="red", err=True)
    raise typer.Exit(1)
