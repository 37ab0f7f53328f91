"""Code-first routing: decide the tool (and often its arguments) without the model.

Order: a button's direct call; requests for someone else's data (refused in words) and "tips for…"
questions; tools' `match` fast paths (arguments parsed by code); small talk and coaching questions by
pattern; tools' `intent` patterns, for read tools only (tool known, model fills arguments). Only when
none of these fires does the graph ask the model to choose, with the tool forced to a fixed enum of
names from a shortlist that starts with any tools whose patterns fired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from agent.tools.base import Attachment, Tool

CHAT = "chat"
# Greetings, thanks and sign-offs, with a few words of their own ("hey coach", "cheers, very useful").
_SMALL_TALK = re.compile(
    r"^\W*(hi|hey|hello|yo|hiya|sup|howdy|good (morning|afternoon|evening|night)|morning|evening|"
    r"thanks?( you)?|thank u|thx|ty|cheers|ok(ay)?|cool|great|nice|awesome|sweet|bye|see (you|ya)|later|gn)\b"
    r"(?P<rest>[^?\d]*)$",
    re.IGNORECASE,
)
_SMALL_TALK_MAX_WORDS = 7  # beyond that, a greeting usually carries a request ("hey, log 2 eggs")

# A coaching question (technique, advice, "why does…") wants words, not a tool: when no fast path
# claimed it, it goes straight to the reply step. Without this a small model, handed tool examples
# that mention "bench", drew an e1RM chart for "any tips to stop my elbows flaring on bench?".
_ADVICE = re.compile(
    r"^\s*((any|got any|some|give me( some)?|quick) )?(tips?|advice|cues?|pointers)\b|"
    r"^\s*how (should|do|can|could) i (best |properly )?(brace|breathe|stop|fix|avoid|improve|keep|get better|"
    r"warm up|cool down|recover|deal with|build)\b|"
    r"^\s*(what'?s|what is) (the )?(best|right|proper|correct) (way|form|technique)\b|"
    r"^\s*why (do|does|am) (my|i)\b|^\s*is it (ok|okay|bad|good|safe) to\b|"
    # general knowledge: "is beta-alanine worth it", "best way to recover…", "how much fibre do I need"
    r"^\s*(is|are) [a-z -]{2,30} (worth it|safe|good for|bad for|necessary|needed)\b|"
    r"^\s*(what'?s )?(the )?(best|good|right) (way|time|order) to\b|"
    r"^\s*how (much|many|often|long) (\w+ )?(protein|sleep|water|rest|cardio|creatine|caffeine) (do|should) i\b|"
    r".*\bshould i (deload|take a deload|rest|train through|see a|take creatine)\b|"
    # not about training or food at all
    r"^\s*(who (won|is|was|invented)|write me an? (poem|story|song|essay|haiku)|tell me a joke|"
    r"(can you )?help me (fix|debug|with) my (code|python|javascript|homework|essay))\b",
    re.IGNORECASE,
)
# "tips for…", "advice on…" open a coaching question even when a tool's words follow ("…my chin when I hook").
_ADVICE_FIRST = re.compile(r"^\s*((any|got any|some|give me( some)?|quick) )?(tips?|advice|cues?|pointers)\b", re.I)

# Someone else's data is never shown: the request is answered in words (a refusal), no tool runs.
_OTHER_PEOPLE = re.compile(
    r"\b(user ?(id|#)\s*\d+|other users?|every (user|account|member)|all (the )?(users|accounts|members)|"
    r"admin mode|(another|other) (user|account|person|athlete)'?s?|"
    r"(he|she|they|who) uses? (this|the) app|uses? (this|the) app (too|as well)|"
    r"(his|her) (maxes|data|logs?|diary|food|prs|sets|weights?|numbers|lifts|meals)|"
    r"everyone(?:'s| else'?s?)\b.*\b(data|logs?|diary|sets|prs?|weights?))\b|"
    r"\bmy (gym |training )?(buddy|friend|mate|partner|brother|sister|wife|husband|girlfriend|boyfriend)"
    r"(?:'s)?\b.{0,30}\b(logged|log|data|diary|sets|prs?|maxes|food|weigh)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Route:
    tool: str  # a tool name or CHAT
    args: dict[str, Any] | None  # None: the model must fill the arguments
    by: str  # code | pattern | smalltalk | advice | refuse


def _as_dict(args: BaseModel | dict[str, Any]) -> dict[str, Any]:
    return args.model_dump(mode="json", exclude_none=True) if isinstance(args, BaseModel) else dict(args)


DOMAIN_AFFINITY = 10  # priority bonus for the domain of the previous turn ("cancel it", "save it")


def route_by_code(
    text: str, attachments: list[Attachment], tools: dict[str, Tool], previous: str | None = None
) -> Route | None:
    """The route code can decide on its own, or None when the model has to choose.

    When several fast paths claim a message, the highest priority wins, and a tool of the same
    domain as the previous turn's tool gets `DOMAIN_AFFINITY` extra: a follow-up like "cancel it"
    belongs to what was just discussed. A follow-up claim (`refine` in the arguments: "add deadlift"
    to the chart just shown) counts right after that tool; with no known previous turn, only when no
    write's fast path claims the line ("add 1 cup rice to lunch" is a meal, not a chart's follow-up).

    A write is never chosen by a weak pattern: an `intent` regex alone picks a read tool, but a write
    tool needs its fast path (which parsed the arguments); otherwise the model decides over a
    shortlist that starts with the hinted tools (`pattern_hints`).
    """
    if not attachments and _OTHER_PEOPLE.search(text):
        return Route(CHAT, None, "refuse")
    if not attachments and _ADVICE_FIRST.match(text):
        return Route(CHAT, None, "advice")
    prev_domain = tools[previous].domain if previous in tools else None
    matches: list[tuple[int, str, dict[str, Any]]] = []
    follow_ups: list[tuple[int, str, dict[str, Any]]] = []
    for tool in tools.values():
        if tool.match is None:
            continue
        try:
            args = tool.match(text, attachments)
        except Exception:  # a broken fast path must never stop the chat; the model still routes
            args = None
        if args is None:
            continue
        args = _as_dict(args)
        bonus = DOMAIN_AFFINITY if prev_domain is not None and tool.domain == prev_domain else 0
        if args.get("refine") is True and previous != tool.name:
            if previous is None:  # context unknown: a follow-up unless a write's fast path parsed the line
                follow_ups.append((tool.priority, tool.name, args))
            continue  # after another tool, a follow-up of a chart that is not on screen
        matches.append((tool.priority + bonus, tool.name, args))
    if follow_ups and not any(tools[name].kind == "write" for _, name, _ in matches):
        matches += follow_ups  # the chart tool hands an edit on to the program when no chart is shown
    if matches:
        _, name, args = max(matches, key=lambda m: m[0])
        return Route(name, args, "code")
    if not attachments and _is_small_talk(text):
        return Route(CHAT, None, "smalltalk")
    if not attachments and _ADVICE.match(text):
        return Route(CHAT, None, "advice")
    reads = [t for t in tools.values() if t.kind == "read" and t.name in pattern_hints(text, tools)]
    if reads and len(reads) == len(pattern_hints(text, tools)):
        best = max(reads, key=lambda t: t.priority)
        return Route(best.name, None, "pattern")
    return None


def pattern_hints(text: str, tools: dict[str, Tool]) -> list[str]:
    """Tools whose intent patterns fire on `text`, best first: the model's shortlist starts with them."""
    hits = [t for t in tools.values() if t.intent_matches(text)]
    return [t.name for t in sorted(hits, key=lambda t: -t.priority)]


def _is_small_talk(text: str) -> bool:
    m = _SMALL_TALK.match(text)
    return m is not None and len(text.split()) <= _SMALL_TALK_MAX_WORDS


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
