"""`powerforge checkin list|add|cancel|outbox`: the chat's check-in operations for scripts and tests.

The CLI saves straight away (the command line is the confirmation); `--dry-run` only shows what would
be saved. A running app picks the change up at its next reconcile (within 30 s).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NoReturn

import typer

from checkins import service
from checkins.parse import AmbiguousTime, parse_request
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


def _row_json(row: Any, now: datetime) -> dict[str, Any]:
    spec = service.spec_of(row)
    nxt = spec.recurrence.next_run(max(now, row.fired_through)) if row.active else None
    return {
        "id": row.id,
        "kind": row.kind,
        "text": row.text,
        "label": service.label_of(row),
        "when": f"{spec.recurrence.describe()} {row.timezone}",
        "rule": row.rule,
        "timezone": row.timezone,
        "active": row.active,
        "next_run": nxt.isoformat() if nxt else None,
    }


@checkin_app.command("list")
def list_cmd(
    user: str = USER_OPT,
    json: bool = JSON_OPT,
    all_: bool = typer.Option(False, "--all", help="Include cancelled and finished ones."),
) -> None:
    """Show a person's check-ins and their next run."""
    from powerforge.cli_contract import emit_json
    from storage import checkins as repo

    account = _account(user)
    now = datetime.now(UTC)
    rows = [_row_json(r, now) for r in repo.list_schedules(account.id, include_inactive=all_)]
    if json:
        emit_json({"user": account.username, "checkins": rows, "unread": repo.unread_count(account.id)})
        return
    if not rows:
        typer.echo("No check-ins.")
    for r in rows:
        nxt = format_local(datetime.fromisoformat(r["next_run"]), r["timezone"]) if r["next_run"] else "—"
        state = "" if r["active"] else " (off)"
        typer.echo(f"#{r['id']:<4} {r['label']:<32} {r['when']:<40} next: {nxt}{state}")


@checkin_app.command("add")
def add_cmd(
    request: str = typer.Argument(..., help='e.g. "remind me to log dinner at 8pm every day"'),
    user: str = USER_OPT,
    ampm: str = typer.Option(None, "--ampm", help="am or pm, when the time alone is ambiguous."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be saved; save nothing."),
    json: bool = JSON_OPT,
) -> None:
    """Add check-ins from plain English (the same parser as the chat)."""
    from powerforge.cli_contract import emit_json

    account = _account(user)
    now = datetime.now(UTC)
    if ampm not in (None, "am", "pm"):
        _fail("--ampm is am or pm.", 2)
    try:
        tz = service.account_timezone(account.id)
        specs = parse_request(request, now, tz, ampm=ampm)  # type: ignore[arg-type]
        if dry_run:
            rows_out: list[dict[str, Any]] = [
                {"label": s.label, "when": service.describe(s, now), **s.to_args()} for s in specs
            ]
        else:
            rows, _ = service.save(account.id, specs, now=now)
            rows_out = [_row_json(r, now) for r in rows]
    except AmbiguousTime as e:
        _fail(f"{e} Add --ampm am or --ampm pm.", 2)
        return
    except CheckinError as e:
        _fail(str(e))
        return
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
    from storage import checkins as repo

    account = _account(user)
    rows = repo.messages(account.id, limit=limit)
    items = [
        {
            "id": r.id,
            "kind": r.kind,
            "status": r.status,
            "scheduled_for": r.scheduled_for.isoformat(),
            "late": r.late,
            "text": r.text,
        }
        for r in rows
    ]
    if json:
        emit_json({"user": account.username, "messages": items})
        return
    for i in items:
        first = i["text"].splitlines()[0]
        typer.echo(f"{i['scheduled_for']}  {i['status']:<9} {i['kind']:<14} {first}")
