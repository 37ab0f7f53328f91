"""Move, cancel ("cancel it" hands on words that are not ours) and restore check-ins."""

from __future__ import annotations

import re
import uuid
from typing import Literal

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.checkins.common import (
    _CANCEL_IT_RE,
    _CANCEL_RE,
    _TIME_OF_DAY,
    _UPDATE_NAMED,
    _UPDATE_POINTED,
    _UPDATE_WHEN,
    _ampm_buttons,
    _now,
    _problem,
)
from checkins import scheduler, service
from checkins.schedule import CheckinError


# --------------------------------------------------------------------------- update
class UpdateArgs(BaseModel):
    """Move or change an existing check-in ("move the dinner one to 8:30", "make the review Saturdays")."""

    request: str = Field(description="The person's words, naming the check-in and the new time or days.")
    ampm: Literal["am", "pm"] | None = None


def _match_update(text: str, _a: list[Attachment]) -> UpdateArgs | None:
    """A check-in named ("the dinner reminder", "my readiness check") with a new time or days, or one
    pointed at ("it", "the dinner one") with a new time of day."""
    if _CANCEL_RE.search(text) or re.search(r"\bremind me\b", text, re.I):
        return None
    if _UPDATE_NAMED.search(text) and _UPDATE_WHEN.search(text):
        return UpdateArgs(request=text)
    if _UPDATE_POINTED.search(text) and _TIME_OF_DAY.search(text):
        return UpdateArgs(request=text)
    return None


@tool(
    name="checkin_update",
    # "set the water reminder to 7pm" changes a reminder; "put the weekly review on saturdays" moves the review
    outranks=("food_day", "weekly_review"),
    description=UpdateArgs.__doc__ or "",
    args=UpdateArgs,
    domain="checkins",
    examples=["move the dinner one to 8:30", "change my readiness check to 6:30am"],
    match=_match_update,
)
def checkin_update(ctx: ToolContext, args: UpdateArgs) -> ToolOutput:
    now = _now(ctx)
    try:
        found = service.propose_change(ctx.account_id, args.request, now=now, ampm=args.ampm, engine=ctx.engine)
    except CheckinError as e:
        raise _problem(e) from e
    if found.ask_ampm is not None:
        return ToolOutput(
            summary="Asked am or pm.", markdown=str(found.ask_ampm),
            actions=_ampm_buttons("checkin_update", {"request": args.request}, found.ask_ampm), final=True,
        )  # fmt: skip
    row, new = found.row, found.new
    assert new is not None  # no question asked: the change was read
    token = uuid.uuid4().hex
    before = f"{found.current.recurrence.describe()}"
    text = f"Move **{service.label_of(row)}** from {before} to {service.describe(new, now)} — Save?"
    return ToolOutput(
        summary=text.replace("**", "") + " (not saved yet)",
        markdown=text,
        data={"schedule_id": row.id, "proposed": new.to_args()},
        actions=[
            Action(
                label="✅ Save",
                tool="checkin_save",
                args={"items": [new.to_args()], "token": token, "replace_id": row.id},
            ),
            Action(label="✖ Keep as is", tool="checkin_discard", args={}),
        ],
        final=True,
    )


# --------------------------------------------------------------------------- cancel / restore
class CancelArgs(BaseModel):
    """Cancel a check-in ("cancel the dinner reminder", "stop the Sunday review", "cancel it")."""

    request: str = Field(description="The person's words naming the check-in ('it' = the one changed last).")


@tool(
    name="checkin_cancel",
    description=CancelArgs.__doc__ or "",
    args=CancelArgs,
    domain="checkins",
    examples=["cancel the dinner reminder", "stop the Sunday review", "turn off the readiness check"],
    match=lambda text, _a: CancelArgs(request=text) if _CANCEL_RE.search(text) else None,
    kind="write",
)
def checkin_cancel(ctx: ToolContext, args: CancelArgs) -> ToolOutput:
    try:
        row = service.cancel_named(ctx.account_id, args.request, now=_now(ctx), engine=ctx.engine)
    except CheckinError as e:
        raise _problem(e) from e
    return _cancelled(row)


class CancelItArgs(BaseModel):
    """ "Cancel it" right after a check-in was set or changed; otherwise the words go to the domain that
    claims them (a program draft, a running analysis)."""

    request: str


@tool(
    name="checkin_cancel_it",
    description=CancelItArgs.__doc__ or "",
    args=CancelItArgs,
    domain="checkins",
    examples=["cancel it"],
    match=lambda text, _a: CancelItArgs(request=text) if _CANCEL_IT_RE.search(text) else None,
    kind="write",
)
def checkin_cancel_it(ctx: ToolContext, args: CancelItArgs) -> ToolOutput:
    try:
        row = service.cancel_recent(ctx.account_id, now=_now(ctx), engine=ctx.engine)
    except CheckinError as e:
        raise _problem(e) from e
    if row is not None:
        return _cancelled(row)
    from agent.router import route_by_code
    from agent.tools.base import load_tools

    others = {name: t for name, t in load_tools().items() if t.domain != "checkins"}
    found = route_by_code(args.request, ctx.attachments, others)
    if found is not None and found.args is not None and found.tool in others:
        other = others[found.tool]
        return other.run(ctx, other.args_model.model_validate(found.args))
    raise ToolError("Cancel what? Name it, e.g. 'cancel the dinner reminder' (ask 'what reminders do I have?').")


def _cancelled(row: service.Schedule) -> ToolOutput:
    scheduler.notify_changed()
    text = f"Cancelled **{service.label_of(row)}** ({service.spec_of(row).recurrence.describe()} {row.timezone})."
    return ToolOutput(
        summary=text.replace("**", ""),
        markdown=text,
        data={"cancelled": row.id},
        actions=[Action(label="↩ Undo", tool="checkin_restore", args={"schedule_id": row.id})],
        final=True,
    )


class RestoreArgs(BaseModel):
    """Turn a cancelled check-in back on (the Undo button)."""

    schedule_id: int


@tool(name="checkin_restore", description=RestoreArgs.__doc__ or "", args=RestoreArgs, domain="checkins", kind="write")
def checkin_restore(ctx: ToolContext, args: RestoreArgs) -> ToolOutput:
    now = _now(ctx)
    try:
        row = service.restore(ctx.account_id, args.schedule_id, now=now, engine=ctx.engine)
    except CheckinError as e:
        raise _problem(e) from e
    scheduler.notify_changed()
    text = f"Back on: **{service.label_of(row)}** — {service.describe(service.spec_of(row), now)}."
    return ToolOutput(summary=text.replace("**", ""), markdown=text, data={"restored": row.id}, final=True)
