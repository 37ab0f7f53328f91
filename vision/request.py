"""What a lifter says about a clip, parsed by code: the lift, the load, the plate size, the range of motion.

"analyse my squat, 160 kg", "bench 225 lbs", "deadlift with 35 lb plates", "my squat goes 55 cm deep"
all turn into typed values here, so the chat works without the model and units can't be mixed up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from powerforge.units import Length, Mass, UnitError

LiftName = Literal["squat", "bench", "deadlift", "press", "row", "snatch", "clean", "jerk", "other"]

_LIFT_WORDS: tuple[tuple[str, LiftName], ...] = (
    (r"\b(bench(ing)?|bench ?press(es|ing)?)\b", "bench"),
    (r"\b(dead ?lift(s|ing)?|dl|deads|rdl)\b", "deadlift"),
    (r"\b(snatch(es)?)\b", "snatch"),
    (r"\b(clean(s)?|power ?clean)\b", "clean"),
    (r"\b(jerk(s)?)\b", "jerk"),
    (r"\b(overhead press|ohp|military press|strict press|shoulder press|press(es)?)\b", "press"),
    (r"\b(rows?|rowing)\b", "row"),
    (r"\b(squat(s|ting)?|front squat|back squat)\b", "squat"),
)
_MASS_UNITS = r"kg|kgs|kilos?|kilograms?|lbs?|pounds?"
_LOAD = re.compile(rf"(?<![\w.])(\d+(?:[.,]\d+)?)\s*({_MASS_UNITS})\b(?!\s*plates?)", re.I)
# A number said right after the lift ("deadlift at 180", "squat with 140", "front squat @ 95") is its load in kg,
# as a bare number is everywhere here, also in set notation ("squat 100x5": 100 kg for 5); never a percentage, a
# length, a time or a count ("bench 3 sets", "squat 5x5" are below any bar's weight).
_LIFT_ALTERNATION = "|".join(pattern.removeprefix(r"\b(").removesuffix(r")\b") for pattern, _ in _LIFT_WORDS)
_BARE_LOAD = re.compile(
    rf"\b(?:{_LIFT_ALTERNATION})\s*[,:-]?\s*(?:at|with|of|@)?\s*(?P<kg>\d{{2,3}}(?:[.,]\d+)?)(?!\d)"
    r"(?!\s*(?:%|percent|reps?|sets?|times|cm|mm|m\b|in\b|inch|s\b|sec|min|days?|weeks?|[.,]\d))",
    re.I,
)
_PLATE_MASS = re.compile(rf"(\d+(?:[.,]\d+)?)\s*({_MASS_UNITS})\s*plates?\b", re.I)
_PLATE_MM = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(mm|cm|in|inch|inches)\s*(?:diameter\s*)?plates?\b"
    # "plates are 45cm", "plate diameter 40 cm"
    r"|\bplates?\s+(?:are|is|of|=|:)?\s*(?:diameter\s+)?(?:about\s+)?(\d+(?:[.,]\d+)?)\s*(mm|cm)\b",
    re.I,
)
_ROM = re.compile(
    r"\b(?:rom|range of motion|range|travel|bar travel|depth)\D{0,20}?(\d+(?:[.,]\d+)?)\s*(cm|mm|m|in|inch|inches)\b",
    re.I,
)
# Small plates are smaller than the 450 mm bumper/competition standard; their diameter sets the scale.
PLATE_DIAMETER_MM: dict[float, float] = {25.0: 450.0, 20.0: 450.0, 15.0: 400.0, 10.0: 450.0, 5.0: 230.0, 2.5: 190.0}
PLATE_DIAMETER_LB_MM: dict[float, float] = {45.0: 450.0, 35.0: 410.0, 25.0: 335.0, 10.0: 260.0, 5.0: 230.0}


@dataclass(frozen=True)
class LiftRequest:
    lift: LiftName | None = None
    load_kg: float | None = None
    plate_mm: float | None = None
    rom_m: float | None = None
    reps: int | None = None  # how many reps the lifter says the clip holds ("150kg x 5", "5 reps")


# The reps said: after a load's x ("150kg x 5", "100x5"), "for 5", "5 reps"; a count of sets ("3 sets of 5") is not.
_LOAD_REPS_SETS = re.compile(r"\d{2,3}(?:[.,]\d+)?\s*(?:kg|lbs?)?\s*[x×]\s*(\d{1,2})\s*[x×]\s*\d{1,2}\b", re.I)
_REPS = re.compile(
    r"(?:\d\s*(?:kg|kgs|kilos?|lbs?)?\s*[x×]\s*(?P<x>\d{1,2})(?!\s*[x×\d])|"
    r"\bfor (?P<for>\d{1,2})\b(?!\s*(?:kg|lb|%|sets?))|\b(?P<n>\d{1,2})\s*reps?\b)",
    re.I,
)


def _num(s: str) -> float:
    return float(s.replace(",", "."))


def parse_load_kg(text: str) -> float | None:
    """'160kg', '160 kg', '350 lbs' -> kilograms (None when no load is stated; a bare number means kg)."""
    text = text.strip()
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return _num(text)
    m = _LOAD.search(text)
    if not m:
        return None
    try:
        return Mass.of(_num(m[1]), m[2]).kg
    except UnitError:
        return None


def parse_request(text: str) -> LiftRequest:
    """Everything code can read from the message; missing things stay None."""
    lift = next((name for pattern, name in _LIFT_WORDS if re.search(pattern, text, re.I)), None)
    plate_mm = None
    if m := _PLATE_MM.search(text):
        plate_mm = Length.of(_num(m[1] or m[3]), m[2] or m[4]).mm
    elif m := _PLATE_MASS.search(text):
        amount, unit = _num(m[1]), m[2].lower()
        table = PLATE_DIAMETER_LB_MM if unit.startswith(("lb", "pound")) else PLATE_DIAMETER_MM
        plate_mm = table.get(amount)
    rom = None
    if m := _ROM.search(text):
        rom = Length.of(_num(m[1]), m[2]).m
    stripped = _PLATE_MASS.sub(" ", text)
    load = parse_load_kg(stripped)
    if load is None and (m := _BARE_LOAD.search(stripped)) and _num(m["kg"]) >= 20:
        load = _num(m["kg"])
    reps = None
    if m := _LOAD_REPS_SETS.search(stripped):  # "100 x 5 x 3": load x reps x sets
        reps = int(m[1])
    elif (m := _REPS.search(stripped)) and 1 <= (n := int(m["x"] or m["for"] or m["n"])) <= 30:
        reps = n
    return LiftRequest(lift=lift, load_kg=load, plate_mm=plate_mm, rom_m=rom, reps=reps)
