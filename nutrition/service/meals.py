"""Eating: log a meal, quick add a label's numbers, the day's diary against the targets, the week's averages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from nutrition import diary
from nutrition.diary import DiaryError, FoodBook, ItemResult
from nutrition.foods import Food
from nutrition.nutrients import FIELDS, Nutrients
from nutrition.portion import PortionError, portion
from nutrition.quantity import DEFAULT_AMOUNT, ParsedItem, QuantityError, parse_amount
from storage import nutrition as repo
from storage.tables.nutrition import NutritionEntry


@dataclass(frozen=True)
class DayTotals:
    """A day's diary with what was eaten and, when targets are set, what is left of them."""

    day: date
    entries: list[NutritionEntry]
    eaten: Nutrients
    target: dict[str, float | None] | None  # the active targets by nutrient; None: no targets yet

    @property
    def left(self) -> dict[str, float]:
        """Target minus eaten for every nutrient that has a target (negative: over)."""
        if self.target is None:
            return {}
        return {f: v - (getattr(self.eaten, f) or 0.0) for f, v in self.target.items() if v is not None}

    @property
    def kcal_left(self) -> float | None:
        """Calories left of a calorie target; None without one."""
        if not self.target or not self.target.get("kcal"):
            return None
        return (self.target["kcal"] or 0.0) - (self.eaten.kcal or 0.0)


def active_targets(account_id: int, engine: Engine | None = None) -> dict[str, float | None] | None:
    t = repo.active_target(account_id, engine)
    if t is None:
        return None
    return {"kcal": t.kcal, "protein_g": t.protein_g, "carbs_g": t.carbs_g, "fat_g": t.fat_g, "fiber_g": t.fiber_g}


def day_totals(account_id: int, day: date, engine: Engine | None = None) -> DayTotals:
    """The diary of `day` (every meal), its totals and the active targets: what "how much is left?" shows."""
    entries = repo.list_entries(account_id, day, engine=engine)
    return DayTotals(day, entries, diary.day_totals(entries), active_targets(account_id, engine))


def entry_nutrients(entry: NutritionEntry) -> Nutrients:
    """The nutrients a diary row was logged with."""
    return Nutrients(**{f: getattr(entry, f) for f in FIELDS})


class MealError(ValueError):
    """A meal line that cannot be logged as said (nothing was stored); the message says what to write."""


@dataclass(frozen=True)
class MealInput:
    """A meal as said: a line, foods split with amounts, or one food picked from buttons (`food_ref`)."""

    text: str | None = None
    items: list[tuple[str, str]] = field(default_factory=list)  # (food, amount in words)
    food_ref: str | None = None
    amount: str | None = None  # for food_ref
    label: str = ""  # what the athlete called the food_ref
    meal: str | None = None  # None: said in the line, else by the local clock
    day: date | None = None  # None: said in the line ("yesterday"), else today
    confirm: bool = False  # an unusual amount the athlete confirmed


@dataclass(frozen=True)
class FoodOption:
    """One food an unclear phrase could mean, with what the amount said would be of it."""

    food: Food
    how: str | None  # the portion in words; None when the amount does not fit this food
    kcal: float | None


def food_options(item: ItemResult, limit: int = 4) -> list[FoodOption]:
    """The candidates of an ambiguous phrase, best first, each priced for the amount said."""
    out = []
    for c in item.candidates[:limit]:
        try:
            p = portion(c.food, item.amount, item.food_text)
            out.append(FoodOption(c.food, p.how, p.nutrients(c.food).kcal))
        except PortionError:
            out.append(FoodOption(c.food, None, None))
    return out


@dataclass(frozen=True)
class MealLogged:
    meal: str
    day: date
    results: list[ItemResult]  # every food phrase: logged ('ok') or waiting on the athlete (candidates, confirm)
    entries: list[Any]  # the diary rows written, one batch
    totals: DayTotals | None = None  # the day after the log (None when nothing was logged)

    @property
    def ok(self) -> list[ItemResult]:
        return [r for r in self.results if r.status == "ok"]

    def options(self, item: ItemResult) -> list[FoodOption]:
        """What an ambiguous item could be (empty for any other)."""
        return food_options(item) if item.status == "ambiguous" else []

    @property
    def batch_id(self) -> str | None:
        return self.entries[0].batch_id if self.entries else None


def log_meal(account_id: int, inp: MealInput, *, local_now: datetime, engine: Engine | None = None) -> MealLogged:
    """Resolve the foods (never guessing: unclear ones come back with candidates) and log the sure ones."""
    book = FoodBook(account_id, engine)
    line_meal: str | None = None
    offset: int | None = None
    try:
        if inp.food_ref:
            results = [diary.resolve_ref(inp.food_ref, inp.amount, book, inp.confirm, inp.label)]
        elif inp.items:
            results = []
            for food, amount_text in inp.items:
                amount = parse_amount(amount_text) if amount_text.strip() else DEFAULT_AMOUNT
                item = ParsedItem(food, amount, f"{amount_text} {food}".strip())
                results.append(diary.resolve_item(item, book, inp.confirm))
        elif inp.text:
            results, line_meal, offset = diary.resolve_line(inp.text, book, inp.confirm)
        else:
            raise MealError("Tell me what you ate, e.g. '2 eggs and a slice of toast for breakfast'.")
    except (DiaryError, QuantityError) as e:
        raise MealError(str(e)) from e
    if not results:
        raise MealError("I couldn't find any food in that; try e.g. '150 g oats and 300 ml whole milk'.")
    meal = inp.meal or line_meal or diary.meal_for_time(local_now)
    day = inp.day or local_now.date() + timedelta(days=offset or 0)
    source = "button" if inp.food_ref else "chat"
    entries = diary.log_results(account_id, results, day, meal, source, engine)
    return MealLogged(meal, day, results, entries, day_totals(account_id, day, engine) if entries else None)


@dataclass(frozen=True)
class QuickAddInput:
    """Calories (and macros) without a food: a label's numbers or a guess the athlete made themselves."""

    nutrients: Nutrients
    meal: str | None = None  # None: by the local clock
    day: date | None = None  # None: today
    name: str = "Quick add"


@dataclass(frozen=True)
class QuickAdded:
    entry: NutritionEntry
    meal: str
    day: date
    nutrients: Nutrients
    totals: DayTotals


def quick_add(account_id: int, inp: QuickAddInput, *, local_now: datetime, engine: Engine | None = None) -> QuickAdded:
    """Log the numbers as one entry. Raises DiaryError when there are no calories or macros to add."""
    meal = inp.meal or diary.meal_for_time(local_now)
    day = inp.day or local_now.date()
    entry = diary.quick_add(account_id, inp.nutrients, day, meal, inp.name, engine)
    return QuickAdded(entry, meal, day, inp.nutrients, day_totals(account_id, day, engine))


@dataclass(frozen=True)
class DayIntake:
    day: date
    kcal: float  # 0 when nothing was logged that day
    protein_g: float


@dataclass(frozen=True)
class WeekSummary:
    """Seven days of eating ending on `end`, with averages over the days that have a log."""

    start: date
    end: date
    days: list[DayIntake]
    target_kcal: float | None

    @property
    def logged(self) -> list[DayIntake]:
        return [d for d in self.days if d.kcal > 0]

    @property
    def avg_kcal(self) -> float:
        """Mean over logged days only: an unlogged day is unknown, not zero."""
        return sum(d.kcal for d in self.logged) / len(self.logged) if self.logged else 0.0

    @property
    def avg_protein_g(self) -> float:
        return sum(d.protein_g for d in self.logged) / len(self.logged) if self.logged else 0.0


def week_summary(account_id: int, end: date, engine: Engine | None = None) -> WeekSummary:
    """The seven days ending on `end`, each with its calories and protein (0 when unlogged), and the kcal target."""
    start = end - timedelta(days=6)
    totals = repo.daily_totals(account_id, start, end, engine)
    days = []
    for i in range(7):
        d = start + timedelta(days=i)
        t = totals.get(d) or {}
        days.append(DayIntake(d, t.get("kcal") or 0.0, t.get("protein_g") or 0.0))
    target = active_targets(account_id, engine)
    return WeekSummary(start, end, days, target["kcal"] if target else None)
