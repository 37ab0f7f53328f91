"""Progression rules (data in `ProgressionRule`) evaluated by code against what was logged.

State per prescription key (working load, stage, misses in a row, training max) lives in storage;
this module turns (rule, prescription, state, performed sets) into a `Decision` that the person sees
and approves: "next squat: 3×5 at 142.5 kg (+2.5 kg, every set made)". Nothing changes unapproved.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from powerforge.units import Mass
from training import rpe as rpe_chart
from training.e1rm import e1rm_kg
from training.library import Exercise
from training.model import Prescription, ProgressionRule
from training.plates import Equipment, round_load


@dataclass(frozen=True)
class SlotState:
    """Where one lift stands in its progression."""

    load_kg: float | None = None  # current working load (linear, double)
    stage: int = 0  # index into rule.stages
    failures: int = 0  # misses in a row
    reps_target: int | None = None  # double progression: reps aimed for this time
    tm_kg: float | None = None  # wave: the training max

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict | None) -> SlotState:
        return cls(**{k: v for k, v in (d or {}).items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Performed:
    load_kg: float
    reps: int
    rpe: float | None = None
    amrap: bool = False


@dataclass(frozen=True)
class Decision:
    """What to do next time; `state` is the new state to store when the person approves."""

    action: str  # increase | repeat | next_stage | deload | hold | tm_up | tm_down | adjust
    state: SlotState
    sets: int
    reps: int
    load_kg: float | None
    reason: str

    def describe(self, name: str, unit: str = "kg") -> str:
        load = (
            ""
            if self.load_kg is None
            else f" at {Mass.kgs(self.load_kg).to(unit):.2f}".rstrip("0").rstrip(".") + f" {unit}"
        )
        return f"Next {name}: {self.sets}×{self.reps}{load} — {self.reason}"


def increment_kg(rule: ProgressionRule, exercise: Exercise) -> float:
    return rule.increment_lower_kg if exercise.lower_body else rule.increment_upper_kg


def _round(kg: float, exercise: Exercise, eq: Equipment) -> float:
    return round(round_load(Mass.kgs(kg), eq, barbell=exercise.barbell, equipment=exercise.equipment).kg, 3)


def _stage_scheme(rule: ProgressionRule, rx: Prescription, stage: int) -> tuple[int, int]:
    if rule.stages and 0 <= stage < len(rule.stages):
        return rule.stages[stage]
    return rx.sets, rx.reps


def made_it(sets_needed: int, reps_needed: int, target_kg: float | None, done: list[Performed]) -> bool:
    """Every prescribed set done for its reps at (≥ 99 % of) the target load."""
    work = [p for p in done if target_kg is None or p.load_kg >= target_kg * 0.99 - 1e-6]
    if len(work) < sets_needed:
        return False
    return all(p.reps >= reps_needed for p in work[:sets_needed])


def decide(
    rule: ProgressionRule,
    rx: Prescription,
    state: SlotState,
    done: list[Performed],
    exercise: Exercise,
    eq: Equipment,
    *,
    target_kg: float | None = None,
    week_in_cycle: int | None = None,
    deload_week: bool = False,
) -> Decision:
    """Apply `rule` to this session's sets of one prescription."""
    if not done:
        return Decision("hold", state, rx.sets, rx.reps, state.load_kg, "nothing logged for it yet")
    if deload_week:
        return Decision("hold", state, rx.sets, rx.reps, state.load_kg, "deload week: no progression from it")
    match rule.kind:
        case "linear":
            return _linear(rule, rx, state, done, exercise, eq, target_kg)
        case "double":
            return _double(rule, rx, state, done, exercise, eq, target_kg)
        case "wave":
            return _wave(rule, rx, state, done, exercise, eq, week_in_cycle)
        case "rpe":
            return _rpe(rule, rx, state, done, exercise, eq)
    return Decision("hold", state, rx.sets, rx.reps, state.load_kg, "this lift has no progression rule")


def _linear(rule, rx, state, done, exercise, eq, target_kg) -> Decision:  # noqa: ANN001
    load = state.load_kg or target_kg or max(p.load_kg for p in done)
    sets, reps = _stage_scheme(rule, rx, state.stage)
    inc = increment_kg(rule, exercise)
    if made_it(sets, reps, load, done):
        new = replace(state, load_kg=_round(load + inc, exercise, eq), failures=0)
        return Decision("increase", new, sets, reps, new.load_kg, f"+{inc:g} kg: every set made")
    misses = state.failures + 1
    if misses < rule.stall_limit:
        new = replace(state, load_kg=load, failures=misses)
        return Decision(
            "repeat",
            new,
            sets,
            reps,
            load,
            f"missed reps ({misses} of {rule.stall_limit} before a change): repeat the load",
        )
    if rule.stages and state.stage + 1 < len(rule.stages):
        s2, r2 = rule.stages[state.stage + 1]
        new = replace(state, load_kg=load, stage=state.stage + 1, failures=0)
        return Decision("next_stage", new, s2, r2, load, f"stalled at {sets}×{reps}: same load as {s2}×{r2}")
    deload = _round(load * (1 - rule.deload_pct / 100), exercise, eq)
    s0, r0 = _stage_scheme(rule, rx, 0)
    new = replace(state, load_kg=deload, stage=0, failures=0)
    return Decision(
        "deload",
        new,
        s0,
        r0,
        deload,
        f"stalled {rule.stall_limit}× in a row: deload {rule.deload_pct:g}% and build back",
    )


def _double(rule, rx, state, done, exercise, eq, target_kg) -> Decision:  # noqa: ANN001
    top = rx.reps_max or rx.reps
    load = state.load_kg or target_kg or max(p.load_kg for p in done)
    at_load = [p for p in done if p.load_kg >= load * 0.99 - 1e-6][: rx.sets]
    inc = increment_kg(rule, exercise)
    if len(at_load) >= rx.sets and all(p.reps >= top for p in at_load):
        new = replace(state, load_kg=_round(load + inc, exercise, eq), reps_target=rx.reps, failures=0)
        return Decision(
            "increase",
            new,
            rx.sets,
            rx.reps,
            new.load_kg,
            f"every set reached {top}: +{inc:g} kg, back to {rx.reps} reps",
        )
    if len(at_load) >= rx.sets and all(p.reps >= rx.reps for p in at_load):
        aim = min(top, min(p.reps for p in at_load) + 1)
        new = replace(state, load_kg=load, reps_target=aim, failures=0)
        return Decision("hold", new, rx.sets, aim, load, f"same load, aim for {aim} reps per set (top of range {top})")
    misses = state.failures + 1
    if misses >= rule.stall_limit:
        deload = _round(load * (1 - rule.deload_pct / 100), exercise, eq)
        new = replace(state, load_kg=deload, reps_target=rx.reps, failures=0)
        return Decision(
            "deload",
            new,
            rx.sets,
            rx.reps,
            deload,
            f"below {rx.reps} reps {misses}× in a row: deload {rule.deload_pct:g}%",
        )
    new = replace(state, load_kg=load, failures=misses)
    return Decision(
        "repeat", new, rx.sets, rx.reps, load, f"below the bottom of the range ({rx.reps}): repeat the load"
    )


def _wave(rule, rx, state, done, exercise, eq, week_in_cycle) -> Decision:  # noqa: ANN001
    tm = state.tm_kg
    amraps = [p for p in done if p.amrap]
    last_wave_week = max(1, rule.cycle_weeks - 1)  # the AMRAP week before the deload week
    if tm is None or not amraps or week_in_cycle != last_wave_week:
        return Decision(
            "hold", state, rx.sets, rx.reps, None, f"training max moves after week {last_wave_week} of each cycle"
        )
    inc = increment_kg(rule, exercise)
    if all(p.reps >= rx.reps for p in amraps):
        new = replace(state, tm_kg=round(tm + inc, 2), failures=0)
        return Decision(
            "tm_up", new, rx.sets, rx.reps, None, f"AMRAP made: training max {tm:g} → {new.tm_kg:g} kg next cycle"
        )
    lowered = round(tm * (1 - rule.deload_pct / 100), 2)
    new = replace(state, tm_kg=lowered, failures=0)
    return Decision(
        "tm_down", new, rx.sets, rx.reps, None, f"AMRAP short of {rx.reps}: training max {tm:g} → {lowered:g} kg"
    )


def _rpe(rule, rx, state, done, exercise, eq) -> Decision:  # noqa: ANN001
    target = rule.target_rpe or (rx.load.value if rx.load.kind == "rpe" else None)
    if rx.load.kind == "rir":
        target = 10 - rx.load.value
    rated = [p for p in done if p.rpe is not None and p.rpe >= 7 and p.reps <= rpe_chart.MAX_REPS]
    if target is None or not rated:
        return Decision(
            "hold", state, rx.sets, rx.reps, state.load_kg, "log an RPE (e.g. @8) to autoregulate the next load"
        )
    top = max(rated, key=lambda p: e1rm_kg(p.load_kg, p.reps, p.rpe) or 0)
    e1 = e1rm_kg(top.load_kg, top.reps, top.rpe) or top.load_kg
    reps = min(rx.reps, rpe_chart.MAX_REPS)
    nxt = _round(e1 * rpe_chart.percent_1rm(reps, target, extrapolate=True) / 100, exercise, eq)
    new = replace(state, load_kg=nxt, failures=0)
    arrow = "up" if nxt > top.load_kg else ("down" if nxt < top.load_kg else "unchanged")
    return Decision(
        "adjust",
        new,
        rx.sets,
        rx.reps,
        nxt,
        f"e1RM {e1:.1f} kg from {top.load_kg:g}×{top.reps} @{top.rpe:g}: "
        f"{reps} @ RPE {target:g} is {nxt:g} kg ({arrow})",
    )


def initial_states(program, maxes: dict, tm_of) -> dict[str, SlotState]:  # noqa: ANN001
    """Progression state to seed when a program is saved: a linear lift's start load, a wave's training max.

    `tm_of(exercise_id, kind)` returns the max that a percentage of `kind` refers to (or None).
    """
    out: dict[str, SlotState] = {}
    for w in program.weeks:
        for wo in w.workouts:
            for rx in wo.prescriptions():
                rule = program.progressions.get(rx.progression or "")
                if rule is None or rule.kind == "none":
                    continue
                if rule.kind == "wave":
                    if rx.exercise not in out and rx.load.kind in ("pct_tm", "pct_1rm"):
                        base = tm_of(rx.exercise, rx.load.kind)
                        if base:
                            out[rx.exercise] = SlotState(tm_kg=round(base, 2))
                    continue
                if rx.key not in out:
                    out[rx.key] = SlotState(load_kg=rx.load.value if rx.load.kind == "kg" else None)
    return out
