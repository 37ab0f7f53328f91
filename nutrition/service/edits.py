"""Changing the diary after the fact: undo a log, put removed entries back, change an amount, remove a food,
copy a meal or a day to another day. Each returns the day as it stands after the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from nutrition import diary
from nutrition.diary import DiaryError
from nutrition.nutrients import FIELDS, Nutrients
from nutrition.service.meals import DayTotals, day_totals, entry_nutrients
from services.uow import unit_of_work
from storage import nutrition as repo
from storage.tables.nutrition import NutritionEntry

_KEPT = ("meal", "food_ref", "food_name", "brand", "amount_text", "portion_text", "quantity", "basis", "per100",
         "confidence", "source", "note", *FIELDS)  # fmt: skip


def entry_payload(e: NutritionEntry) -> dict[str, Any]:
    """A removed entry as plain JSON, enough to put it back exactly (the "Put it back" button carries it)."""
    return {k: getattr(e, k) for k in _KEPT} | {"day": e.day.isoformat(), "logged_at": e.logged_at.isoformat()}


@dataclass(frozen=True)
class Removed:
    """Entries taken out of the diary; `payload` puts them back (`restore_entries`)."""

    rows: list[NutritionEntry]
    payload: list[dict[str, Any]]


def undo_food(account_id: int, batch_id: str | None = None, engine: Engine | None = None) -> Removed:
    """Remove one log action: the batch given (an Undo button), else the most recent. Empty when none."""
    with unit_of_work(engine) as uow:
        if batch_id:
            rows = repo.batch_entries(account_id, batch_id, uow)
            repo.delete_entries(account_id, [e.id for e in rows], uow)
        else:
            rows = diary.undo_last(account_id, uow)
    return Removed(rows, [entry_payload(e) for e in rows])


def restore_entries(
    account_id: int, payload: list[dict[str, Any]], *, now: datetime, engine: Engine | None = None
) -> list[NutritionEntry]:
    """Put back entries removed by an undo or a delete (`entry_payload`); `now` stands in for a missing log time."""
    fields = []
    for e in payload:
        e = dict(e)
        e["day"] = date.fromisoformat(e["day"])
        e["logged_at"] = datetime.fromisoformat(e["logged_at"]) if e.get("logged_at") else now
        fields.append(e)
    return repo.add_entries(account_id, fields, engine=engine)


@dataclass(frozen=True)
class EditInput:
    food: str  # the food as the athlete names it ("rice")
    amount: str | None  # the new amount in words ("200 g"); None keeps it (a move only)
    day: date
    entry_id: str | None = None  # an entry picked exactly (wins over the name)
    meal: str | None = None  # the meal it was logged in, when said ("the rice at lunch")
    to_meal: str | None = None  # the meal it belongs to instead ("move the shake to dinner")


@dataclass(frozen=True)
class Edited:
    row: NutritionEntry
    kcal_before: float | None
    nutrients: Nutrients
    totals: DayTotals
    moved_from: str | None = None  # the meal it was in, when the edit moved it

    @property
    def moved(self) -> bool:
        return self.moved_from is not None and self.moved_from != self.row.meal


def edit_food(account_id: int, inp: EditInput, engine: Engine | None = None) -> Edited:
    """Change a logged food's amount (re-computed from the values it was logged with) and/or move it to another meal
    of its day. Raises DiaryError."""
    entry = repo.get_entry(account_id, inp.entry_id, engine) if inp.entry_id else None
    entry = entry or diary.find_entry(account_id, inp.day, inp.food, engine, meal=inp.meal)
    if entry is None:
        where = f" at {inp.meal}" if inp.meal else ""
        raise DiaryError(f"I can't find '{inp.food}'{where} in your diary for {inp.day.isoformat()}.")
    if inp.amount is None and inp.to_meal is None:
        raise DiaryError(f"What should change about the {entry.food_name}: the amount, or the meal it belongs to?")
    before = entry.kcal
    row = diary.edit_amount(account_id, entry, inp.amount, engine) if inp.amount is not None else entry
    if inp.to_meal is not None and inp.to_meal != row.meal:
        row = diary.move_entry(account_id, row, inp.to_meal, engine)
    return Edited(row, before, entry_nutrients(row), day_totals(account_id, inp.day, engine), moved_from=entry.meal)


@dataclass(frozen=True)
class Deleted:
    entry: NutritionEntry
    payload: list[dict[str, Any]]  # puts it back
    totals: DayTotals


def delete_food(
    account_id: int, food: str, day: date, meal: str | None = None, engine: Engine | None = None
) -> Deleted:
    """Remove the latest entry of `day` (and `meal`) that means `food`. Raises DiaryError when there is none."""
    entry = diary.find_entry(account_id, day, food, engine, meal=meal)
    if entry is None:
        raise DiaryError(f"I can't find '{food}' in your diary for {day.isoformat()}.")
    repo.delete_entries(account_id, [entry.id], engine)
    return Deleted(entry, [entry_payload(entry)], day_totals(account_id, day, engine))


@dataclass(frozen=True)
class CopyInput:
    src: date
    dst: date
    meal: str | None = None  # None: the whole day
    to_meal: str | None = None  # None: each entry keeps its meal


@dataclass(frozen=True)
class Copied:
    rows: list[NutritionEntry]  # the new entries, one batch
    totals: DayTotals  # the day copied to

    @property
    def batch_id(self) -> str:
        return self.rows[0].batch_id


def copy_food(account_id: int, inp: CopyInput, engine: Engine | None = None) -> Copied:
    """Copy a meal or a day. Raises DiaryError for a copy onto itself or nothing to copy."""
    if inp.src == inp.dst and (inp.to_meal or inp.meal) == inp.meal:
        raise DiaryError("That would copy the food onto itself; say which day or meal to copy to.")
    rows = diary.copy_entries(account_id, inp.src, inp.dst, inp.meal, inp.to_meal, engine)
    return Copied(rows, day_totals(account_id, inp.dst, engine))
