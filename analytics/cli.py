"""`powerforge ask` and `powerforge analytics …`: questions, generated data, the weekly review, memory.

`powerforge ask "weekly tonnage for the last 12 weeks" --json` prints the typed query, the data and the
chart path. The fast path answers common phrasings; anything else goes to the configured model with
the `ask` tool forced (the same path the chat uses), and a clear message when no model answers.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, time

import typer

from powerforge.config import get_settings

analytics_app = typer.Typer(help="Analytics: generated data, weekly review, memory, the metric catalogue.")


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
    app.add_typer(analytics_app, name="analytics")


def _account(user: str | None) -> int:
    from storage.accounts import get_account_by_name, list_accounts
    from storage.migrate import upgrade

    s = get_settings()
    s.ensure_dirs()
    upgrade(s.db_url)
    if user:
        acc = get_account_by_name(user)
        if acc is None:
            typer.secho(f"No user called '{user}' (create one with `powerforge user add`).", fg="red", err=True)
            raise typer.Exit(1)
        return int(acc.id)  # type: ignore[arg-type]
    accounts = list_accounts()
    if not accounts:
        typer.secho("No users yet: create one with `powerforge user add NAME`.", fg="red", err=True)
        raise typer.Exit(1)
    named = [a for a in accounts if a.username == s.admin_user]
    return int((named or accounts)[0].id)  # type: ignore[arg-type]


def _now(today: str | None) -> datetime:
    if today:
        return datetime.combine(date.fromisoformat(today), time(12), UTC)
    return datetime.now(UTC)


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
    account_id = _account(user)
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
    ctx = ToolContext(account_id=account_id, settings=settings, thread_id=thread, text=question, now=_now(today))
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


@analytics_app.command("generate")
def generate(
    user: str = typer.Option(None, help="Whose account receives the data (default: the admin user)."),
    years: float = typer.Option(1.0, help="Years of history ending today."),
    seed: int = typer.Option(7),
    end: str = typer.Option(None, help="Last day (YYYY-MM-DD, default today)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Fill an account with a realistic generated history (training, food, weight, boxing, notes)."""
    from analytics.generator import Spec
    from analytics.generator import generate as gen
    from analytics.memory import Memory

    account_id = _account(user)
    counts = gen(account_id, Spec(years=years, seed=seed, end=date.fromisoformat(end) if end else None))
    counts["memory"] = Memory(get_settings().data_dir, account_id).sync_sources()["added"]
    if as_json:
        typer.echo(json.dumps(counts, indent=2))
    else:
        typer.echo("Generated: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


@analytics_app.command("review")
def review(
    user: str = typer.Option(None),
    week: str = typer.Option(None, help="'this week' or 'last week'"),
    today: str = typer.Option(None, help="YYYY-MM-DD"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The weekly review (training, food, weight, bar speed, boxing)."""
    from analytics.review import weekly_review
    from storage.analytics import account_timezone

    account_id = _account(user)
    rv = weekly_review(account_id, _now(today).date(), which=week, tz=account_timezone(account_id))
    if as_json:
        payload = {"start": rv.start, "end": rv.end, "sections": rv.sections, "figures": rv.figures}
        typer.echo(json.dumps(payload, indent=2, default=str))
    else:
        typer.echo(rv.markdown())


@analytics_app.command("metrics")
def metrics(as_json: bool = typer.Option(False, "--json")) -> None:
    """The metric catalogue: what can be asked, with units."""
    from analytics.catalogue import METRICS, catalogue_markdown

    if as_json:
        rows = [{"key": m.key, "label": m.label, "unit": m.unit, "domain": m.domain, "description": m.description}
                for m in METRICS.values()]  # fmt: skip
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        typer.echo(catalogue_markdown())


@analytics_app.command("recall")
def recall(
    query: str,
    user: str = typer.Option(None),
    k: int = typer.Option(5),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search your notes by meaning."""
    from analytics.memory import Memory

    account_id = _account(user)
    mem = Memory(get_settings().data_dir, account_id)
    mem.sync_sources()
    hits = mem.search(query, k=k)
    rows = [
        {"day": h.note.day.isoformat(), "kind": h.note.kind, "text": h.note.text, "similarity": round(h.similarity, 3)}
        for h in hits
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for r in rows:
            typer.echo(f"{r['day']}  {r['similarity']:.2f}  {r['text']}")
