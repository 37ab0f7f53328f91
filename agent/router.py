"""Code-first routing: decide the tool (and often its arguments) without the model.

Order: a button's direct call; tools' `match` fast paths (arguments parsed by code); small talk and
coaching questions by pattern; tools' `intent` patterns (tool known, model fills arguments). Only
when none of these fires does the graph ask the model to choose, with the tool forced to a fixed enum
of names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from agent.tools.base import Attachment, Tool

CHAT = "chat"
_SMALL_TALK = re.compile(
    r"^\s*(hi|hey|hello|yo|hiya|good (morning|afternoon|evening)|thanks?( you)?|thx|cheers|ok(ay)?|cool|"
    r"great|nice|bye|see you|good night)\b[\s!.,:)]*$",
    re.IGNORECASE,
)

# A coaching question (technique, advice, "why does…") wants words, not a tool: when no fast path
# claimed it, it goes straight to the reply step. Without this a small model, handed tool examples
# that mention "bench", drew an e1RM chart for "any tips to stop my elbows flaring on bench?".
_ADVICE = re.compile(
    r"^\s*((any|got any|some|give me( some)?|quick) )?(tips?|advice|cues?|pointers)\b|"
    r"^\s*how (should|do|can|could) i (best |properly )?(brace|breathe|stop|fix|avoid|improve|keep|get better|"
    r"warm up|cool down|recover|deal with|build)\b|"
    r"^\s*(what'?s|what is) (the )?(best|right|proper|correct) (way|form|technique)\b|"
    r"^\s*why (do|does|am) (my|i)\b|^\s*is it (ok|okay|bad|good|safe) to\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Route:
    tool: str  # a tool name or CHAT
    args: dict[str, Any] | None  # None: the model must fill the arguments
    by: str  # code | pattern | smalltalk | advice


def _as_dict(args: BaseModel | dict[str, Any]) -> dict[str, Any]:
    return args.model_dump(mode="json", exclude_none=True) if isinstance(args, BaseModel) else dict(args)


DOMAIN_AFFINITY = 10  # priority bonus for the domain of the previous turn ("cancel it", "save it")


def route_by_code(
    text: str, attachments: list[Attachment], tools: dict[str, Tool], previous: str | None = None
) -> Route | None:
    """The route code can decide on its own, or None when the model has to choose.

    When several fast paths claim a message, the highest priority wins, and a tool of the same
    domain as the previous turn's tool gets `DOMAIN_AFFINITY` extra: a follow-up like "cancel it"
    belongs to what was just discussed.
    """
    prev_domain = tools[previous].domain if previous in tools else None
    matches: list[tuple[int, str, dict[str, Any]]] = []
    for tool in tools.values():
        if tool.match is None:
            continue
        try:
            args = tool.match(text, attachments)
        except Exception:  # a broken fast path must never stop the chat; the model still routes
            args = None
        if args is not None:
            bonus = DOMAIN_AFFINITY if prev_domain is not None and tool.domain == prev_domain else 0
            matches.append((tool.priority + bonus, tool.name, _as_dict(args)))
    if matches:
        _, name, args = max(matches, key=lambda m: m[0])
        return Route(name, args, "code")
    if not attachments and _SMALL_TALK.match(text):
        return Route(CHAT, None, "smalltalk")
    if not attachments and _ADVICE.match(text):
        return Route(CHAT, None, "advice")
    intents = [t for t in tools.values() if t.intent_matches(text)]
    if intents:
        best = max(intents, key=lambda t: t.priority)
        return Route(best.name, None, "pattern")
    return None


def routable(tools: dict[str, Tool]) -> dict[str, Tool]:
    """Tools the model may route to: those with example requests (button-only tools have none)."""
    return {name: t for name, t in tools.items() if t.examples}


def catalog(tools: dict[str, Tool], max_examples: int = 2) -> str:
    """The action list shown to the model when it must route (stable order for prefix caching)."""
    lines = [f'- {CHAT}: questions, advice, explanations, thanks, anything else. e.g. "is creatine safe?"']
    for name in sorted(routable(tools)):
        t = tools[name]
        desc = " ".join(t.description.split())[:160]
        ex = "; ".join(f'"{e}"' for e in t.examples[:max_examples])
        lines.append(f"- {name}: {desc}" + (f" e.g. {ex}" if ex else ""))
    return "\n".join(lines)
