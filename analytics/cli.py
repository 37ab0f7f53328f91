"""`powerforge analytics …`: generated data, the weekly review, memory, the metric catalogue.

`powerforge ask` (a question answered through the chat's `ask` tool) lives in `agent/cli.py`: a domain
package imports no chat code.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import typer

from powerforge.config import get_settings

analytics_app = typer.Typer(help="Analytics: generated data, weekly review, memory, the metric catalogue.")


def register(app: typer.Typer) -> None:
    app.add_typer(analytics_app, name="analytics")


def account_for(user: str | None) -> int:
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
    else:
        accounts = list_accounts()
        if not accounts:
            typer.secho("No users yet: create one with `powerforge user add NAME`.", fg="red", err=True)
            raise typer.Exit(1)
        acc = next((a for a in accounts if a.username == s.admin_user), accounts[0])
    if acc.id is None:  # a stored account always has one
        raise typer.Exit(1)
    return acc.id


def as_of(today: str | None) -> datetime:
    if today:
        return datetime.combine(date.fromisoformat(today), time(12), UTC)
    return datetime.now(UTC)


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

    account_id = account_for(user)
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
    from analytics.service import weekly_review

    account_id = account_for(user)
    rv = weekly_review(account_id, week, now=as_of(today), record=False)  # the chat's review; a look, kept nowhere
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

    account_id = account_for(user)
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
