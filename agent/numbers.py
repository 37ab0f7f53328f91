"""Words that cannot lie: every number in a model's reply must come from the tool's data or the user.

A small model asked to "add a sentence of coaching" around a table invents figures: a calorie target
that was never set ("below your target of 2,000 kcal"), a weekly tonnage table, a weather forecast. The
reply step checks the reply in code before the athlete reads it: each number must match a number in
this turn's tool output (summary, table, data) or in the athlete's own words, allowing the ways one
number is written (1,000 / 1000 / 1k, rounding to the precision shown, a share written as a percent).
Converting a number to another unit is not allowed: that is recomputing, and code does it.

A trend ("stable", "going up", "improving") needs points: one weigh-in is not a trend. The tool's data
says how many points it had (`points`, or the length of its series); a metric may raise the bar with
`min_points` (default `MIN_TREND_POINTS`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MIN_TREND_POINTS = 3

# A number as written: 2,000 / 2000 / 82.4 / 1.5k / 12% / -3; not the digit inside a word (e1RM, Q2).
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.,])(?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<suffix>\s?%|k\b|K\b)?(?![.,]?\d)"
)
_LIST_MARKER = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)  # "1. " opening a list item is not a claim
_TERMS = re.compile(r"\b(1\s?rm|e1rm|5x5|24/7|401k)\b", re.IGNORECASE)  # names that contain digits
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "half": 0.5,
    "quarter": 0.25, "dozen": 12,
}  # fmt: skip
_TREND = re.compile(
    r"\b(trend\w*|stable|steady|steadily|consistent(ly)?|maintain(ing|ed)?|plateau\w*|"
    r"(going|trending|heading) (up|down)|on the (rise|way (up|down))|increas(ing|ed)|decreas(ing|ed)|"
    r"improv(ing|ed)|declin(ing|ed)|progress(ing|ed)|over time|each week|week after week)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Written:
    """One number as the reply writes it."""

    text: str
    value: float
    decimals: int  # digits after the point: the precision the number claims
    percent: bool = False
    thousands: bool = False  # "1.5k"


def numbers_written(text: str) -> list[Written]:
    """The numbers a reply states (list markers, clock times and names like e1RM left out)."""
    text = _TERMS.sub(" ", _LIST_MARKER.sub(" ", text))
    text = _CLOCK.sub(lambda m: f" {m.group(1)} ", text)  # 7:30 → the hour is the claim; minutes are formatting
    out: list[Written] = []
    for m in _NUMBER.finditer(text):
        raw = m.group("num")
        body = raw.lstrip("+-").replace(",", "")
        decimals = len(body.split(".")[1]) if "." in body else 0
        suffix = (m.group("suffix") or "").strip().lower()
        out.append(Written(m.group(0).strip(), abs(float(body)), decimals, suffix == "%", suffix == "k"))
    return out


def numbers_in_data(*sources: Any) -> set[float]:
    """Every number found in tool outputs and messages: numbers in data, digits and number words in text."""
    found: set[float] = set()
    for source in sources:
        _collect(source, found)
    return found


def _collect(value: Any, found: set[float]) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        if math.isfinite(value):
            found.add(abs(float(value)))
    elif isinstance(value, str):
        for m in re.finditer(r"\d+(?:,\d{3})*(?:\.\d+)?", value):
            found.add(float(m.group(0).replace(",", "")))
        words = re.findall(r"[a-z]+", value.lower())
        for i, w in enumerate(words):
            if w in _NUMBER_WORDS:
                n = float(_NUMBER_WORDS[w])
                nxt = words[i + 1] if i + 1 < len(words) else ""
                if n >= 20 and n % 10 == 0 and nxt in _NUMBER_WORDS and _NUMBER_WORDS[nxt] < 10:
                    n += _NUMBER_WORDS[nxt]  # "eighty five"
                found.add(n)
    elif isinstance(value, dict):
        for v in value.values():
            _collect(v, found)
    elif isinstance(value, Iterable):
        for v in value:
            _collect(v, found)


def _matches(w: Written, allowed: float) -> bool:
    tolerance = 0.5 * 10 ** (-w.decimals) + 1e-9  # "82" stands for anything that rounds to 82
    if abs(w.value - allowed) <= tolerance:
        return True
    if w.percent and abs(w.value - allowed * 100) <= tolerance:  # a share 0.12 written as 12%
        return True
    return w.thousands and abs(w.value * 1000 - allowed) <= tolerance * 1000  # 2.4k for 2400


def unsupported_numbers(reply: str, allowed: set[float]) -> list[str]:
    """The numbers in `reply` that match none of `allowed` (as written, for the regeneration prompt)."""
    return [w.text for w in numbers_written(reply) if not any(_matches(w, a) for a in allowed)]


def series_points(data: Any) -> int:
    """How many points a tool's data holds: its `points`, else the length of its longest list."""
    if isinstance(data, dict):
        if isinstance(data.get("points"), int):
            return data["points"]
        return max((series_points(v) for v in data.values()), default=0)
    if isinstance(data, list):
        return max(len(data), *(series_points(v) for v in data)) if data else 0
    return 0


def unsupported_trend(reply: str, datas: list[dict[str, Any]]) -> str | None:
    """The trend word a reply uses without enough points behind it, or None."""
    m = _TREND.search(reply)
    if m is None:
        return None
    for data in datas:
        need = data.get("min_points", MIN_TREND_POINTS) if isinstance(data, dict) else MIN_TREND_POINTS
        if series_points(data) >= need:
            return None
    return m.group(0)


def without_unsupported_sentences(reply: str, allowed: set[float]) -> str:
    """The reply minus each sentence that carries a number not in `allowed` (the last resort for chat)."""
    sentences = re.split(r"(?<=[.!?])\s+", reply.strip())
    kept = [s for s in sentences if not unsupported_numbers(s, allowed)]
    return " ".join(kept).strip()
