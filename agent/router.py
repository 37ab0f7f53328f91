"""Code-first routing: decide the tool (and often its arguments) without the model.

Order: a button's direct call; requests for someone else's data (refused in words) and "tips for…"
questions; tools' `match` fast paths (arguments parsed by code); small talk and coaching questions by
pattern; tools' `intent` patterns, for read tools only (tool known, model fills arguments). Only when
none of these fires does the graph ask the model to choose, with the tool forced to a fixed enum of
names from a shortlist that starts with any tools whose patterns fired.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from agent.tools.base import Attachment, Tool

log = logging.getLogger(__name__)

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
    r"^\s*how (much|many|often|long) (\w+ )?(protein|sleep|water|rest|cardio|creatine|caffeine) (do|should) i\b"
    r"(?!\s+(?:still\s+)?(?:have|got)\s+(?:\w+\s+)?(?:left|remaining))|"  # "…do I have left" is the day's diary
    r".*\bshould i (deload|take a deload|rest|train through|see a|take creatine)\b|"
    # not about training or food at all
    r"^\s*(who (won|is|was|invented)|write me an? (poem|story|song|essay|haiku)|tell me a joke|"
    r"(can you )?help me (fix|debug|with) my (code|python|javascript|homework|essay))\b",
    re.IGNORECASE,
)
# "tips for…", "advice on…" open a coaching question even when a tool's words follow ("…my chin when I hook").
# "how do I improve my bar speed" asks how, never for a chart of it.
_ADVICE_FIRST = re.compile(
    r"^\s*((any|got any|some|give me( some)?|quick) )?(tips?|advice|cues?|pointers)\b|"
    r"^\s*how (should|do|can|could) i (best )?(improve|get better at|fix|increase|speed up)\b",
    re.I,
)

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


class RoutingConflict(ValueError):
    """Two fast paths claim the same words and no declaration says which one answers."""


def precedence(tools: dict[str, Tool]) -> dict[str, frozenset[str]]:
    """For each tool, the tools it wins over: the declared `yields_to`/`outranks`, closed transitively.

    Names of tools not in `tools` are ignored (a sub-registry, such as the check-ins' hand-on, is valid).
    A cycle (a tool that would win over itself) raises `RoutingConflict`.
    """
    beats: dict[str, set[str]] = {name: set() for name in tools}
    for t in tools.values():
        for other in t.yields_to:
            if other in tools:
                beats[other].add(t.name)
        for other in t.outranks:
            if other in tools:
                beats[t.name].add(other)
    closed: dict[str, frozenset[str]] = {}
    for name in tools:
        seen: set[str] = set()
        todo = list(beats[name])
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo.extend(beats[n])
        if name in seen:
            raise RoutingConflict(f"Declared precedence has a cycle through '{name}'.")
        closed[name] = frozenset(seen)
    return closed


def _claims(text: str, attachments: list[Attachment], tools: dict[str, Tool]) -> list[tuple[str, dict[str, Any]]]:
    """Every fast path that parses `text`, with its arguments (a broken fast path claims nothing)."""
    found = []
    for tool in sorted(tools.values(), key=lambda t: t.name):  # the order of the registry never matters
        if tool.match is None:
            continue
        try:
            args = tool.match(text, attachments)
        except Exception:  # a broken fast path must never stop the chat; the model still routes
            args = None
        if args is not None:
            found.append((tool.name, _as_dict(args)))
    return found


def _winners(names: list[str], beats: dict[str, frozenset[str]]) -> list[str]:
    """The claimants no other claimant wins over by declaration."""
    return [n for n in names if not any(n in beats[other] for other in names if other != n)]


def route_by_code(
    text: str, attachments: list[Attachment], tools: dict[str, Tool], previous: str | None = None
) -> Route | None:
    """The route code can decide on its own, or None when the model has to choose.

    When several fast paths claim a message, the ones of the previous turn's domain come first (a
    follow-up like "cancel it" belongs to what was just discussed); among those, declared precedence
    (`Tool.yields_to`/`outranks`) decides. A tie that no declaration breaks goes to the model (and is
    an error at load when it happens on a tool's own example: `check_precedence`). A follow-up claim
    (`refine` in the arguments: "add deadlift" to the chart just shown) counts right after that tool;
    with no known previous turn, only when no other fast path claims the line ("add 1 cup rice to
    lunch" is a meal, "weekly nutrition chart" the week's table, not a chart's follow-up).

    A write is never chosen by a weak pattern: an `intent` regex alone picks a read tool, but a write
    tool needs its fast path (which parsed the arguments); otherwise the model decides over a
    shortlist that starts with the hinted tools (`pattern_hints`), and a write it picks waits for the
    athlete's confirmation.
    """
    if not attachments and _OTHER_PEOPLE.search(text):
        return Route(CHAT, None, "refuse")
    if not attachments and _ADVICE_FIRST.match(text):
        return Route(CHAT, None, "advice")
    chosen = fast_path(text, attachments, tools, previous)
    if chosen is not None:
        return Route(chosen[0], chosen[1], "code")
    if not attachments and _is_small_talk(text):
        return Route(CHAT, None, "smalltalk")
    if not attachments and _ADVICE.match(text):
        return Route(CHAT, None, "advice")
    hints = pattern_hints(text, tools)
    if hints and all(tools[n].kind == "read" for n in hints):
        best = _winners(hints, precedence(tools))
        if len(best) == 1:
            return Route(best[0], None, "pattern")
    return None


def fast_path(
    text: str, attachments: list[Attachment], tools: dict[str, Tool], previous: str | None = None
) -> tuple[str, dict[str, Any]] | None:
    """The one fast-path claim that answers (tool name, arguments), or None (no claim, or a tie)."""
    claims = _claims(text, attachments, tools)
    matches: dict[str, dict[str, Any]] = {}
    follow_ups: dict[str, dict[str, Any]] = {}
    for name, args in claims:
        if args.get("refine") is True and previous != name:
            if previous is None:  # context unknown: a follow-up only when nothing else claims the line
                follow_ups[name] = args
            continue  # after another tool, a follow-up of a chart that is not on screen
        matches[name] = args
    if not matches:
        matches = follow_ups  # no chart on screen to refine and nothing else claims the line: take it as asked
    if not matches:
        return None
    names = list(matches)
    prev_domain = tools[previous].domain if previous in tools else None
    near = [n for n in names if tools[n].domain == prev_domain]
    best = _winners(near or names, precedence(tools))
    if len(best) != 1:
        log.warning("undeclared routing tie between %s; the model decides", ", ".join(sorted(best)))
        return None
    return best[0], matches[best[0]]


def undeclared_ties(tools: dict[str, Tool]) -> list[tuple[str, list[str]]]:
    """Tool examples that two or more fast paths claim with no declaration to break the tie."""
    beats = precedence(tools)
    ties = []
    for tool in sorted(tools.values(), key=lambda t: t.name):
        for example in tool.examples:
            claims = _claims(example, [], tools)
            names = [n for n, a in claims if a.get("refine") is not True] or [n for n, _ in claims]
            best = _winners(names, beats)
            if len(best) > 1:
                ties.append((example, sorted(best)))
    return ties


def check_precedence(tools: dict[str, Tool]) -> None:
    """Fail at start-up on an unknown name in a declaration, a cycle, or an undeclared tie on an example."""
    for t in tools.values():
        unknown = [n for n in (*t.yields_to, *t.outranks) if n not in tools]
        if unknown:
            raise RoutingConflict(f"Tool '{t.name}' declares precedence over unknown tools: {', '.join(unknown)}.")
    ties = undeclared_ties(tools)
    if ties:
        listed = "; ".join(f"{example!r}: {' / '.join(names)}" for example, names in ties)
        raise RoutingConflict(f"Fast paths tie with no declared precedence (add yields_to/outranks): {listed}")


def pattern_hints(text: str, tools: dict[str, Tool]) -> list[str]:
    """Tools whose intent patterns fire on `text`, those that win by declaration first, then by name."""
    hits = sorted(t.name for t in tools.values() if t.intent_matches(text))
    beats = precedence(tools)
    return sorted(hits, key=lambda n: (-sum(o in beats[n] for o in hits), n))


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
