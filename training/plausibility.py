"""Is a load typed without a unit plausible for this person, or did they mean the other unit?

"did 225 for 8 on deadlift" from someone whose squat is 140×5 kg reads as a 282 kg deadlift e1RM: 1.7×
their squat, where lifters pull about 1.2×. Read as pounds (102 kg × 8) it fits. The rule compares the
e1RM a set implies, in each unit, with what the person's history predicts for that lift: their own
recent best on it when known (nobody gets 50 % stronger between sessions), otherwise their other lifts
scaled by common strength ratios. Loads built from 45 lb plates (135, 225, 315, 405) lean towards
pounds. The outcome is a question, never a silent conversion; the person's answer is remembered by
the caller (profile `typed_load_unit`), after which the question is not asked again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from powerforge.units import Mass
from training.e1rm import e1rm_kg
from training.library import Exercise

# Typical e1RM relative to the back squat (trained lifters; wide individual spread, hence the wide bands).
STRENGTH_RATIO = {
    "back_squat": 1.0, "deadlift": 1.2, "sumo_deadlift": 1.2, "trap_bar_deadlift": 1.25, "romanian_deadlift": 0.85,
    "front_squat": 0.82, "bench_press": 0.75, "incline_bench_press": 0.62, "close_grip_bench_press": 0.68,
    "overhead_press": 0.48, "push_press": 0.6, "barbell_row": 0.6, "hip_thrust": 1.2, "power_clean": 0.55,
}  # fmt: skip
OWN_HIGH, OWN_LOW = 1.5, 0.5  # own history: above 150 % is implausible; the other unit must land 50-125 %
OWN_FIT_HIGH = 1.25
CROSS_HIGH, CROSS_LOW, CROSS_FIT_HIGH = 1.45, 0.4, 1.3  # from other lifts: looser, ratios vary between people
PLATE_HIGH = 1.2  # a 45 lb plate number read as kg is suspicious sooner


@dataclass(frozen=True)
class Suspicion:
    """The other unit, and why (a sentence with the numbers)."""

    unit: str
    reason: str


def plate_number_lb(value: float) -> bool:
    """135, 225, 315, 405…: a 45 lb bar with pairs of 45 lb plates (and at most one 25 a side: 95, 185, 275)."""
    if value <= 45 or not float(value).is_integer() or (value - 45) % 2:
        return False
    side = int(value - 45) // 2  # the weight on each side: 45s, and at most one 25
    return side % 45 == 0 or (side >= 25 and (side - 25) % 45 == 0)


def expected_e1rm(exercise_id: str, own_kg: float | None, others_kg: dict[str, float]) -> tuple[float, str] | None:
    """What the person's history predicts for this lift's e1RM, and where the prediction comes from."""
    if own_kg:
        return own_kg, "own"
    ratio = STRENGTH_RATIO.get(exercise_id)
    if ratio is None:
        return None
    guesses = [kg / STRENGTH_RATIO[ex] * ratio for ex, kg in others_kg.items() if ex in STRENGTH_RATIO and kg > 0]
    if not guesses:
        return None
    return math.exp(sum(math.log(g) for g in guesses) / len(guesses)), "cross"


def suspect_unit(
    value: float,
    typed_unit: str,
    reps: int,
    exercise: Exercise,
    own_e1rm_kg: float | None = None,
    others_e1rm_kg: dict[str, float] | None = None,
    names: dict[str, str] | None = None,
) -> Suspicion | None:
    """The other unit when `value` in `typed_unit` is implausible for this person and the other unit fits."""
    if value <= 0 or reps < 1 or typed_unit not in ("kg", "lb"):
        return None
    alt = "lb" if typed_unit == "kg" else "kg"
    as_typed, as_alt = Mass.of(value, typed_unit).kg, Mass.of(value, alt).kg
    if as_typed > exercise.max_load_kg:
        if as_alt <= exercise.max_load_kg:
            return Suspicion(alt, f"{value:g} {typed_unit} is beyond the heaviest {exercise.name} ever lifted.")
        return None
    if reps > 12:
        return None
    exp = expected_e1rm(exercise.id, own_e1rm_kg, {k: v for k, v in (others_e1rm_kg or {}).items() if k != exercise.id})
    if exp is None:
        return None
    expected, source = exp
    e_typed = e1rm_kg(as_typed, min(reps, 10)) or as_typed
    e_alt = e1rm_kg(as_alt, min(reps, 10)) or as_alt
    high, low, fit_high = (
        (OWN_HIGH, OWN_LOW, OWN_FIT_HIGH) if source == "own" else (CROSS_HIGH, CROSS_LOW, CROSS_FIT_HIGH)
    )
    if alt == "lb" and plate_number_lb(value):
        high = min(high, PLATE_HIGH)
    if not (e_typed > high * expected and low * expected <= e_alt <= fit_high * expected):
        return None
    if source == "own":
        basis = f"your recent {exercise.name} e1RM of {expected:.0f} kg"
    else:
        lifts = ", ".join(
            (names or {}).get(k, k.replace("_", " ")) for k in others_e1rm_kg or {} if k in STRENGTH_RATIO
        )
        basis = f"about {expected:.0f} kg expected from your {lifts}"
    reason = (
        f"{value:g} {typed_unit} × {reps} puts your {exercise.name} e1RM at {e_typed:.0f} kg, against {basis}; "
        f"as {value:g} {alt} ({as_alt:.1f} kg) it fits."
    )
    return Suspicion(alt, reason)
