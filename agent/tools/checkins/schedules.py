"""Set up a check-in (a confirmation first), save or discard it, list them."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.checkins.common import (
    _CANCEL_IT_RE,
    _CANCEL_RE,
    _CREATE_RE,
    _LIST_RE,
    _SEND_ME_RE,
    _WHEN_RE,
    _ampm_buttons,
    _line,
    _now,
    _tz,
)
from checkins import scheduler, service
from checkins.parse import AmbiguousTime, parse_request
from checkins.schedule import CheckinError, CheckinSpec, format_local
from storage import checkins as repo


# --------------------------------------------------------------------------- create
class CreateArgs(BaseModel):
    """Set up scheduled check-ins from the person's own words: reminders ("remind me to log dinner at 8pm
    every day"), a morning readiness question, today's workout, a missing-meals check, a weekly review."""

    request: str = Field(description="The person's request, word for word, including when.")
    ampm: Literal["am", "pm"] | None = Field(default=None, description="Only when they answered am or pm.")


def _match_create(text: str, _a: list[Attachment]) -> CreateArgs | None:
    if _LIST_RE.search(text) or _CANCEL_RE.search(text) or _CANCEL_IT_RE.search(text):
        return None
    if re.search(r"\b(?:move|reschedule|shift)\b", text, re.I):
        return None
    if _CREATE_RE.search(text) or (_SEND_ME_RE.search(text) and _WHEN_RE.search(text)):
        return CreateArgs(request=text)
    return None


@tool(
    name="checkin_create",
    outranks=("train_today", "weekly_review", "checkin_update"),  # "send me X every Sunday" schedules
    description=CreateArgs.__doc__ or "",
    args=CreateArgs,
    domain="checkins",
    examples=[
        "remind me to log dinner at 8pm every day",
        "send me a weekly review every Sunday at 6pm",
        "ask me how I slept every morning at 7",
        "turn on the morning readiness check and the Sunday review",
    ],
    intents=[r"\bremind me (to|about|at|in|every|each|on)\b", r"\breminders?\b.*\b(every|daily|at)\b"],
    match=_match_create,
)
def checkin_create(ctx: ToolContext, args: CreateArgs) -> ToolOutput:
    now, tz = _now(ctx), _tz(ctx)
    try:
        specs = parse_request(args.request, now, tz, ampm=args.ampm)
    except AmbiguousTime as e:
        return ToolOutput(
            summary=f"Asked whether {e.hour}:{e.minute:02d} means morning or evening.",
            markdown=f"{e} (times are in {tz})",
            actions=_ampm_buttons("checkin_create", {"request": args.request}, e),
            data={"question": "ampm", "hour": e.hour, "minute": e.minute},
            final=True,
        )
    except CheckinError as e:
        raise ToolError(str(e)) from e
    active = repo.count_active(ctx.account_id, ctx.engine)
    if active + len(specs) > service.MAX_ACTIVE:
        raise ToolError(
            f"You have {active} active check-ins and {service.MAX_ACTIVE} is the most I keep. "
            "Cancel one first (ask 'what reminders do I have?')."
        )
    token = uuid.uuid4().hex
    lines = [_line(s, now) for s in specs]
    question = "Save?" if len(specs) == 1 else f"Save all {len(specs)}?"
    body = lines[0] + f" — {question}" if len(lines) == 1 else "\n".join(f"- {x}" for x in lines) + f"\n\n{question}"
    if tz == "UTC" and any(sp.recurrence.tz == "UTC" for sp in specs):
        body += "\n\n_Times are in UTC; say 'my timezone is Europe/London' (your own) to change that._"
    return ToolOutput(
        summary=f"Proposed {len(specs)} check-in(s), not saved yet: " + "; ".join(lines).replace("**", ""),
        markdown=body,
        data={"proposed": [s.to_args() for s in specs], "token": token},
        actions=[
            Action(label="✅ Save", tool="checkin_save", args={"items": [s.to_args() for s in specs], "token": token}),
            Action(label="✖ Don't save", tool="checkin_discard", args={}),
        ],
        final=True,
    )


# --------------------------------------------------------------------------- save / discard
class SaveArgs(BaseModel):
    """Save check-ins the person confirmed with the Save button (never chosen from a chat message)."""

    items: list[dict[str, Any]] = Field(min_length=1, max_length=service.MAX_ACTIVE)
    token: str = Field(min_length=8, max_length=40)
    replace_id: int | None = None


@tool(name="checkin_save", description=SaveArgs.__doc__ or "", args=SaveArgs, domain="checkins", kind="write")
def checkin_save(ctx: ToolContext, args: SaveArgs) -> ToolOutput:
    now = _now(ctx)
    try:
        specs = [CheckinSpec.from_args(item) for item in args.items]
        if args.replace_id is not None:
            rows = [service.change(ctx.account_id, args.replace_id, specs[0], now=now, engine=ctx.engine)]
            created = True
        else:
            rows, created = service.save(ctx.account_id, specs, now=now, token=args.token, engine=ctx.engine)
    except CheckinError as e:
        raise ToolError(str(e)) from e
    scheduler.notify_changed()
    lines = [f"#{r.id} **{service.label_of(r)}** — {service.describe(service.spec_of(r), now)}" for r in rows]
    verb = "Moved" if args.replace_id is not None else ("Saved" if created else "Already saved")
    text = f"{verb}: " + lines[0] if len(lines) == 1 else f"{verb}:\n" + "\n".join(f"- {x}" for x in lines)
    return ToolOutput(
        summary=text.replace("**", ""),
        markdown=text,
        data={"saved": [r.id for r in rows], "created": created},
        final=True,
    )


class DiscardArgs(BaseModel):
    """Drop a proposed check-in (the Don't save button)."""


@tool(name="checkin_discard", description=DiscardArgs.__doc__ or "", args=DiscardArgs, domain="checkins")
def checkin_discard(_ctx: ToolContext, _args: DiscardArgs) -> ToolOutput:
    return ToolOutput(summary="Nothing was saved.", markdown="OK — nothing saved.", final=True)


# --------------------------------------------------------------------------- list
class ListArgs(BaseModel):
    """List the person's active reminders and check-ins with their next run."""


def _table(ctx: ToolContext, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    rows = repo.list_schedules(ctx.account_id, engine=ctx.engine)
    out, data = ["| # | Check-in | When | Next |", "|---|---|---|---|"], []
    for r in rows:
        spec = service.spec_of(r)
        nxt = spec.recurrence.next_run(max(now, r.fired_through))
        when = f"{spec.recurrence.describe()} {r.timezone}"
        out.append(f"| {r.id} | {service.label_of(r)} | {when} | {format_local(nxt, r.timezone) if nxt else '—'} |")
        data.append(
            {"id": r.id, "kind": r.kind, "text": r.text, "when": when, "next": nxt.isoformat() if nxt else None}
        )
    return "\n".join(out), data


@tool(
    name="checkin_list",
    description=ListArgs.__doc__ or "",
    args=ListArgs,
    domain="checkins",
    examples=["what reminders do I have?", "list my check-ins"],
    intents=[r"\b(reminders|check-?ins)\b"],
    match=lambda text, _a: ListArgs() if _LIST_RE.search(text) else None,
)
def checkin_list(ctx: ToolContext, _args: ListArgs) -> ToolOutput:
    now = _now(ctx)
    table, data = _table(ctx, now)
    unread = repo.unread_count(ctx.account_id, ctx.engine)
    if not data:
        text = (
            "You have no check-ins. Try 'remind me to log dinner at 8pm every day' "
            "or 'turn on the morning readiness check'."
        )
        return ToolOutput(summary="No active check-ins.", markdown=text, data={"schedules": []}, final=True)
    extra = f"\n\n{unread} unread check-in message{'s' if unread != 1 else ''} waiting." if unread else ""
    return ToolOutput(
        summary=f"{len(data)} active check-in(s): " + "; ".join(f"#{d['id']} {d['kind']} {d['when']}" for d in data),
        markdown=table + extra + "\n\nSay 'move the dinner one to 8:30' or 'cancel #2' to change one.",
        data={"schedules": data, "unread": unread},
        final=True,
    )
