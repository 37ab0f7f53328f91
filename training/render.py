"""Markdown for chat: programs, sessions, logged sets, summaries. Every number here comes from code."""

from __future__ import annotations

from powerforge.units import Mass
from training.e1rm import DEFAULT_FORMULA, e1rm_kg
from training.library import library
from training.loads import Max
from training.model import WEEKDAYS, Program
from training.plates import Equipment
from training.progression import SlotState
from training.session import PlannedItem, effective_max, plan_workout
from training.sets import SetRecord
from training.summary import SessionSummary

SECTION_LABEL = {"warmup": "Warm-up", "main": "Main", "accessory": "Accessory", "conditioning": "Conditioning"}


def num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def mass(kg: float | None, unit: str) -> str:
    if kg is None:
        return "—"
    return f"{num(Mass.kgs(kg).to(unit))} {unit}"


def _cell(text: str) -> str:
    return str(text).replace("|", "/").replace("\n", " ")


def table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _scheme(item: PlannedItem) -> str:
    return f"{item.sets}×{item.reps_label}"


def _load_cell(item: PlannedItem, unit: str) -> str:
    shown = item.load.label(unit)
    spec = item.rx.load.label(unit)
    if item.load.mass is not None and item.rx.load.kind not in ("kg", "bodyweight") and spec != shown:
        return f"{shown} ({spec})"
    return shown


def _week_rows(program: Program, week_index: int, maxes, states, eq, unit) -> list[list[str]]:  # noqa: ANN001
    week = program.week(week_index)
    rows = []
    for wo in week.workouts:
        day = f"{wo.day_label} {wo.name}".strip()
        last_section = None
        for item in plan_workout(wo, program, maxes, states, eq):
            ex = item.exercise_name + (f" [{item.rx.group}]" if item.rx.group else "")
            section = SECTION_LABEL[item.section] if item.section != last_section else ""
            rows.append([day, section, ex, _scheme(item), _load_cell(item, unit)])
            day, last_section = "", item.section
    return rows


def program_table(
    program: Program,
    maxes: dict[str, Max],
    eq: Equipment,
    unit: str,
    *,
    states: dict[str, SlotState] | None = None,
    weeks: list[int] | None = None,
    max_rows: int = 80,
) -> str:
    """Week × day × section × exercise with sets, reps and loads; identical consecutive weeks are merged."""
    states = states or {}
    wanted = weeks or [w.index for w in program.weeks]
    runs: list[tuple[list[int], list[list[str]], str]] = []
    for i in wanted:
        rows = _week_rows(program, i, maxes, states, eq, unit)
        w = program.week(i)
        label = w.phase + (" (deload)" if w.deload and "deload" not in w.phase.lower() else "")
        if runs and runs[-1][1] == rows and runs[-1][2] == label and runs[-1][0][-1] == i - 1:
            runs[-1][0].append(i)
        else:
            runs.append(([i], rows, label))
    out_rows: list[list[str]] = []
    shown_to = None
    for idxs, rows, label in runs:
        if out_rows and len(out_rows) + len(rows) > max_rows:
            shown_to = idxs[0]
            break
        wk = f"{idxs[0]}" if len(idxs) == 1 else f"{idxs[0]}–{idxs[-1]}"
        wk += f" {label}" if label else ""
        first = True
        for r in rows:
            out_rows.append([wk if first else "", *r])
            first = False
    head = (
        f"**{program.name}** — {len(program.weeks)} weeks, {program.days_per_week} days/week"
        + (f" · goal: {program.goal}" if program.goal else "")
        + (f" · level: {program.level}" if program.level else "")
    )
    body = table(["Week", "Day", "Section", "Exercise", "Sets × reps", f"Load ({unit})"], out_rows)
    tail = ""
    if shown_to is not None:
        tail = f'\n\n…weeks {shown_to}–{wanted[-1]} not shown here: ask "show week {shown_to}" to see them.'
    missing = sorted(
        {
            library().get(e).name
            for e in program.exercises()
            if _needs_max(program, e) and effective_max(e, maxes, states, "pct_1rm") is None
        }
    )
    if missing:
        tail += f"\n\nLoads marked “needs your max” fill in once you tell me your 1RM for: {', '.join(missing)}."
    return f"{head}\n\n{body}{tail}"


def _needs_max(program: Program, exercise_id: str) -> bool:
    return any(
        p.exercise == exercise_id and p.load.kind in ("pct_1rm", "pct_tm")
        for w in program.weeks
        for wo in w.workouts
        for p in wo.prescriptions()
    )


def session_table(items: list[PlannedItem], unit: str) -> str:
    rows = []
    for n, it in enumerate(items, 1):
        extra = []
        if it.rx.rest_s:
            extra.append(f"rest {it.rx.rest_s // 60}:{it.rx.rest_s % 60:02d}")
        if it.rx.velocity_loss_pct:
            extra.append(f"stop at {num(it.rx.velocity_loss_pct)}% speed loss")
        if it.rx.tempo:
            extra.append(f"tempo {it.rx.tempo}")
        if it.rx.notes:
            extra.append(it.rx.notes)
        name = it.exercise_name + (f" [{it.rx.group}]" if it.rx.group else "")
        rows.append([str(n), name, _scheme(it), _load_cell(it, unit), it.plates or "", "; ".join(extra)])
    return table(["#", "Exercise", "Sets × reps", "Load", "Plates", "Notes"], rows)


def _e1rm_of(r: SetRecord, formula: str | None) -> float | None:
    if formula in (None, DEFAULT_FORMULA) or r.load_kg <= 0:
        return r.e1rm_kg
    return e1rm_kg(r.load_kg, r.reps, r.rpe, formula)


def sets_table(
    records: list[SetRecord], unit: str, names: dict[str, str] | None = None, formula: str | None = None
) -> str:
    """Logged sets as a table; the e1RM column follows the person's formula (None: the stored default)."""
    names = names or {}
    rows = []
    counter: dict[str, int] = {}
    for r in records:
        counter[r.exercise_id] = counter.get(r.exercise_id, 0) + 1
        ex = library().by_id.get(r.exercise_id)
        load = "BW" if r.load_kg == 0 else mass(r.load_kg, unit)
        if r.extra.get("added") and r.load_kg:
            load = f"BW + {load}"
        tags = [
            t
            for t in ("warm-up" if r.warmup else "", "AMRAP" if r.amrap else "", r.group and f"superset {r.group}")
            if t
        ]
        rows.append(
            [
                names.get(r.exercise_id) or (ex.name if ex else r.exercise_id),
                str(counter[r.exercise_id]),
                load,
                f"{num(r.extra['duration_s'])} s" if r.extra.get("duration_s") and not r.reps else str(r.reps),
                num(r.rpe) if r.rpe is not None else "—",
                mass(e1, unit) if (e1 := _e1rm_of(r, formula)) else "—",
                ", ".join(tags) + (f" {r.notes}" if r.notes else ""),
            ]
        )
    return table(["Exercise", "Set", "Load", "Reps", "RPE", "e1RM", "Notes"], rows)


def summary_md(s: SessionSummary, unit: str) -> str:
    lifts = table(
        ["Exercise", "Sets", "Reps", "Top set", f"Volume ({unit})", "Best e1RM"],
        [
            [
                lift.name,
                str(lift.sets),
                str(lift.reps),
                f"{mass(lift.top_load_kg, unit) if lift.top_load_kg else 'BW'} × {lift.top_reps}"
                + (f" @{num(lift.top_rpe)}" if lift.top_rpe else ""),
                num(Mass.kgs(lift.volume_kg).to(unit)),
                mass(lift.best_e1rm_kg, unit) if lift.best_e1rm_kg else "—",
            ]
            for lift in s.lifts
        ],
    )
    muscles = table(["Muscle group", "Hard sets"], [[m.replace("_", " "), num(v)] for m, v in s.hard_sets.items()])
    head = (
        f"**Session:** {s.working_sets} working sets, {s.total_reps} reps, "
        f"volume {num(Mass.kgs(s.volume_kg).to(unit))} {unit}"
        + (f" (+{s.warmup_sets} warm-up sets)" if s.warmup_sets else "")
    )
    return f"{head}\n\n{lifts}\n\n**Hard sets per muscle group** (primary 1, secondary ½)\n\n{muscles}"


def weekday_name(i: int | None) -> str:
    return WEEKDAYS[i] if i is not None else ""
