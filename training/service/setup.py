"""The athlete's setup: stated maxes, bar and plates, and the plate maths that uses them.

`SetupError` carries a message for the athlete; nothing was saved when it is raised.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Engine

from powerforge.units import Mass
from services.uow import unit_of_work
from storage import training as repo
from training.library import library
from training.plates import BarLoad, Equipment, PlateError, load_bar
from training.render import num


class SetupError(ValueError):
    """A max, bar or plate that cannot be real, or a load the plates cannot make (nothing saved)."""


@dataclass(frozen=True)
class SavedMax:
    name: str
    kind: str  # "1rm" | "tm"
    kg: float


@dataclass(frozen=True)
class MaxesSaved:
    unit: str
    maxes: list[SavedMax]


def set_maxes(
    account_id: int,
    maxes: dict[str, float],
    *,
    unit: str | None = None,
    kind: str = "1rm",
    engine: Engine | None = None,
) -> MaxesSaved:
    """Record stated 1RMs (or training maxes) by exercise name; all of them or none (one unit of work)."""
    unit = unit or repo.display_unit(account_id, engine)
    checked: list[tuple[str, str, float]] = []
    for name, value in maxes.items():
        ex = library().resolve(name).exercise or library().by_id.get(name)
        if ex is None:
            raise SetupError(f"I don't know the exercise '{name}'.")
        kg = Mass.of(value, unit).kg
        if not 1 <= kg <= ex.max_load_kg:
            raise SetupError(f"{num(value)} {unit} is not a possible max for {ex.name}.")
        checked.append((ex.id, ex.name, kg))
    repo.ensure_library(engine)  # shared reference rows, committed before the action (see services.uow)
    with unit_of_work(engine) as uow:
        for ex_id, _name, kg in checked:
            if kind == "tm":
                repo.set_max(account_id, ex_id, training_max_kg=kg, engine=uow)
            else:
                repo.set_max(account_id, ex_id, one_rm_kg=kg, engine=uow)
    return MaxesSaved(unit, [SavedMax(name, kind, kg) for _id, name, kg in checked])


def set_equipment(
    account_id: int,
    *,
    bar: float | None = None,
    plates: list[float] | None = None,
    unit: str | None = None,
    engine: Engine | None = None,
) -> Equipment:
    """Change the bar and/or the plates (pairs: four of 20 and up, two of the rest); a new unit without plates
    starts from that unit's standard set."""
    cur = repo.get_equipment(account_id, engine)
    unit = unit or cur.unit
    try:
        if unit != cur.unit and plates is None:
            base = Equipment.default(unit)
            cur = Equipment(unit=unit, bar=base.bar, plates=base.plates, dumbbell_step=base.dumbbell_step,
                            machine_step=base.machine_step)  # fmt: skip
        eq = Equipment(
            unit=unit,
            bar=bar if bar is not None else cur.bar,
            plates=tuple((p, 4 if p >= 20 else 2) for p in sorted(set(plates), reverse=True)) if plates else cur.plates,
            collars=cur.collars,
            dumbbell_step=cur.dumbbell_step,
            machine_step=cur.machine_step,
        )
    except PlateError as e:
        raise SetupError(str(e)) from e
    repo.set_equipment(account_id, eq, engine)
    return eq


@dataclass(frozen=True)
class PlatesPlan:
    load: float
    unit: str  # the unit the load was asked in
    equipment: Equipment
    bar: BarLoad


def plates_for(
    account_id: int,
    load: float,
    unit: str | None = None,
    engine: Engine | None = None,
    bar: float | None = None,
    bar_unit: str | None = None,
) -> PlatesPlan:
    """The plates per side for `load` on the athlete's own plates, and their bar unless another is named
    ('on a 15 kg bar': that bar for this answer only, the saved equipment is unchanged)."""
    eq = repo.get_equipment(account_id, engine)
    unit = unit or eq.unit
    if bar is not None:
        m = Mass.of(bar, bar_unit or unit)
        eq = replace(eq, bar=round(m.kg if eq.unit == "kg" else m.lb, 3))
    try:
        b = load_bar(Mass.of(load, unit), eq)
    except PlateError as e:
        raise SetupError(str(e)) from e
    return PlatesPlan(load, unit, eq, b)
