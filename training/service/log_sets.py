"""Logging performed sets: one user action, one unit of work.

Resolves each exercise (asking when unsure, never guessing), fills a missing load from today's plan or the
bodyweight rule, checks kg against lb and plausibility, creates exercises the athlete asked to add, links
the sets to today's planned session, stores them, finds PRs and decides progression for the lifts of the
planned workout whose prescribed sets are all done (a draft the athlete applies with a button). All of it
commits together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from powerforge.units import Mass
from services.uow import unit_of_work
from storage import training as repo
from storage.accounts import get_profile, update_profile
from training.library import Exercise, library
from training.model import Program, Week, Workout
from training.parse import ParsedEntry
from training.plausibility import STRENGTH_RATIO, suspect_unit
from training.progression import Decision, Performed, SlotState, decide
from training.prs import PR, detect_prs
from training.render import num
from training.schedule import local_today
from training.session import plan_item
from training.sets import ImplausibleSet, SetRecord, check_set


class SetLogError(ValueError):
    """Something the athlete must fix or add before the sets can be logged; nothing was stored."""


@dataclass(frozen=True)
class SetInput:
    """What the athlete said, parsed: the entries and their answers to earlier questions."""

    entries: list[ParsedEntry]
    unit: str | None = None  # unit said for the whole message
    explicit_unit: bool = False  # some load in the line carried its own unit
    exercise_id: str | None = None  # the answer to "which exercise is X?" ('new' = add it as typed)
    unit_answer: str | None = None  # the answer to "kg or lb?" (remembered for loads typed without a unit)


@dataclass(frozen=True)
class NeedsExercise:
    """A typed name that is no known exercise: ask which one (nothing was logged)."""

    typed: str
    candidates: list[Exercise]


@dataclass(frozen=True)
class NeedsUnit:
    """A unitless load that looks like the other unit for this athlete: ask (nothing was logged)."""

    value: float
    unit: str
    suggested: str
    reps: int
    name: str
    reason: str


@dataclass
class LoggedSets:
    session_id: str
    records: list[SetRecord]
    names: dict[str, str]  # exercise id → name
    unit: str  # the account's display unit
    e1rm_formula: str | None
    prs: list[PR] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "used today's planned load"
    progression: list[str] = field(default_factory=list)
    progression_draft_id: str | None = None
    session_volume_kg: float = 0.0
    e1rm_history: list[Any] = field(default_factory=list)  # of the last exercise logged, for its chart

    @property
    def by_exercise(self) -> dict[str, list[SetRecord]]:
        out: dict[str, list[SetRecord]] = {}
        for r in self.records:
            out.setdefault(r.exercise_id, []).append(r)
        return out


def log_sets(
    account_id: int, inp: SetInput, *, now: datetime, engine: Engine | None = None
) -> LoggedSets | NeedsExercise | NeedsUnit:
    """Log the sets of one message. Raises `SetLogError` (nothing stored) for a set that cannot be logged."""
    repo.ensure_library(engine)  # shared reference rows, committed before the action (see services.uow)
    with unit_of_work(engine) as uow:
        return _log_sets(account_id, inp, now, uow)


def _plan_now(account_id: int, now: datetime, uow: Engine):
    """(program row, program, scheduled session, open session) for linking and planned loads."""
    sess = repo.open_session(account_id, now, uow)
    active = repo.active_program(account_id, uow)
    if active is None:
        return None, None, None, sess
    row, program = active
    if sess is not None:
        sched = repo.get_scheduled(account_id, sess.scheduled_id, uow) if sess.scheduled_id else None
    else:
        sched = repo.next_scheduled(account_id, uow)
    return row, program, sched, sess


def workout_of(program: Program | None, sched: Any) -> tuple[Week | None, Workout | None]:
    if program is None or sched is None:
        return None, None
    try:
        week = program.week(sched.week_index)
        return week, week.workouts[sched.day_index]
    except (KeyError, IndexError):
        return None, None


def _resolve(
    account_id: int, inp: SetInput, last_ex: Any, uow: Engine
) -> list[tuple[ParsedEntry, str, Exercise | None]] | NeedsExercise:
    """Which exercise each entry is: the library's, a custom one, the athlete's pick, or a question."""
    resolved: list[tuple[ParsedEntry, str, Exercise | None]] = []
    for e in inp.entries:
        typed = e.exercise_text
        if not typed:
            if last_ex is None:
                raise SetLogError("Which exercise was that? e.g. “squat 140x5”.")
            resolved.append((e, last_ex.exercise_id, library().by_id.get(last_ex.exercise_id)))
            continue
        r = library().resolve(typed)
        if r.exercise is not None:
            resolved.append((e, r.exercise.id, r.exercise))
        elif (custom := repo.find_custom_exercise(account_id, typed, uow)) is not None:
            resolved.append((e, custom.id, None))
        elif inp.exercise_id == "new":
            resolved.append((e, "new:" + typed, None))
        elif inp.exercise_id and inp.exercise_id in library().by_id:
            resolved.append((e, inp.exercise_id, library().by_id[inp.exercise_id]))
        else:
            return NeedsExercise(typed, list(r.candidates))
    return resolved


def _log_sets(account_id: int, inp: SetInput, now: datetime, uow: Engine) -> LoggedSets | NeedsExercise | NeedsUnit:
    profile = get_profile(account_id, uow)
    unit_said = inp.unit
    if inp.unit_answer:  # the answer to "kg or lb?" is remembered: loads typed without a unit are in it
        update_profile(account_id, {"typed_load_unit": inp.unit_answer}, uow)
        unit_said = inp.unit_answer
    remembered = inp.unit_answer or profile.typed_load_unit
    unit_show = repo.display_unit(account_id, uow)
    unit_default = remembered or unit_show
    row, program, sched, sess = _plan_now(account_id, now, uow)
    _week, workout = workout_of(program, sched)
    maxes = repo.get_maxes(account_id, uow)
    eq = repo.get_equipment(account_id, uow)
    states: dict[str, SlotState] = repo.get_progress(account_id, row.lineage_id, uow) if row else {}

    # 1. which exercise each entry is (ask when unsure, never guess)
    last_ex = repo.last_set(account_id, engine=uow) if sess else None
    resolved = _resolve(account_id, inp, last_ex, uow)
    if isinstance(resolved, NeedsExercise):
        return resolved

    # 2. numbers: loads, units, plausibility (nothing is stored if anything is off)
    records: list[SetRecord] = []
    notes_out: list[str] = []
    for e, ex_id, ex in resolved:
        name = ex.name if ex else e.exercise_text
        planned = None
        if workout is not None and program is not None and any(p.exercise == ex_id for p in workout.prescriptions()):
            rx = next(p for p in workout.prescriptions() if p.exercise == ex_id)
            planned = plan_item(rx, program, maxes, states, eq)
        known = repo.recent_e1rm(account_id, ex_id, now, uow) if ex else None
        if known is None and ex is not None and ex_id in maxes:
            known = maxes[ex_id].one_rm(90)
        for s in e.sets:
            unit = s.unit or unit_said or unit_default
            value = s.load
            added = s.added
            if value is None:
                if ex is not None and ex.equipment == "bodyweight":
                    value, unit = 0.0, "kg"
                elif planned is not None and planned.load.mass is not None:
                    value, unit = planned.load.mass.to(unit_show), unit_show
                    notes_out.append(f"{name}: used today's planned load {planned.load.label(unit_show)}")
                elif ex is not None and not ex.loadable:
                    value, unit = 0.0, "kg"
                else:
                    raise SetLogError(
                        f"What weight did you use for {name} ({len(e.sets)}×{s.reps})? e.g. “{e.exercise_text or name} "
                        f"{len(e.sets)}x{s.reps} at 100”."
                    )
            timed = s.duration_s is not None
            if s.reps < 1 and not timed:
                raise SetLogError(f"How many reps did you get on {name}? e.g. “{e.exercise_text} {num(value)}x9”.")
            unitless = s.unit is None and unit_said is None and not inp.explicit_unit
            if ex is not None and unitless and value and not remembered:
                others = {} if known else _other_e1rms(account_id, now, uow)
                names = repo.exercise_names(account_id, list(others), uow)
                sus = suspect_unit(value, unit, s.reps, ex, known, others, {i: names.get(i, i) for i in others})
                if sus is not None:
                    return NeedsUnit(value, unit, sus.unit, s.reps, name, sus.reason)
            load = Mass.of(value, unit)
            if ex is not None and ex.equipment == "bodyweight" and value:
                added = True  # a weight on a pull-up or dip is added to the body
            if ex is not None:
                try:
                    check_set(ex, load, max(s.reps, 1) if timed else s.reps, s.rpe)
                except ImplausibleSet as err:
                    raise SetLogError(str(err)) from err
            elif load.kg > 600 or s.reps > 100:
                raise SetLogError(f"{num(value)} {unit} × {s.reps} is not a set I can log; check the numbers.")
            records.append(
                SetRecord(
                    exercise_id=ex_id, load_kg=round(load.kg, 3), reps=s.reps, rpe=s.rpe, warmup=e.warmup,
                    amrap=s.amrap, notes=e.notes, group=e.group,
                    extra={"duration_s": s.duration_s, "added": added, "entered_value": value, "entered_unit": unit,
                           "set_type": "warmup" if e.warmup else "normal"},
                )
            )  # fmt: skip

    # 3. custom exercises the person asked to add, then PR baselines (history before this message)
    for r in records:
        if r.exercise_id.startswith("new:"):
            r.exercise_id = repo.create_custom_exercise(account_id, r.exercise_id[4:], uow)
    by_ex: dict[str, list[SetRecord]] = {}
    for r in records:
        by_ex.setdefault(r.exercise_id, []).append(r)
    bests = {ex_id: repo.bests(account_id, ex_id, engine=uow) for ex_id in by_ex}

    link = None
    today = local_today(repo.account_tz(account_id, uow), now)
    if (
        sess is None
        and sched is not None
        and workout is not None
        and sched.planned_date <= today + timedelta(days=6)
        and any(p.exercise in by_ex for p in workout.prescriptions())
    ):
        link = sched.id
    session, rows = repo.log_sets(
        account_id, records, now=now, program_id=row.id if (row and link) else None, scheduled_id=link,
        session_name=workout.name if (workout and link) else "", engine=uow,
    )  # fmt: skip
    for rec, stored in zip(records, rows, strict=True):
        rec.id = stored.id
    prs = [pr for ex_id, recs in by_ex.items() for pr in detect_prs(recs, bests[ex_id])]
    names = repo.exercise_names(account_id, list(by_ex), uow)
    result = LoggedSets(
        session_id=session.id, records=records, names=names, unit=unit_show, e1rm_formula=profile.e1rm_formula,
        prs=prs, notes=notes_out,
    )  # fmt: skip

    # 4. progression for lifts of today's planned workout whose prescribed sets are all done
    sched_now = repo.get_scheduled(account_id, session.scheduled_id, uow) if session.scheduled_id else None
    if row is not None and program is not None and sched_now is not None:
        new_states = _progression(account_id, session.id, program, sched_now, by_ex, states, maxes, eq, result, uow)
        if new_states:
            applied = [x for x in result.progression if x.startswith("Next")]
            draft = repo.create_draft(
                account_id, "progression", {"lineage_id": row.lineage_id, "states": new_states, "lines": applied},
                summary="; ".join(applied), engine=uow,
            )  # fmt: skip
            result.progression_draft_id = draft.id
    result.session_volume_kg = repo.session_volume(account_id, session.id, uow)
    chart_ex = records[-1].exercise_id
    result.e1rm_history = repo.e1rm_history(account_id, chart_ex, since=now - timedelta(days=365), engine=uow)
    return result


def _progression(
    account_id: int, session_id: str, program: Program, sched: Any, by_ex: dict[str, list[SetRecord]],
    states: dict[str, SlotState], maxes: dict[str, Any], eq: Any, result: LoggedSets, uow: Engine,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Progression decisions for the planned lifts just finished (lines into `result`); the new slot states."""
    new_states: dict[str, dict[str, Any]] = {}
    wk, wo = workout_of(program, sched)
    if wo is None:
        return new_states
    all_sets = [repo.to_record(x) for x in repo.session_sets(account_id, session_id, uow)]
    seen: set[str] = set()
    for rx in wo.prescriptions():
        rule = program.progressions.get(rx.progression or "")
        if rule is None or rx.exercise not in by_ex or rx.key in seen:
            continue
        seen.add(rx.key)
        done = [Performed(x.load_kg, x.reps, x.rpe, x.amrap) for x in all_sets
                if x.exercise_id == rx.exercise and not x.warmup]  # fmt: skip
        st = states.get(rx.key if rule.kind != "wave" else rx.exercise, SlotState())
        need = rule.stages[st.stage][0] if rule.stages and st.stage < len(rule.stages) else rx.sets
        if rule.kind == "wave":
            need = sum(p.sets for p in wo.prescriptions() if p.exercise == rx.exercise and p.progression)
        name = result.names.get(rx.exercise, rx.exercise)
        if len(done) < need:
            result.progression.append(f"{name}: {len(done)} of {need} sets done")
            continue
        plan = plan_item(rx, program, maxes, states, eq)
        target = plan.load.mass.kg if plan.load.mass is not None else None
        cycle = rule.cycle_weeks or 1
        dec: Decision = decide(
            rule, rx, st, done, library().get(rx.exercise), eq, target_kg=target,
            week_in_cycle=((wk.index - 1) % cycle) + 1 if wk else None, deload_week=bool(wk and wk.deload),
        )  # fmt: skip
        if (dec.state != st and dec.action != "hold") or (
            dec.action == "hold" and dec.state.reps_target != st.reps_target
        ):
            new_states[rx.key if rule.kind != "wave" else rx.exercise] = dec.state.as_dict()
        result.progression.append(dec.describe(name, result.unit))
    return new_states


def _other_e1rms(account_id: int, now: datetime, uow: Engine) -> dict[str, float]:
    """Recent e1RMs of the main barbell lifts (what the kg-or-lb check compares a new lift with)."""
    out = {}
    for ex_id in STRENGTH_RATIO:
        if (v := repo.recent_e1rm(account_id, ex_id, now, uow)) is not None:
            out[ex_id] = v
    return out
