"""A session's summary: volume (tonnage), top set per lift, hard sets per muscle group.

Hard sets count sets close enough to failure to drive growth: working sets with RPE ≥ 7 (≤ 3 RIR),
or with no RPE logged (a logged working set is assumed hard). A set counts 1 for each primary muscle
and 0.5 for each secondary one (the usual fractional counting). Tonnage leaves out warm-ups and
bodyweight-only sets.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from training.library import Library, library
from training.sets import SetRecord

HARD_RPE = 7.0
SECONDARY_WEIGHT = 0.5


@dataclass
class LiftSummary:
    exercise_id: str
    name: str
    sets: int
    reps: int
    volume_kg: float
    top_load_kg: float
    top_reps: int
    top_rpe: float | None
    best_e1rm_kg: float | None


@dataclass
class SessionSummary:
    lifts: list[LiftSummary] = field(default_factory=list)
    volume_kg: float = 0.0
    working_sets: int = 0
    warmup_sets: int = 0
    total_reps: int = 0
    hard_sets: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "volume_kg": round(self.volume_kg, 1),
            "working_sets": self.working_sets,
            "warmup_sets": self.warmup_sets,
            "total_reps": self.total_reps,
            "hard_sets": {k: round(v, 1) for k, v in self.hard_sets.items()},
            "lifts": [lift.__dict__ for lift in self.lifts],
        }


def is_hard(s: SetRecord) -> bool:
    return not s.warmup and (s.rpe is None or s.rpe >= HARD_RPE)


def summarise(sets: list[SetRecord], lib: Library | None = None) -> SessionSummary:
    """Summary of one session's sets, lifts in the order first performed."""
    lib = lib or library()
    out = SessionSummary()
    by_ex: dict[str, list[SetRecord]] = defaultdict(list)
    hard: dict[str, float] = defaultdict(float)
    for s in sets:
        by_ex[s.exercise_id].append(s)
        if s.warmup:
            out.warmup_sets += 1
            continue
        out.working_sets += 1
        out.total_reps += s.reps
        out.volume_kg += s.volume_kg
        ex = lib.by_id.get(s.exercise_id)
        if ex is not None and is_hard(s):
            for m in ex.primary:
                hard[m] += 1.0
            for m in ex.secondary:
                hard[m] += SECONDARY_WEIGHT
    for ex_id, group in by_ex.items():
        work = [s for s in group if not s.warmup] or group
        top = max(work, key=lambda s: (s.e1rm_kg or 0.0, s.load_kg, s.reps))
        e1s = [s.e1rm_kg for s in work if s.e1rm_kg]
        ex = lib.by_id.get(ex_id)
        out.lifts.append(
            LiftSummary(
                ex_id,
                ex.name if ex else ex_id,
                sum(1 for s in group if not s.warmup),
                sum(s.reps for s in work if not s.warmup),
                sum(s.volume_kg for s in work),
                top.load_kg,
                top.reps,
                top.rpe,
                max(e1s) if e1s else None,
            )
        )
    out.hard_sets = dict(sorted(hard.items(), key=lambda kv: (-kv[1], kv[0])))
    return out
