"""Keep only the arguments a model filled that the athlete's own words support.

A small model forced to call a tool fills every optional field it sees ("John Doe", born 1980,
orthodox…) even when the message mentions none of them; written to the profile, that is silent
data corruption. Code-made arguments are trusted; model-made optional scalars survive only when
their value can be found in the message (words, enum stems, or numbers written as digits or words).
A required amount that is none of the message's numbers is refused (the model is asked again); other
required fields and structured values (lists, objects) are left to the tool's own validation.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "half": 0.5,
    "quarter": 0.25, "dozen": 12,
}  # fmt: skip
_STOP = {"the", "and", "for", "with", "per", "my", "of", "to", "in", "on", "a", "an"}


def _numbers_in(text: str) -> set[float]:
    found = {float(m.replace(",", ".")) for m in re.findall(r"\d+(?:[.,]\d+)?", text)}
    words = _WORD.findall(text)
    for i, w in enumerate(words):
        if w in _NUMBER_WORDS:
            value = float(_NUMBER_WORDS[w])
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if value >= 20 and value % 10 == 0 and nxt in _NUMBER_WORDS and _NUMBER_WORDS[nxt] < 10:
                value += _NUMBER_WORDS[nxt]  # "eighty five"
            found.add(value)
    return found


def _mentioned(value: Any, text: str, words: set[str], numbers: set[float]) -> bool:
    if isinstance(value, bool):
        return True  # yes/no flags cannot be located in text; the tool decides what they mean
    if isinstance(value, int | float):
        return any(abs(float(value) - n) < 1e-6 for n in numbers)
    if isinstance(value, str):
        v = value.strip().lower()
        if not v:
            return False
        if v in text:
            return True
        if "/" in v and v.rsplit("/", 1)[1].replace("_", " ") in text:
            return True  # a timezone named by its city ("I moved to Berlin" → Europe/Berlin)
        tokens = [t for t in _WORD.findall(v.replace("_", " ").replace("/", " ")) if t not in _STOP]
        # every word of the value, or its stem ("moderate" ~ "moderately", "lose" ~ "losing")
        return bool(tokens) and all(t in words or any(w.startswith(t[:5]) for w in words) for t in tokens)
    return True  # lists and objects: validated by the tool itself


def _invented_number(value: Any, numbers: set[float]) -> bool:
    """A model-filled amount that is none of the message's numbers (a message with no number leaves it be)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not numbers:
        return False
    return not any(abs(float(value) - n) < 1e-6 for n in numbers)


def ground(args_model: type[BaseModel], args: dict[str, Any], text: str) -> tuple[dict[str, Any], list[str]]:
    """Model-filled `args` minus optional scalar values the message does not support; also the dropped names."""
    lowered = text.lower()
    words = set(_WORD.findall(lowered))
    numbers = _numbers_in(lowered)
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for name, value in args.items():
        field = args_model.model_fields.get(name)
        if field is not None and field.is_required() and _invented_number(value, numbers):
            # A required amount the athlete never wrote (a 1.5B model turned "eighty kilos" into 82.4, a number
            # from an example, and repeated it when asked again). With one number in the message there is
            # nothing to choose: it is the amount. Otherwise the model is asked again with this reason.
            if len(numbers) != 1:
                raise ValueError(f"{name}={value:g} is not a number in the athlete's message; use one they wrote")
            [only] = numbers
            value = int(only) if field.annotation is int and only.is_integer() else only
        if field is None or field.is_required() or value is None:
            kept[name] = value
        elif value == field.default:
            continue  # the model restated the default: nothing to ground, nothing to change
        elif _mentioned(value, lowered, words, numbers):
            kept[name] = value
        else:
            dropped.append(name)
    return kept, dropped


def has_optional_fields_only(args_model: type[BaseModel]) -> bool:
    fields = args_model.model_fields.values()
    return bool(fields) and not any(f.is_required() for f in fields)
