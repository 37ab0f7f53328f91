"""Helpers shared by the check-in tools: clock, timezone, am/pm buttons and the signals the fast paths read."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from agent.tools.base import Action, ToolContext, ToolError
from checkins import service
from checkins.parse import AmbiguousTime
from checkins.schedule import CheckinError, CheckinSpec


def _now(ctx: ToolContext) -> datetime:
    return (ctx.now or datetime.now(UTC)).astimezone(UTC)


def _problem(e: CheckinError) -> ToolError:
    """The service's refusal as the message the person reads (a timezone problem says how to fix it)."""
    if isinstance(e, service.TimezoneProblem):
        return ToolError(f"{e} Set yours with 'my timezone is Europe/London'.")
    return ToolError(str(e))


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
    r"\bremind(?:er)?\s+me\s+(?:to|about|that|at|in|every|each|tomorrow|tmrw|tmr|tonight|tonite|on|daily|how|"
    r"next|this|later|before|after|(?:mon|tues|wednes|thurs|fri|satur|sun)days?)\b"
    r"|\bset\s+(?:up\s+)?(?:a\s+|me\s+a\s+)?(?:daily\s+|weekly\s+)?reminder\b"
    rf"|\b(?:turn|switch)\s+on\b.*\b{_KIND_WORDS}"
    rf"|\b(?:enable|start|add|set\s+up|schedule|create)\b.*\b{_KIND_WORDS}"
    # a new one, with an article: "set a check-in for Sunday morning", "I want a reminder at 7" (not "set the …")
    rf"|\b(?:set|make|book|want|need|like|give\s+me|get\s+me)\s+(?:me\s+)?(?:a|an|another|one\s+more|new)\s+"
    rf"(?:[\w-]+\s+){{0,2}}?{_KIND_WORDS}\b"
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
_CANCEL_VERB = (
    r"\b(?:cancel|stop|delete|remove|turn\s+off|disable|switch\s+off|get\s+rid\s+of|drop|kill|nix|scrap|ditch|"
    r"no\s+more|don'?t\s+(?:need|want)\s+(?:the|my|any)?)\b"
)
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
_READINESS_RE = re.compile(
    r"^\s*(?P<a>[1-5])\s*(?:/\s*5|out\s+of\s+5)?\s*[.!]?\s*$"
    r"|\breadiness\s*(?:is|was|:|=|of|today)?\s*(?:a\s+)?(?P<b>[1-5])\b(?!\s*[:.]\d)"
    r"|\b(?:slept|sleep|feel|feeling|felt)\b.{0,20}?\b(?P<c>[1-5])\s*(?:/\s*5|out\s+of\s+5)"
    # "feeling like a 4 today", "I'm a 5/5 today", "im a 2 out of 5"
    r"|\b(?:i'?m|im|i\s+am|feeling|feel)\s+(?:like\s+)?(?:an?\s+)?(?P<d>[1-5])\s*(?:(?:/\s*5|out\s+of\s+5)|"
    r"(?=\s+(?:today|this\s+morning)\b))",
    re.I,
)
