"""The program model: Program → week (with its phase) → workout → section → exercise prescription.

Types live in pydantic models (so a model's structured output and the database's JSON load into the
same objects); the rules a coach would check live in `validate_program`, which returns every problem
as a sentence, so a drafting model can be told exactly what to fix and a person sees why a program
was refused. A program that fails validation is never saved.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from powerforge.units import Mass
from training.library import Library, library

LoadKind = Literal["kg", "pct_1rm", "pct_tm", "rpe", "rir", "velocity", "bodyweight"]
SectionKind = Literal["warmup", "main", "accessory", "conditioning"]
ProgressionKind = Literal["linear", "double", "wave", "rpe", "none"]
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

LIMITS = {
    "reps": (1, 50),
    "sets": (1, 20),
    "pct": (1.0, 110.0),
    "rpe": (5.0, 10.0),
    "rir": (0.0, 5.0),
    "velocity": (0.1, 2.0),
    "kg": (0.0, 600.0),
    "rest_s": (0, 900),
    "velocity_loss_pct": (5.0, 50.0),
    "weeks": (1, 52),
    "workouts_per_week": (1, 7),
    "sets_per_workout": (1, 45),
}


class LoadSpec(BaseModel):
    """How heavy: absolute kg, % of 1RM, % of training max, an RPE or RIR target, a bar speed, or bodyweight."""

    model_config = ConfigDict(frozen=True)

    kind: LoadKind
    value: float = 0.0  # kg | % | RPE | RIR | m/s | added kg for bodyweight

    @classmethod
    def absolute(cls, mass: Mass) -> LoadSpec:
        return cls(kind="kg", value=round(mass.kg, 3))

    def label(self, unit: str = "kg") -> str:
        v = self.value
        match self.kind:
            case "kg":
                return f"{_num(Mass.kgs(v).to(unit))} {unit}"
            case "pct_1rm":
                return f"{_num(v)}% 1RM"
            case "pct_tm":
                return f"{_num(v)}% TM"
            case "rpe":
                return f"RPE {_num(v)}"
            case "rir":
                return f"{_num(v)} RIR"
            case "velocity":
                return f"{_num(v)} m/s"
            case _:
                return "BW" if not v else f"BW + {_num(Mass.kgs(v).to(unit))} {unit}"


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


class Prescription(BaseModel):
    """One exercise in a workout: sets × reps (or a range, or AMRAP on the last set) at a load."""

    exercise: str = Field(description="exercise id from the library")
    sets: int
    reps: int
    reps_max: int | None = Field(default=None, description="top of a rep range (8-12 → reps 8, reps_max 12)")
    amrap: bool = Field(default=False, description="last set as many reps as possible; reps is the minimum")
    load: LoadSpec = LoadSpec(kind="rpe", value=8)
    group: str | None = Field(default=None, description="superset/circuit label shared by its exercises")
    tempo: str | None = None  # eccentric-pause-concentric-pause, e.g. 3-1-1-0
    rest_s: int | None = None
    velocity_loss_pct: float | None = Field(default=None, description="stop the set at this % speed loss")
    progression: str | None = Field(default=None, description="key of a rule in Program.progressions")
    slot: str | None = Field(default=None, description="progression state key when one lift has two roles")
    notes: str = ""

    @property
    def key(self) -> str:
        """Where this prescription's progression state lives (exercise id unless a slot is named)."""
        return self.slot or self.exercise

    def reps_label(self) -> str:
        r = f"{self.reps}-{self.reps_max}" if self.reps_max and self.reps_max != self.reps else str(self.reps)
        return f"{r}+" if self.amrap else r

    def scheme(self) -> str:
        return f"{self.sets}×{self.reps_label()}"


class Section(BaseModel):
    kind: SectionKind = "main"
    items: list[Prescription] = Field(default_factory=list)


class Workout(BaseModel):
    name: str
    weekday: int | None = Field(default=None, description="0 = Monday … 6 = Sunday")
    sections: list[Section] = Field(default_factory=list)

    def prescriptions(self) -> list[Prescription]:
        return [p for s in self.sections for p in s.items]

    @property
    def day_label(self) -> str:
        return WEEKDAYS[self.weekday][:3] if self.weekday is not None else ""


class Week(BaseModel):
    index: int
    phase: str = ""
    deload: bool = False
    workouts: list[Workout] = Field(default_factory=list)


class ProgressionRule(BaseModel):
    """A progression rule as data; `training.progression` evaluates it against what was logged.

    linear: add increment when every set hit its reps; on a miss repeat, after `stall_limit` misses in a
        row move to the next stage (e.g. 5×3 → 6×2 → 10×1, GZCLP) or, with no stage left, deload.
    double: keep the load until every set reaches the top of the rep range, then add and drop to the bottom.
    wave: percentages of a training max; after each `cycle_weeks` the TM rises if the AMRAP set made its reps.
    rpe: next load = e1RM of the top set × %1RM(reps, target RPE) from the chart.
    """

    kind: ProgressionKind = "linear"
    increment_upper_kg: float = 2.5
    increment_lower_kg: float = 5.0
    stall_limit: int = 3
    deload_pct: float = 10.0
    stages: list[tuple[int, int]] = Field(default_factory=list, description="(sets, reps) per stage")
    cycle_weeks: int = 4
    target_rpe: float | None = None


class Program(BaseModel):
    """A whole program; loads stay as specs and are computed from the person's maxes when shown."""

    name: str
    goal: str = "strength"  # strength | hypertrophy | powerlifting | general
    level: str = "intermediate"
    template: str | None = None
    weeks: list[Week] = Field(default_factory=list)
    progressions: dict[str, ProgressionRule] = Field(default_factory=dict)
    training_max_pct: float = 90.0
    notes: str = ""

    @property
    def days_per_week(self) -> int:
        return max((len(w.workouts) for w in self.weeks), default=0)

    def week(self, index: int) -> Week:
        for w in self.weeks:
            if w.index == index:
                return w
        raise KeyError(f"This program has no week {index} (it has {len(self.weeks)}).")

    def exercises(self) -> set[str]:
        return {p.exercise for w in self.weeks for wo in w.workouts for p in wo.prescriptions()}

    def planned_workouts(self, start: date) -> list[tuple[int, int, str, date]]:
        """(week, day index, workout name, date) of every workout when the program starts on `start` (the
        calendar rule is `training.schedule.plan_dates`; storage calls this to write the planned sessions)."""
        from training.schedule import plan_dates

        return plan_dates(self, start)


class ProgramInvalid(ValueError):
    """A program that breaks the rules; `problems` lists each one as a sentence."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "; ".join(problems[:8]) + (f"; and {len(problems) - 8} more" if len(problems) > 8 else "")
        super().__init__(f"The program has {len(problems)} problem(s): {shown}")


_TEMPO = re.compile(r"^\d{1,2}[-/]?(\d{1,2}|x)[-/]?(\d{1,2}|x)[-/]?\d{0,2}$", re.I)


def _in(value: float, key: str) -> bool:
    lo, hi = LIMITS[key]
    return lo <= value <= hi


def check_load(load: LoadSpec) -> str | None:
    """Why a load spec is impossible, or None."""
    v = load.value
    if load.kind in ("pct_1rm", "pct_tm") and not _in(v, "pct"):
        return f"{_num(v)}% is not a usable percentage (1-110%)"
    if load.kind == "rpe" and (not _in(v, "rpe") or abs(v * 2 - round(v * 2)) > 1e-9):
        return f"RPE {_num(v)} is not a target (5-10 in half steps)"
    if load.kind == "rir" and not _in(v, "rir"):
        return f"{_num(v)} RIR is not a target (0-5)"
    if load.kind == "velocity" and not _in(v, "velocity"):
        return f"{_num(v)} m/s is not a bar-speed target (0.1-2.0 m/s)"
    if load.kind in ("kg", "bodyweight") and not _in(v, "kg"):
        return f"{_num(v)} kg is not a possible load"
    return None


def validate_program(p: Program, lib: Library | None = None) -> list[str]:
    """Every rule the program breaks, as sentences naming week, workout and exercise."""
    lib = lib or library()
    out: list[str] = []
    if not p.name.strip():
        out.append("The program needs a name.")
    if not p.weeks:
        return [*out, "The program has no weeks."]
    if not _in(len(p.weeks), "weeks"):
        out.append(f"{len(p.weeks)} weeks is too long; programs run 1-52 weeks.")
    if not 50 <= p.training_max_pct <= 100:
        out.append(f"A training max of {_num(p.training_max_pct)}% of 1RM makes no sense (50-100%).")
    for name, rule in p.progressions.items():
        if rule.kind == "rpe" and rule.target_rpe is None:
            out.append(f"Progression '{name}' is RPE-based but has no target RPE.")
        if rule.increment_lower_kg < 0 or rule.increment_upper_kg < 0 or not 0 <= rule.deload_pct <= 50:
            out.append(f"Progression '{name}' has a negative increment or a deload outside 0-50%.")
    expected = [w.index for w in p.weeks]
    if expected != list(range(1, len(p.weeks) + 1)):
        out.append("Weeks must be numbered 1, 2, 3… in order.")
    for week in p.weeks:
        where_w = f"Week {week.index}"
        if not week.workouts:
            out.append(f"{where_w} has no workouts.")
        if len(week.workouts) > 7:
            out.append(f"{where_w} has {len(week.workouts)} workouts; a week has at most 7 training days.")
        days = [w.weekday for w in week.workouts if w.weekday is not None]
        if len(days) != len(set(days)):
            out.append(f"{where_w} puts two workouts on the same weekday.")
        if any(d not in range(7) for d in days):
            out.append(f"{where_w} has a weekday outside Monday-Sunday.")
        for wo in week.workouts:
            where = f"{where_w}, {wo.name or 'unnamed workout'}"
            items = wo.prescriptions()
            if not items:
                out.append(f"{where} is empty.")
                continue
            total_sets = sum(i.sets for i in items)
            if total_sets > LIMITS["sets_per_workout"][1]:
                out.append(f"{where} has {total_sets} sets; more than 45 in one session is not a plan.")
            groups: dict[str, int] = {}
            for item in items:
                out.extend(_check_item(item, where, p, lib))
                if item.group:
                    groups[item.group] = groups.get(item.group, 0) + 1
            out.extend(
                f"{where}: superset '{g}' has one exercise; it needs two or more." for g, n in groups.items() if n < 2
            )
    return out


def _check_item(item: Prescription, where: str, p: Program, lib: Library) -> list[str]:
    out: list[str] = []
    ex = lib.by_id.get(item.exercise)
    label = ex.name if ex else item.exercise
    at = f"{where}, {label}"
    if ex is None:
        out.append(f"{where}: '{item.exercise}' is not an exercise in the library.")
    if not _in(item.sets, "sets"):
        out.append(f"{at}: {item.sets} sets is outside 1-20.")
    if not _in(item.reps, "reps"):
        out.append(f"{at}: {item.reps} reps is outside 1-50.")
    if item.reps_max is not None and not (item.reps <= item.reps_max <= LIMITS["reps"][1]):
        out.append(f"{at}: rep range {item.reps}-{item.reps_max} must go up and stay within 1-50.")
    if problem := check_load(item.load):
        out.append(f"{at}: {problem}.")
    if item.load.kind in ("pct_1rm", "pct_tm", "velocity") and ex is not None and not ex.loadable:
        out.append(f"{at}: a percentage or bar-speed load needs a loaded exercise.")
    if item.load.kind == "kg" and ex is not None and item.load.value > ex.max_load_kg:
        out.append(f"{at}: {_num(item.load.value)} kg is beyond anything lifted on this exercise.")
    if item.rest_s is not None and not _in(item.rest_s, "rest_s"):
        out.append(f"{at}: rest {item.rest_s} s is outside 0-900 s.")
    if item.velocity_loss_pct is not None and not _in(item.velocity_loss_pct, "velocity_loss_pct"):
        out.append(f"{at}: a velocity-loss stop of {_num(item.velocity_loss_pct)}% is outside 5-50%.")
    if item.tempo and not _TEMPO.match(item.tempo.strip()):
        out.append(f"{at}: tempo '{item.tempo}' should look like 3-1-1-0.")
    if item.progression and item.progression not in p.progressions:
        out.append(f"{at}: progression '{item.progression}' is not defined in the program.")
    return out


def ensure_valid(p: Program, lib: Library | None = None) -> Program:
    """`p` when it passes every rule, else ProgramInvalid listing them."""
    problems = validate_program(p, lib)
    if problems:
        raise ProgramInvalid(problems)
    return p
