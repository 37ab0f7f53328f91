"""A meal line -> meal, day and food items: "had 2 eggs and a slice of toast for breakfast".

This is the code fast path that lets logging work with a tiny model (or none): the line is cut on
"and", "with", "plus", commas and "+", then each piece goes through `quantity.parse_item`. A piece
without its own amount is glued back to its neighbour when together they name a known food
("mac and cheese", "peanut butter and jelly"), which the caller decides through `is_food`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from nutrition.quantity import ParsedItem, QuantityError, parse_item

MEALS = ("breakfast", "lunch", "dinner", "snack")
_MEAL_WORDS = {
    "breakfast": "breakfast",
    "brekkie": "breakfast",
    "brekky": "breakfast",
    "brunch": "breakfast",
    "lunch": "lunch",
    "dinner": "dinner",
    "supper": "dinner",
    "tea time": "snack",
    "snack": "snack",
    "snacks": "snack",
    "pre-workout": "snack",
    "post-workout": "snack",
    "pre workout": "snack",
    "post workout": "snack",
    "dessert": "snack",
    "elevenses": "snack",
}
_MEAL_ALT = "|".join(sorted((re.escape(k) for k in _MEAL_WORDS), key=len, reverse=True))
_MEAL_TAIL = re.compile(rf"\s*\b(?:for|at|with|as|during|in)\s+(?:my\s+|a\s+|the\s+)?({_MEAL_ALT})\b[\s.!]*", re.I)
_MEAL_HEAD = re.compile(rf"^\s*(?:my\s+|for\s+)?({_MEAL_ALT})\b\s*(?:was|were|is|today|:|-|—|=)?\s*", re.I)
_MEAL_INNER = re.compile(rf"\b({_MEAL_ALT})\s+(?:was|were|is)\b\s*", re.I)
_DAYS = [
    (re.compile(r"\b(?:the\s+)?day\s+before\s+yesterday\b", re.I), -2),
    (re.compile(r"\byesterday(?:'s)?(?:\s+(?:morning|evening|night|afternoon))?\b|\blast\s+night\b", re.I), -1),
    (re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b", re.I), 0),
]
_VERBS = re.compile(
    r"^\s*(?:(?:ok|okay|so|hey|please|pls|can you|could you)[,\s]+)*"
    r"(?:(?:i|we)\s+(?:just\s+|also\s+)?)?"
    r"(?:just\s+)?(?:had|have had|'ve had|ate|eaten|eat|drank|drunk|drink|log(?:ged)?|add(?:ed)?|track(?:ed)?|"
    r"record(?:ed)?|enter|consumed|munched|snacked on|grabbed|finished)\b[\s:,]*",
    re.I,
)
_TRAIL_NOISE = re.compile(r"[\s,.!]*(?:\bplease\b|\bthanks?\b|\bthank you\b|\bfor me\b|\bto my diary\b)[\s.!]*$", re.I)
_SPLIT = re.compile(
    r"\s*(?:,|;|\+|&|\n|\band then\b|\bthen\b|\band\b|\bwith\b|\bon\b|\bplus\b|\balong with\b|\balso\b|"
    r"\b(?:in|into|mixed with)\b(?=\s+(?:\d|a\s+(?:cup|glass|splash|scoop|tbsp|tsp)\b)))\s*",
    re.I,
)
# "eggs scrambled" is said for "scrambled eggs": the cooking word goes first, where food names have it
_COOKED_AFTER = re.compile(
    r"^(?P<food>[a-z][a-z' -]*?)\s+(?P<how>scrambled|fried|boiled|hard[\s-]boiled|poached|grilled|roasted|baked|"
    r"steamed|mashed|toasted)$",
    re.I,
)
# a misspelt meal before a colon ("lunhc: …", "brekfast: …"), close to one meal word
_MEAL_HEAD_TYPO = re.compile(r"^\s*(?P<word>[a-z]{4,10})\s*[:\-—=]\s*", re.I)
FOOD_VERB = re.compile(
    r"\b(?:had|ate|eaten|eat|drank|drunk|breakfast|brekkie|brunch|lunch|dinner|supper|snack(?:ed|s)?|"
    r"log(?:ged)?\s+(?:food|meal)|meal)\b",
    re.I,
)


@dataclass
class MealLine:
    """What a line says: the items, which meal, which day (0 today, -1 yesterday), what was left over."""

    items: list[ParsedItem] = field(default_factory=list)
    meal: str | None = None
    day_offset: int | None = None
    has_food_verb: bool = False
    problems: list[str] = field(default_factory=list)


def detect_meal(text: str) -> tuple[str | None, str]:
    """(meal, text without the meal words)."""
    for pattern in (_MEAL_TAIL, _MEAL_HEAD, _MEAL_INNER):
        m = pattern.search(text)
        if m:
            meal = _MEAL_WORDS[m.group(1).lower()]
            return meal, (text[: m.start()] + " " + text[m.end() :]).strip()
    if m := _MEAL_HEAD_TYPO.match(text):
        close = difflib.get_close_matches(m["word"].lower(), [w for w in _MEAL_WORDS if " " not in w], n=1, cutoff=0.8)
        if close:
            return _MEAL_WORDS[close[0]], text[m.end() :].strip()
    return None, text


def _cooked_first(item: ParsedItem) -> ParsedItem:
    if m := _COOKED_AFTER.match(item.food):
        return replace(item, food=f"{m['how']} {m['food']}")
    return item


def detect_day(text: str) -> tuple[int | None, str]:
    for pattern, offset in _DAYS:
        m = pattern.search(text)
        if m:
            return offset, (text[: m.start()] + " " + text[m.end() :]).strip()
    return None, text


def _has_amount(piece: str) -> bool:
    try:
        return parse_item(piece).amount.explicit
    except QuantityError:
        return False


def split_items(text: str, is_food: Callable[[str], bool] | None = None) -> list[str]:
    """Cut a list of foods into pieces, keeping known multi-word foods ("mac and cheese") whole."""
    pieces: list[str] = []
    seps: list[str] = []
    pos = 0
    for m in _SPLIT.finditer(text):
        pieces.append(text[pos : m.start()])
        seps.append(m.group(0))
        pos = m.end()
    pieces.append(text[pos:])
    out: list[str] = []
    for i, piece in enumerate(pieces):
        piece = piece.strip(" .")
        if not piece:
            continue
        if out and i > 0 and is_food is not None and not _has_amount(piece):
            joined = out[-1] + seps[i - 1] + piece
            if is_food(parse_item(joined).food):
                out[-1] = joined
                continue
        out.append(piece)
    return out


def parse_meal_line(text: str, is_food: Callable[[str], bool] | None = None) -> MealLine:
    """Read a whole meal line; items that cannot be read are listed in `problems`, never dropped."""
    line = MealLine(has_food_verb=bool(FOOD_VERB.search(text)))
    rest = " ".join(text.strip().split())
    line.day_offset, rest = detect_day(rest)
    line.meal, rest = detect_meal(rest)
    rest = _VERBS.sub("", rest)
    rest = _TRAIL_NOISE.sub("", rest).strip(" .,!")
    # a second pass: "for breakfast I had ..." leaves "I had" behind once the meal words are gone
    rest = _VERBS.sub("", rest).strip(" .,!:")
    for piece in split_items(rest, is_food):
        try:
            line.items.append(_cooked_first(parse_item(piece)))
        except QuantityError as e:
            line.problems.append(f"'{piece}': {e}")
    return line
