"""`powerforge checkin list|add|cancel|outbox`: the chat's check-in operations for scripts and tests.

The CLI saves straight away (the command line is the confirmation); `--dry-run` only shows what would
be saved. A running app picks the change up at its next reconcile (within 30 s).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NoReturn

import typer

from checkins import service
from checkins.parse import AmPm
from checkins.schedule import CheckinError, format_local

checkin_app = typer.Typer(
    help="Scheduled check-ins: reminders, readiness questions, weekly reviews.", no_args_is_help=True
)

USER_OPT = typer.Option(None, "--user", "-u", help="Username (default: the admin user).")
JSON_OPT = typer.Option(False, "--json", help="Print one JSON document.")


def register(app: typer.Typer) -> None:
    app.add_typer(checkin_app, name="checkin")


def _account(user: str | None) -> Any:
    from powerforge.config import get_settings
    from storage.accounts import get_account_by_name
    from storage.migrate import upgrade

    s = get_settings()
    s.ensure_dirs()
    upgrade(s.db_url)
    name = user or s.admin_user
    account = get_account_by_name(name)
    if account is None:
        _fail(f"No user called '{name}'. Create one with `powerforge user add {name}`.")
    return account


def _fail(message: str, code: int = 1) -> NoReturn:
    from powerforge.cli_contract import fail  # the shared --json contract

    fail(message, code)


def _row_json(item: service.ScheduleItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "text": item.text,
        "label": item.label,
        "when": item.when,
        "rule": item.rule,
        "timezone": item.timezone,
        "active": item.active,
        "next_run": item.next_run.isoformat() if item.next_run else None,
    }


@checkin_app.command("list")
def list_cmd(
    user: str = USER_OPT,
    json: bool = JSON_OPT,
    all_: bool = typer.Option(False, "--all", help="Include cancelled and finished ones."),
) -> None:
    """Show a person's check-ins and their next run."""
    from powerforge.cli_contract import emit_json

    account = _account(user)
    found = service.overview(account.id, now=datetime.now(UTC), include_inactive=all_)
    if json:
        emit_json({"user": account.username, "checkins": [_row_json(i) for i in found.items], "unread": found.unread})
        return
    if not found.items:
        typer.echo("No check-ins.")
    for i in found.items:
        nxt = format_local(i.next_run, i.timezone) if i.next_run else "—"
        state = "" if i.active else " (off)"
        typer.echo(f"#{i.id:<4} {i.label:<32} {i.when:<40} next: {nxt}{state}")


@checkin_app.command("add")
def add_cmd(
    request: str = typer.Argument(..., help='e.g. "remind me to log dinner at 8pm every day"'),
    user: str = USER_OPT,
    ampm: str = typer.Option(None, "--ampm", help="am or pm, when the time alone is ambiguous."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be saved; save nothing."),
    json: bool = JSON_OPT,
) -> None:
    """Add check-ins from plain English (the same parser and limits as the chat)."""
    from powerforge.cli_contract import emit_json

    account = _account(user)
    now = datetime.now(UTC)
    half: AmPm | None = "am" if ampm == "am" else "pm" if ampm == "pm" else None
    if ampm is not None and half is None:
        _fail("--ampm is am or pm.", 2)
    try:
        proposal = service.propose(account.id, request, now=now, ampm=half)
        if proposal.ask_ampm is not None:
            _fail(f"{proposal.ask_ampm} Add --ampm am or --ampm pm.", 2)
        if dry_run:
            rows_out: list[dict[str, Any]] = [
                {"label": s.label, "when": service.describe(s, now), **s.to_args()} for s in proposal.specs
            ]
        else:
            rows, _ = service.save(account.id, proposal.specs, now=now)
            rows_out = [_row_json(service.item_of(r, now)) for r in rows]
    except CheckinError as e:
        _fail(str(e))
    if json:
        emit_json({"saved": not dry_run, "checkins": rows_out})
        return
    for r in rows_out:
        prefix = "Would save" if dry_run else f"Saved #{r['id']}"
        typer.echo(f"{prefix}: {r['label']} — {r['when']}")


@checkin_app.command("cancel")
def cancel_cmd(schedule_id: int, user: str = USER_OPT, json: bool = JSON_OPT) -> None:
    """Cancel a check-in by its number (see `powerforge checkin list`)."""
    from powerforge.cli_contract import emit_json

    account = _account(user)
    try:
        row = service.cancel(account.id, schedule_id, now=datetime.now(UTC))
    except CheckinError as e:
        _fail(str(e))
        return
    if json:
        emit_json({"cancelled": row.id, "label": service.label_of(row)})
    else:
        typer.echo(f"Cancelled #{row.id}: {service.label_of(row)}")


@checkin_app.command("outbox")
def outbox_cmd(user: str = USER_OPT, json: bool = JSON_OPT, limit: int = typer.Option(20, min=1, max=500)) -> None:
    """Messages the check-ins produced: pending (waiting for the next visit) or delivered."""
    from powerforge.cli_contract import emit_json

    account = _account(user)
    rows = service.recent_messages(account.id, limit=limit)
    if json:
        items = [
            {"id": r.id, "kind": r.kind, "status": r.status, "scheduled_for": r.scheduled_for.isoformat(),
             "late": r.late, "text": r.text}
            for r in rows
        ]  # fmt: skip
        emit_json({"user": account.username, "messages": items})
        return
    for r in rows:
        first = r.text.splitlines()[0] if r.text else ""
        typer.echo(f"{r.scheduled_for.isoformat()}  {r.status:<9} {r.kind:<14} {first}")
