"""Numbers said in words, turned into digits: "one forty for eight" → "140 for 8".

People type loads and reps the way they say them: "two twenty five", "one hundred eighty five pounds",
"rpe seven and a half". The parsers read digits, so a line is rewritten first. Spoken weights drop the
"hundred" ("one forty" is 140), which only makes sense for a digit followed by tens or teens; a lone
"one" before arm/leg/side stays a word ("one arm row").
"""

from __future__ import annotations

import re

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD = "|".join(sorted([*_SMALL, *_TENS, "hundred"], key=len, reverse=True))
_RUN = re.compile(
    rf"\b(?:{_WORD})(?:[\s-]+(?:and[\s-]+)?(?:{_WORD})\b)*(?P<half>\s+and\s+a\s+half\b)?(?![\s-]*(?:arms?|legs?|"
    r"hand(?:ed)?|sided?|single|double|triple|of (?:them|those|these))\b)",
    re.IGNORECASE,
)

_POINT = re.compile(r"\b(\d+)\s+point\s+(\d)\b", re.IGNORECASE)  # "eighty one point five" → 81.5


def _value(words: list[str]) -> int | None:
    """The number a run of number words says, or None when it is not one number."""
    vals = [_SMALL.get(w, _TENS.get(w, 100 if w == "hundred" else -1)) for w in words]
    if -1 in vals:
        return None
    # spoken loads: "one forty" = 140, "two twenty five" = 225, "three fifteen" = 315
    if len(vals) >= 2 and 1 <= vals[0] <= 9 and words[1] != "hundred" and vals[1] >= 10:
        rest = _value(words[1:])
        return None if rest is None or rest >= 100 else vals[0] * 100 + rest
    total, current = 0, 0
    last = None
    for w, v in zip(words, vals, strict=True):
        if w == "hundred":
            if current == 0 or current >= 100:
                return None
            current *= 100
        elif v >= 20:
            if last is not None and last != "hundred":
                return None
            current += v
        else:
            if last is not None and last != "hundred" and not (_TENS.get(last) and v < 10):
                return None
            current += v
        last = w
    return total + current


def words_to_digits(text: str) -> str:
    """`text` with each spoken number written in digits; words that are not one number stay as they are."""

    def sub(m: re.Match[str]) -> str:
        run = m.group(0)[: m.start("half") - m.start()] if m["half"] else m.group(0)
        words = [w for w in re.split(r"[\s-]+", run.lower()) if w and w != "and"]
        value = _value(words)
        if value is None:
            return m.group(0)
        return f"{value}.5" if m["half"] else str(value)

    out = _RUN.sub(sub, text)
    return _POINT.sub(r"\1.\2", out) if out != text else out
