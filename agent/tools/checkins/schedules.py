"""Set up a check-in (a confirmation first), save or discard it, list them."""

from __future__ import annotations

import re
import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolOutput, tool
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
    _problem,
)
from checkins import scheduler, service
from checkins.schedule import CheckinError, format_local


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
    if re.search(r"^\W*(?:should|shall|would|is\s+it|do\s+i\s+need)\b", text, re.I):
        return None  # "should I set a reminder for dinner?" asks for advice
    if _CREATE_RE.search(text) or (_SEND_ME_RE.search(text) and _WHEN_RE.search(text)):
        return CreateArgs(request=text)
    return None


@tool(
    name="checkin_create",
    # "send me X every Sunday" schedules; "I want a reminder to weigh in every day" is not a weight chart,
    # "I need a reminder at 10 to log food" logs no food
    outranks=("train_today", "weekly_review", "checkin_update", "ask", "log_food"),
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
    now = _now(ctx)
    try:
        proposal = service.propose(ctx.account_id, args.request, now=now, ampm=args.ampm, engine=ctx.engine)
    except CheckinError as e:
        raise _problem(e) from e
    tz, specs, ask = proposal.tz, proposal.specs, proposal.ask_ampm
    if ask is not None:
        return ToolOutput(
            summary=f"Asked whether {ask.hour}:{ask.minute:02d} means morning or evening.",
            markdown=f"{ask} (times are in {tz})",
            actions=_ampm_buttons("checkin_create", {"request": args.request}, ask),
            data={"question": "ampm", "hour": ask.hour, "minute": ask.minute},
            final=True,
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
        saved = service.confirm(
            ctx.account_id, args.items, token=args.token, replace_id=args.replace_id, now=now, engine=ctx.engine
        )
    except CheckinError as e:
        raise _problem(e) from e
    rows, created = saved.rows, saved.created
    scheduler.notify_changed()
    lines = [f"#{r.id} **{service.label_of(r)}** — {service.describe(service.spec_of(r), now)}" for r in rows]
    verb = "Moved" if saved.moved else ("Saved" if created else "Already saved")
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


def _table(items: list[service.ScheduleItem]) -> tuple[str, list[dict[str, Any]]]:
    out, data = ["| # | Check-in | When | Next |", "|---|---|---|---|"], []
    for i in items:
        nxt = i.next_run
        out.append(f"| {i.id} | {i.label} | {i.when} | {format_local(nxt, i.timezone) if nxt else '—'} |")
        data.append(
            {"id": i.id, "kind": i.kind, "text": i.text, "when": i.when, "next": nxt.isoformat() if nxt else None}
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
    found = service.overview(ctx.account_id, now=_now(ctx), engine=ctx.engine)
    table, data = _table(found.items)
    unread = found.unread
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
