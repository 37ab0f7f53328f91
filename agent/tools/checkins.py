"""Check-in tools: set, list, move and cancel scheduled coach messages; answer the readiness question.

Nothing is saved without a confirmation: `checkin_create` and `checkin_update` parse the request in
code and show "Daily at 20:00 Europe/London, next: Tue 25 Nov 20:00 — Save?" with buttons; the Save
button runs `checkin_save` with the exact specs shown. "At 8" gets am/pm buttons instead of a guess.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from checkins import scheduler, service
from checkins.content import READINESS_LABELS
from checkins.parse import AmbiguousTime, parse_change, parse_request
from checkins.schedule import CheckinError, CheckinSpec, format_local, zone
from storage import checkins as repo

OPEN_QUESTION_H = 18  # a bare "4" answers a readiness question sent within this many hours


def _now(ctx: ToolContext) -> datetime:
    return (ctx.now or datetime.now(UTC)).astimezone(UTC)


def _tz(ctx: ToolContext) -> str:
    try:
        return service.account_timezone(ctx.account_id, ctx.engine)
    except CheckinError as e:
        raise ToolError(f"{e} Set yours with 'my timezone is Europe/London'.") from e


def _ampm_buttons(tool_name: str, args: dict[str, Any], e: AmbiguousTime) -> list[Action]:
    return [
        Action(label=f"{e.hour}:{e.minute:02d} {ap}", tool=tool_name, args={**args, "ampm": ap}) for ap in ("am", "pm")
    ]


def _line(spec: CheckinSpec, now: datetime) -> str:
    notes = f" _({' '.join(spec.notes)})_" if spec.notes else ""
    return f"**{spec.label}** — {service.describe(spec, now)}{notes}"


# --------------------------------------------------------------------------- signals for the fast paths
_WHEN = (
    r"(?:\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b|\bat\s+\d{1,2}\b|\bin\s+(?:\d+|an?|one|"
    r"half\s+an?)\s*(?:sec|min|hour|hr|day)|\bnoon\b|\bmidnight\b|\bevery\b|\beach\s+(?:day|morning|evening|night|week)"
    r"|\bdaily\b|\bweekly\b|\bnightly\b|\btomorrow\b|\btonight\b|\bmornings?\b|\bevenings?\b|\bweekdays?\b"
    r"|\bweekends?\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b)"
)
_WHEN_RE = re.compile(_WHEN, re.I)
# "reminder" with the typos people make typing fast ("remider", "remnder"); "check in" with a space
_KIND_WORDS = (
    r"(?:readiness|review|check[- ]?ins?|meal\s+check|missing\s+meals|workout\s+reminder|re?m[a-z]{1,4}de?rs?)"
)
_CREATE_RE = re.compile(
    r"\bremind(?:er)?\s+me\s+(?:to|about|that|at|in|every|each|tomorrow|tonight|on|daily|how)\b"
    r"|\bset\s+(?:up\s+)?(?:a\s+|me\s+a\s+)?(?:daily\s+|weekly\s+)?reminder\b"
    rf"|\b(?:turn|switch)\s+on\b.*\b{_KIND_WORDS}"
    rf"|\b(?:enable|start|add|set\s+up|schedule)\b.*\b{_KIND_WORDS}"
    rf"|^\W*(?:please\s+)?(?:do|run|have|send|give me)\s+(?:my|the|a)\s+(?:weekly\s+)?{_KIND_WORDS}\b.*"
    r"\b(?:every|each|on\s+\w+days?|daily|weekdays|at\s+\d)",
    re.I,
)
_SEND_ME_RE = re.compile(r"\b(?:send|ask|tell|ping|nudge|check\s+in\s+with)\s+me\b", re.I)
_LIST_RE = re.compile(
    r"\b(?:what|which|list|show|see|view|any|when'?s|when\s+is|when\s+are)\b.{0,30}\b(?:reminders?|check[- ]?ins?|"
    r"scheduled\s+messages)\b"
    r"|^\s*(?:my\s+)?(?:reminders|check-?ins)\s*\??\s*$",
    re.I,
)
_CANCEL_VERB = r"\b(?:cancel|stop|delete|remove|turn\s+off|disable|switch\s+off|get\s+rid\s+of|drop)\b"
_CANCEL_RE = re.compile(rf"{_CANCEL_VERB}.{{0,40}}\b{_KIND_WORDS}\b", re.I)  # names a check-in
# "cancel it": the pronoun means a check-in only right after one was set or changed (see checkin_cancel_it).
_CANCEL_IT_RE = re.compile(
    r"^\s*(?:please\s+)?(?:cancel|stop|turn\s+off|delete|remove)\s+(?:it|that|this)(?:\s+one)?\s*(?:please)?[.!]?\s*$",
    re.I,
)
_UPDATE_VERB = r"\b(?:move|moving|reschedule|shift|push|change|switch|make|set)\b"
_UPDATE_NAMED = re.compile(rf"{_UPDATE_VERB}.{{0,40}}\b{_KIND_WORDS}\b", re.I)
_UPDATE_POINTED = re.compile(rf"{_UPDATE_VERB}.{{0,40}}\b(?:the\s+[\w-]+\s+one|it|that)\b", re.I)
_UPDATE_WHEN = re.compile(_WHEN + r"|\bto\s+\d{1,2}\b(?!\s*(?:kg|lb|reps?|sets?|x|%|g\b))", re.I)
# A time of day (not only days): "move it to monday" may be a training day, "move it to 8:30" is a check-in.
_TIME_OF_DAY = re.compile(
    r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b|\bnoon\b|\bmidnight\b"
    r"|\bin\s+\d+\s*(?:sec|min|hour|hr)|\bto\s+\d{1,2}\s*$",
    re.I,
)
RECENT_CHANGE = timedelta(minutes=15)  # "cancel it" this soon after a check-in change means that check-in
_READINESS_RE = re.compile(
    r"^\s*(?P<a>[1-5])\s*(?:/\s*5|out\s+of\s+5)?\s*[.!]?\s*$"
    r"|\breadiness\s*(?:is|was|:|=|of|today)?\s*(?:a\s+)?(?P<b>[1-5])\b(?!\s*[:.]\d)"
    r"|\b(?:slept|sleep|feel|feeling|felt)\b.{0,20}?\b(?P<c>[1-5])\s*(?:/\s*5|out\s+of\s+5)",
    re.I,
)


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


def _find(ctx: ToolContext, words: str) -> Any:
    try:
        return service.find(ctx.account_id, words, ctx.engine)
    except CheckinError as e:
        raise ToolError(str(e)) from e


@tool(
    name="checkin_update",
    outranks=("food_day",),  # "make the food log reminder 8pm" changes a reminder
    description=UpdateArgs.__doc__ or "",
    args=UpdateArgs,
    domain="checkins",
    examples=["move the dinner one to 8:30", "change my readiness check to 6:30am"],
    match=_match_update,
)
def checkin_update(ctx: ToolContext, args: UpdateArgs) -> ToolOutput:
    now = _now(ctx)
    row = _find(ctx, args.request)
    current = service.spec_of(row)
    try:
        new = parse_change(args.request, current, now, ampm=args.ampm)
        service.check_future(new, now)
    except AmbiguousTime as e:
        return ToolOutput(
            summary="Asked am or pm.", markdown=str(e),
            actions=_ampm_buttons("checkin_update", {"request": args.request}, e), final=True,
        )  # fmt: skip
    except CheckinError as e:
        raise ToolError(str(e)) from e
    token = uuid.uuid4().hex
    before = f"{current.recurrence.describe()}"
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
    return _cancel(ctx, _find(ctx, args.request))


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
    now = _now(ctx)
    latest = repo.latest_changed(ctx.account_id, ctx.engine)
    if latest is not None and latest.active and now - latest.updated_at <= RECENT_CHANGE:
        return _cancel(ctx, latest)
    from agent.router import route_by_code
    from agent.tools.base import load_tools

    others = {name: t for name, t in load_tools().items() if t.domain != "checkins"}
    found = route_by_code(args.request, ctx.attachments, others)
    if found is not None and found.args is not None and found.tool in others:
        other = others[found.tool]
        return other.run(ctx, other.args_model.model_validate(found.args))
    raise ToolError("Cancel what? Name it, e.g. 'cancel the dinner reminder' (ask 'what reminders do I have?').")


def _cancel(ctx: ToolContext, row: Any) -> ToolOutput:
    now = _now(ctx)
    try:
        service.cancel(ctx.account_id, row.id, now=now, engine=ctx.engine)
    except CheckinError as e:
        raise ToolError(str(e)) from e
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
        raise ToolError(str(e)) from e
    scheduler.notify_changed()
    text = f"Back on: **{service.label_of(row)}** — {service.describe(service.spec_of(row), now)}."
    return ToolOutput(summary=text.replace("**", ""), markdown=text, data={"restored": row.id}, final=True)


# --------------------------------------------------------------------------- readiness
class ReadinessArgs(BaseModel):
    """Store today's readiness, 1 (wrecked) to 5 (great): the answer to the readiness question."""

    score: int = Field(ge=1, le=5)
    outbox_id: str | None = Field(default=None, description="The question answered (set by its buttons).")
    bare: bool = Field(default=False, description="The message was only a number.")


def _match_readiness(text: str, _a: list[Attachment]) -> ReadinessArgs | None:
    m = _READINESS_RE.search(text)
    if m is None:
        return None
    return ReadinessArgs(score=int(m.group("a") or m.group("b") or m.group("c")), bare=m.group("a") is not None)


@tool(
    name="checkin_readiness",
    description=ReadinessArgs.__doc__ or "",
    args=ReadinessArgs,
    domain="checkins",
    examples=["4", "readiness 3", "slept badly, 2/5"],
    match=_match_readiness,
    kind="write",
)
def checkin_readiness(ctx: ToolContext, args: ReadinessArgs) -> ToolOutput:
    now, tz = _now(ctx), _tz(ctx)
    outbox_id = args.outbox_id
    question = None
    if outbox_id is not None:
        question = repo.get_message(ctx.account_id, outbox_id, ctx.engine)
        if question is None:
            raise ToolError("That readiness question isn't yours or no longer exists.")
    else:
        question = repo.last_readiness_question(ctx.account_id, now - timedelta(hours=OPEN_QUESTION_H), ctx.engine)
        if question is None and args.bare:
            raise ToolError(
                f"If {args.score} is how ready you feel today, say 'readiness {args.score}' and I'll store it."
            )
        outbox_id = question.id if question is not None else None
    day = (question.scheduled_for if question is not None else now).astimezone(zone(tz)).date()
    repo.save_readiness(
        ctx.account_id, day, args.score, outbox_id=outbox_id, source="button" if args.outbox_id else "chat",
        now=now, engine=ctx.engine,
    )  # fmt: skip
    advice = {
        1: "Take it easy: a light session, technique or rest.",
        2: "Consider trimming volume or load today.",
        3: "Train as planned, listen to your body.",
        4: "Good to go — train as planned.",
        5: "Great day to push a little.",
    }[args.score]
    text = f"Readiness **{args.score}/5** ({READINESS_LABELS[args.score]}) saved for {day:%a %-d %b}. {advice}"
    return ToolOutput(
        summary=text.replace("**", ""),
        markdown=text,
        data={"score": args.score, "day": day.isoformat(), "outbox_id": outbox_id},
        final=True,
    )
