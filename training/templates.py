"""Program templates written as data (`data/templates/*.toml`) and expanded by code into a Program.

A template names its workouts, which workouts make each week for 2-4 training days, and per item
the sets, reps and load; any of these may be a list indexed by the week of the cycle (5/3/1's
65/75/85 % wave, a peaking block's twelve weeks). `start = "70%"` means "an absolute starting load
of 70 % of the 1RM, then progress it" (linear programs). Expansion is deterministic: the same
request gives the same program, and the result passes `validate_program`.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from powerforge.units import Mass
from training.library import library
from training.loads import Max, parse_load_spec, target_kg
from training.model import (
    LoadSpec,
    Prescription,
    Program,
    ProgressionRule,
    Section,
    SectionKind,
    Week,
    Workout,
    ensure_valid,
)
from training.plates import Equipment, round_load

TEMPLATE_DIR = Path(__file__).parent / "data" / "templates"
SECTION_ORDER: tuple[SectionKind, ...] = ("warmup", "main", "accessory", "conditioning")
_REPS = re.compile(r"^\s*(?P<lo>\d+)\s*(?:-\s*(?P<hi>\d+))?\s*(?P<plus>\+)?\s*$")


class TemplateError(ValueError):
    """A request a template cannot serve (e.g. 6 days on a 4-day template)."""


def parse_reps(value: Any) -> tuple[int, int | None, bool]:
    """5 → (5, None, False); '8-12' → (8, 12, False); '5+' → (5, None, True); '15-25+' → (15, 25, True)."""
    if isinstance(value, int):
        return value, None, False
    m = _REPS.match(str(value))
    if not m:
        raise TemplateError(f"'{value}' is not a rep target (5, 8-12, 5+).")
    hi = int(m["hi"]) if m["hi"] else None
    return int(m["lo"]), hi, bool(m["plus"])


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    summary: str
    goal: str
    levels: tuple[str, ...]
    keywords: tuple[str, ...]
    default_days: int
    default_weeks: int
    weeks_range: tuple[int, int]
    cycle: int
    stretch: bool
    deload_weeks: tuple[int, ...]
    auto_deload_every: int
    phases: tuple[str, ...]
    training_max_pct: float
    weekdays: dict[int, tuple[int, ...]]
    schedule: dict[int, tuple[tuple[str, ...], ...]]
    progressions: dict[str, ProgressionRule]
    workouts: dict[str, dict[str, Any]] = field(repr=False)

    @property
    def days(self) -> tuple[int, ...]:
        return tuple(sorted(self.schedule))

    def cycle_week(self, week: int, total: int) -> int:
        """Which week of the template's cycle program week `week` (1-based) of `total` uses."""
        if self.stretch:
            return max(1, min(self.cycle, math.ceil(week * self.cycle / total)))
        return (week - 1) % self.cycle + 1

    def describe(self) -> str:
        days = "/".join(str(d) for d in self.days)
        return f"{self.name} ({days} days a week, {self.weeks_range[0]}-{self.weeks_range[1]} weeks): {self.summary}"


def _load(path: Path) -> Template:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    progressions = {k: ProgressionRule(**v) for k, v in raw.get("progressions", {}).items()}
    return Template(
        id=raw["id"],
        name=raw["name"],
        summary=raw.get("summary", ""),
        goal=raw.get("goal", "strength"),
        levels=tuple(raw.get("levels", ())),
        keywords=tuple(raw.get("keywords", ())),
        default_days=int(raw.get("default_days", 3)),
        default_weeks=int(raw.get("default_weeks", 8)),
        weeks_range=tuple(raw.get("weeks_range", (1, 52))),
        cycle=int(raw.get("cycle", 1)),
        stretch=bool(raw.get("stretch", False)),
        deload_weeks=tuple(raw.get("deload_weeks", ())),
        auto_deload_every=int(raw.get("auto_deload_every", 0)),
        phases=tuple(raw.get("phases", ())),
        training_max_pct=float(raw.get("training_max_pct", 90)),
        weekdays={int(k): tuple(v) for k, v in raw.get("weekdays", {}).items()},
        schedule={int(k): tuple(tuple(w) for w in v) for k, v in raw["schedule"].items()},
        progressions=progressions,
        workouts={w["id"]: w for w in raw["workouts"]},
    )


@lru_cache(maxsize=1)
def templates() -> dict[str, Template]:
    """Every template shipped with the project, by id."""
    out = {}
    for path in sorted(TEMPLATE_DIR.glob("*.toml")):
        t = _load(path)
        out[t.id] = t
    return out


def get_template(template_id: str) -> Template:
    try:
        return templates()[template_id]
    except KeyError:
        raise TemplateError(f"No template '{template_id}'. Templates: {', '.join(templates())}.") from None


def _at(value: Any, j: int) -> Any:
    """A per-week list's value for cycle week `j` (1-based), or the scalar itself."""
    if isinstance(value, list):
        return value[min(j, len(value)) - 1]
    return value


def deload_item(p: Prescription) -> Prescription:
    """A deload version of a prescription: ~40 % fewer sets, ~10 % lighter, 2 RPE easier, no AMRAP."""
    load = p.load
    match load.kind:
        case "pct_1rm" | "pct_tm" | "kg" | "bodyweight":
            load = LoadSpec(kind=load.kind, value=round(load.value * 0.9, 2))
        case "rpe":
            load = LoadSpec(kind="rpe", value=max(5.0, load.value - 2))
        case "rir":
            load = LoadSpec(kind="rir", value=min(5.0, load.value + 2))
    return p.model_copy(update={"sets": max(1, round(p.sets * 0.6)), "load": load, "amrap": False})


def _item(raw: dict[str, Any], j: int, maxes: dict[str, Max], eq: Equipment, tm_pct: float) -> Prescription:
    lo, hi, plus = parse_reps(_at(raw["reps"], j))
    ex = library().get(raw["exercise"])
    if "start" in raw:
        # An absolute starting load from the max (linear programs progress it from there).
        spec = parse_load_spec(str(_at(raw["start"], j)), eq.unit)
        kg, _ = target_kg(spec, lo, maxes.get(ex.id), tm_pct)
        if kg is not None and spec.kind != "rpe":
            load = LoadSpec.absolute(round_load(Mass.kgs(kg), eq, barbell=ex.barbell, equipment=ex.equipment))
        else:
            load = spec if spec.kind in ("rpe", "rir") else LoadSpec(kind="rpe", value=7)
    else:
        load = parse_load_spec(str(_at(raw.get("load", "RPE 8"), j)), eq.unit)
    return Prescription(
        exercise=ex.id,
        sets=int(_at(raw["sets"], j)),
        reps=lo,
        reps_max=hi,
        amrap=plus,
        load=load,
        group=raw.get("group"),
        tempo=raw.get("tempo"),
        rest_s=raw.get("rest_s"),
        velocity_loss_pct=raw.get("velocity_loss_pct"),
        progression=raw.get("progression"),
        slot=raw.get("slot"),
        notes=raw.get("notes", ""),
    )


def expand(
    template: Template,
    *,
    days: int | None = None,
    weeks: int | None = None,
    maxes: dict[str, Max] | None = None,
    equipment: Equipment | None = None,
    name: str | None = None,
    level: str | None = None,
) -> Program:
    """The template as a validated Program for `days` a week over `weeks` weeks."""
    days = days or template.default_days
    if days not in template.schedule:
        raise TemplateError(f"{template.name} runs {' or '.join(map(str, template.days))} days a week, not {days}.")
    weeks = weeks or template.default_weeks
    lo, hi = template.weeks_range
    if not lo <= weeks <= hi:
        raise TemplateError(f"{template.name} runs {lo}-{hi} weeks, not {weeks}.")
    maxes = maxes or {}
    eq = equipment or Equipment.default()
    rotation = template.schedule[days]
    weekdays = template.weekdays.get(days, tuple(range(days)))
    out_weeks: list[Week] = []
    for i in range(1, weeks + 1):
        j = template.cycle_week(i, weeks)
        auto_deload = bool(template.auto_deload_every) and i % template.auto_deload_every == 0
        deload = j in template.deload_weeks or auto_deload
        workouts = []
        for k, wid in enumerate(rotation[(i - 1) % len(rotation)]):
            raw = template.workouts[wid]
            sections: dict[SectionKind, list[Prescription]] = {s: [] for s in SECTION_ORDER}
            for item in raw["items"]:
                if "on_weeks" in item and j not in item["on_weeks"]:
                    continue
                p = _item(item, j, maxes, eq, template.training_max_pct)
                if auto_deload:
                    p = deload_item(p)
                sections[item.get("section", "main")].append(p)
            if not any(sections.values()):
                continue  # e.g. a taper week that drops the accessory day
            workouts.append(
                Workout(
                    name=raw["name"],
                    weekday=weekdays[k] if k < len(weekdays) else None,
                    sections=[Section(kind=s, items=items) for s, items in sections.items() if items],
                )
            )
        phase = template.phases[j - 1] if template.phases and j <= len(template.phases) else ""
        if auto_deload:
            phase = "Deload"
        out_weeks.append(Week(index=i, phase=phase, deload=deload, workouts=workouts))
    program = Program(
        name=name or f"{template.name} – {days} days, {weeks} weeks",
        goal=template.goal,
        level=level or (template.levels[0] if template.levels else "intermediate"),
        template=template.id,
        weeks=out_weeks,
        progressions=dict(template.progressions),
        training_max_pct=template.training_max_pct,
    )
    return ensure_valid(program)
