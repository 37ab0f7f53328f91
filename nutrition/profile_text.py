"""Profile facts said in a sentence (sex, age, height, weight, activity, goal), for energy targets.

Heights in feet and inches and weights in pounds are converted with `powerforge.units`.
"""

from __future__ import annotations

import re
from typing import Any

from powerforge.units import INCH_M, LB_KG

_SEX_RE = re.compile(r"\b(male|female|man|woman|guy|girl)\b", re.I)
_AGE_RE = re.compile(r"\b(\d{2})\s*(?:years?\s*old|yo|y/o|yrs?)\b|\bage\s*(\d{2})\b|\baged\s*(\d{2})\b", re.I)
_HEIGHT_CM_RE = re.compile(r"\b(1\d{2}|2[0-4]\d)\s*cm\b", re.I)
_HEIGHT_FT_RE = re.compile(r"\b([4-7])\s*(?:'|ft|foot|feet)\s*(\d{1,2})?\s*(?:\"|in|inches)?", re.I)
_BODY_KG_RE = re.compile(r"\b(\d{2,3}(?:[.,]\d)?)\s*(kg|kgs|kilos|lbs?|pounds)\b", re.I)
_ACTIVITY = [
    (re.compile(r"\bvery active|extremely active|athlete\b", re.I), "very_active"),
    (re.compile(r"\bsedentary|desk job|inactive\b", re.I), "sedentary"),
    (re.compile(r"\blight(ly)? active|light activity\b", re.I), "light"),
    (re.compile(r"\bmoderate(ly)?( active)?\b", re.I), "moderate"),
    (re.compile(r"\bactive\b", re.I), "active"),
]
_GOAL = [
    (re.compile(r"\b(lose|cut|cutting|fat loss|lean out|diet)\b", re.I), "lose"),
    (re.compile(r"\b(gain|bulk|bulking|build muscle|put on)\b", re.I), "gain"),
    (re.compile(r"\b(maintain|maintenance|recomp)\b", re.I), "maintain"),
]


def parse_profile_text(text: str) -> dict[str, Any]:
    """Profile facts said in passing: '34 year old male, 180 cm, 82 kg, moderately active, want to cut'."""
    out: dict[str, Any] = {}
    if m := _SEX_RE.search(text):
        out["sex"] = "male" if m.group(1).lower() in ("male", "man", "guy") else "female"
    if m := _AGE_RE.search(text):
        out["age"] = int(next(g for g in m.groups() if g))
    if m := _HEIGHT_CM_RE.search(text):
        out["height_cm"] = float(m.group(1))
    elif m := _HEIGHT_FT_RE.search(text):
        out["height_cm"] = round((int(m.group(1)) * 12 + int(m.group(2) or 0)) * INCH_M * 100, 1)
    if m := _BODY_KG_RE.search(text):
        v = float(m.group(1).replace(",", "."))
        out["weight_kg"] = v if m.group(2).lower().startswith("k") else round(v * LB_KG, 1)
    for pattern, level in _ACTIVITY:
        if pattern.search(text):
            out["activity_level"] = level
            break
    for pattern, goal in _GOAL:
        if pattern.search(text):
            out["goal"] = goal
            break
    return out
