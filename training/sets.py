"""A logged set as the domain sees it, and the checks that stop typos and kg/lb mix-ups.

"squat 1400x5" is a typo, "squat 315x5" from someone whose units are kg but whose squat is 140 kg is
almost certainly pounds: such sets are refused or asked about, never stored as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from powerforge.units import Mass
from training.e1rm import e1rm_kg
from training.library import Exercise

MAX_REPS_LOGGED = 100


@dataclass
class SetRecord:
    """One performed set in canonical units (what storage keeps and analytics reads)."""

    exercise_id: str
    load_kg: float
    reps: int
    rpe: float | None = None
    performed_at: datetime | None = None
    warmup: bool = False
    amrap: bool = False
    id: str | None = None
    session_id: str | None = None
    notes: str = ""
    group: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def e1rm_kg(self) -> float | None:
        if self.warmup or self.load_kg <= 0:
            return None
        return e1rm_kg(self.load_kg, self.reps, self.rpe)

    @property
    def volume_kg(self) -> float:
        return 0.0 if self.warmup else self.load_kg * self.reps


class ImplausibleSet(ValueError):
    """A set that cannot be real (1400 kg squat, 0 reps, RPE 12)."""


def check_set(exercise: Exercise, load: Mass, reps: int, rpe: float | None) -> None:
    """Refuse numbers no lifter produces, with the reason."""
    if reps < 1:
        raise ImplausibleSet(f"How many reps did you get on {exercise.name}? I need at least 1.")
    if reps > MAX_REPS_LOGGED:
        raise ImplausibleSet(
            f"{reps} reps of {exercise.name} in one set is not something I can log (max {MAX_REPS_LOGGED})."
        )
    if load.kg < 0:
        raise ImplausibleSet("A load can't be negative.")
    if load.kg > exercise.max_load_kg:
        raise ImplausibleSet(
            f"{load.kg:.1f} kg on {exercise.name} is beyond the heaviest ever lifted "
            f"(~{exercise.max_load_kg:.0f} kg); check the number or the unit."
        )
    if rpe is not None and not (1 <= rpe <= 10 and abs(rpe * 2 - round(rpe * 2)) < 1e-9):
        raise ImplausibleSet(f"RPE {rpe:g} is not on the scale (1-10 in half steps).")


def other_unit(unit: str) -> str:
    return "lb" if unit == "kg" else "kg"


def unit_suspicion(
    value: float, assumed_unit: str, reps: int, exercise: Exercise, known_e1rm_kg: float | None
) -> str | None:
    """The other unit when `value` read in the person's default unit is implausible and the other fits.

    Only used when no unit was typed. Implausible = heavier than anything lifted on the exercise, or an
    estimated max above 150 % of the person's known e1RM (nobody gets 50 % stronger between sessions)
    while the other unit lands at 50-125 % of it.
    """
    if value <= 0:
        return None
    alt = other_unit(assumed_unit)
    as_typed = Mass.of(value, assumed_unit).kg
    as_alt = Mass.of(value, alt).kg
    if as_typed > exercise.max_load_kg:
        return alt if as_alt <= exercise.max_load_kg else None
    if known_e1rm_kg and reps <= 12:
        implied = e1rm_kg(as_typed, min(reps, 10)) or as_typed
        implied_alt = e1rm_kg(as_alt, min(reps, 10)) or as_alt
        if implied > 1.5 * known_e1rm_kg and 0.5 * known_e1rm_kg <= implied_alt <= 1.25 * known_e1rm_kg:
            return alt
    return None
