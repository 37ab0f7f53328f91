"""A planned session: a workout's prescriptions with loads computed for this person today.

Loads come from the prescription (%1RM, %TM, RPE/RIR, kg) and the person's maxes, overridden by
progression state (a linear lift's current working weight, a wave's current training max, a GZCLP
stage's sets × reps), and are rounded to their plates.
"""

from __future__ import annotations

from dataclasses import dataclass

from powerforge.units import Mass
from training.library import library
from training.loads import ComputedLoad, Max, compute_load
from training.model import LoadSpec, Prescription, Program, Workout
from training.plates import Equipment, PlateError, load_bar
from training.progression import SlotState


@dataclass(frozen=True)
class PlannedItem:
    rx: Prescription
    exercise_name: str
    section: str
    sets: int
    reps_label: str
    reps: int
    load: ComputedLoad
    plates: str = ""

    def as_dict(self, unit: str) -> dict:
        return {
            "exercise": self.rx.exercise,
            "name": self.exercise_name,
            "section": self.section,
            "sets": self.sets,
            "reps": self.reps_label,
            "load": self.load.label(unit),
            "load_kg": None if self.load.mass is None else round(self.load.mass.kg, 2),
            "spec": self.rx.load.label(unit),
            "plates": self.plates,
            "group": self.rx.group,
            "rest_s": self.rx.rest_s,
            "notes": self.rx.notes,
            "velocity_loss_pct": self.rx.velocity_loss_pct,
        }


def effective_max(exercise_id: str, maxes: dict[str, Max], states: dict[str, SlotState], kind: str) -> Max | None:
    """The max percentages refer to: a wave's current value when one runs on this lift, else the stored max."""
    base = maxes.get(exercise_id)
    parent = library().by_id[exercise_id].base if exercise_id in library().by_id else None
    if base is None and parent and (parent in maxes or parent in states):
        p = effective_max(parent, maxes, states, kind)
        ratio = library().by_id[exercise_id].ratio
        if p is not None:
            return Max(
                p.one_rm_kg * ratio if p.one_rm_kg else None,
                p.training_max_kg * ratio if p.training_max_kg else None,
            )
    st = states.get(exercise_id)
    if st is not None and st.tm_kg:
        if kind == "pct_tm":
            return Max(base.one_rm_kg if base else None, st.tm_kg)
        return Max(st.tm_kg, base.training_max_kg if base else None)
    return base


def plan_item(
    rx: Prescription,
    program: Program,
    maxes: dict[str, Max],
    states: dict[str, SlotState],
    eq: Equipment,
    section: str = "main",
) -> PlannedItem:
    ex = library().get(rx.exercise)
    st = states.get(rx.key)
    rule = program.progressions.get(rx.progression or "")
    sets, reps, reps_label = rx.sets, rx.reps, rx.reps_label()
    spec = rx.load
    if st is not None and rule is not None and rule.kind in ("linear", "double", "rpe"):
        if rule.stages and 0 <= st.stage < len(rule.stages):
            sets, reps = rule.stages[st.stage]
            reps_label = f"{reps}+" if rx.amrap else str(reps)
        if rule.kind == "double" and st.reps_target:
            reps_label = f"{st.reps_target} (range {rx.reps}-{rx.reps_max or rx.reps})"
        if st.load_kg:
            spec = LoadSpec(kind="kg", value=st.load_kg)
    load = compute_load(spec, reps, ex, effective_max(ex.id, maxes, states, spec.kind), eq, program.training_max_pct)
    plates = ""
    if ex.barbell and load.mass is not None and load.mass.kg > 0:
        try:
            plates = load_bar(load.mass, eq).describe()
        except PlateError:
            plates = ""
    return PlannedItem(rx, ex.name, section, sets, reps_label, reps, load, plates)


def plan_workout(
    workout: Workout,
    program: Program,
    maxes: dict[str, Max],
    states: dict[str, SlotState] | None = None,
    eq: Equipment | None = None,
) -> list[PlannedItem]:
    """Every prescription of `workout` with today's numbers."""
    eq = eq or Equipment.default()
    states = states or {}
    return [plan_item(rx, program, maxes, states, eq, s.kind) for s in workout.sections for rx in s.items]


def warmup_ramp(work: Mass, eq: Equipment) -> list[tuple[Mass, int]]:
    """A warm-up ramp to a barbell work set: empty bar ×10, then ~40/60/80 % with falling reps."""
    bar = eq.mass(eq.bar)
    out: list[tuple[Mass, int]] = [(bar, 10)]
    for pct, reps in ((0.4, 5), (0.6, 3), (0.8, 2)):
        kg = work.kg * pct
        if kg <= bar.kg + 1e-6:
            continue
        m = load_bar(Mass.kgs(kg), eq, mode="down").mass
        if m.kg > out[-1][0].kg and m.kg < work.kg:
            out.append((m, reps))
    return out
