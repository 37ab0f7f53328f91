"""Personal records: heaviest weight, most reps at a weight, best estimated 1RM.

Bests are a snapshot of history (from storage); new sets are checked in order and update the snapshot,
so the second of two sets logged in one message is compared with the first as well. The very first
set of a lift is a baseline, not a record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from training.sets import SetRecord


@dataclass
class Bests:
    """What a lift's history holds; `reps_at` answers 'most reps ever done at ≥ this load'."""

    exercise_id: str
    has_history: bool
    max_load_kg: float = 0.0
    max_e1rm_kg: float = 0.0
    reps_at: Callable[[float], int] = lambda _load: 0
    _new: list[SetRecord] = field(default_factory=list)

    def best_reps_at(self, load_kg: float) -> int:
        mine = max((s.reps for s in self._new if s.load_kg >= load_kg - 1e-6), default=0)
        return max(self.reps_at(load_kg), mine)


@dataclass(frozen=True)
class PR:
    kind: str  # weight | reps | e1rm
    exercise_id: str
    value: float
    previous: float
    reps: int
    load_kg: float
    set_id: str | None = None

    def describe(self, name: str, unit: str = "kg") -> str:
        def m(kg: float) -> str:
            v = kg if unit == "kg" else kg / 0.45359237
            return f"{v:.1f}".rstrip("0").rstrip(".") + f" {unit}"

        if self.kind == "weight":
            return f"🏆 {name}: heaviest ever, {m(self.value)} (was {m(self.previous)})"
        if self.kind == "reps":
            return f"🏆 {name}: rep PR, {self.reps} reps at {m(self.load_kg)} (best was {int(self.previous)})"
        return f"🏆 {name}: new estimated 1RM {m(self.value)} (was {m(self.previous)})"


def detect_prs(new_sets: list[SetRecord], bests: Bests) -> list[PR]:
    """Records set by `new_sets` (same exercise) against `bests`; warm-ups never count."""
    prs: list[PR] = []
    for s in new_sets:
        if s.warmup or s.load_kg <= 0 or s.reps < 1:
            continue
        if bests.has_history or bests._new:
            if s.load_kg > bests.max_load_kg + 1e-6:
                prs.append(PR("weight", s.exercise_id, s.load_kg, bests.max_load_kg, s.reps, s.load_kg, s.id))
            else:
                prev = bests.best_reps_at(s.load_kg)
                if prev and s.reps > prev:
                    prs.append(PR("reps", s.exercise_id, s.reps, prev, s.reps, s.load_kg, s.id))
            e1 = s.e1rm_kg
            if e1 and bests.max_e1rm_kg and e1 > bests.max_e1rm_kg + 0.05:
                prs.append(PR("e1rm", s.exercise_id, e1, bests.max_e1rm_kg, s.reps, s.load_kg, s.id))
        bests.max_load_kg = max(bests.max_load_kg, s.load_kg)
        bests.max_e1rm_kg = max(bests.max_e1rm_kg, s.e1rm_kg or 0.0)
        bests._new.append(s)
    return prs
