"""Nutrition application services: one function per user action, typed input and result.

Callers (chat tools, CLI, check-ins) parse their own input, call one service and render what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from nutrition import diary
from nutrition.diary import DiaryError, FoodBook, ItemResult
from nutrition.quantity import DEFAULT_AMOUNT, ParsedItem, QuantityError, parse_amount
from storage import nutrition as repo


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
class MealLogged:
    meal: str
    day: date
    results: list[ItemResult]  # every food phrase: logged ('ok') or waiting on the athlete (candidates, confirm)
    entries: list[Any]  # the diary rows written, one batch

    @property
    def ok(self) -> list[ItemResult]:
        return [r for r in self.results if r.status == "ok"]

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
    return MealLogged(meal, day, results, entries)


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
    start = end - timedelta(days=6)
    totals = repo.daily_totals(account_id, start, end, engine)
    days = []
    for i in range(7):
        d = start + timedelta(days=i)
        t = totals.get(d) or {}
        days.append(DayIntake(d, t.get("kcal") or 0.0, t.get("protein_g") or 0.0))
    target = repo.active_target(account_id, engine)
    return WeekSummary(start, end, days, target.kcal if target else None)


@dataclass(frozen=True)
class ProfileFacts:
    """Profile facts said with a request for targets (all optional; what is said is saved first)."""

    sex: str | None = None
    age: int | None = None
    height_cm: float | None = None
    weight_kg: float | None = None
    activity_level: str | None = None
    goal: str | None = None


@dataclass(frozen=True)
class TargetsProposal:
    """New targets computed from the profile or the logged data; `proposed` is the row awaiting approval, or
    None when the new estimate is too close to the current target to be worth changing."""

    targets: Any  # nutrition.energy.Targets
    why: dict[str, Any]
    source: str  # profile | adaptive
    current: Any  # the active NutritionTarget, if any
    proposed: Any = None  # the proposed NutritionTarget row
    estimate: Any = None  # the adaptive expenditure estimate (adaptive only)


def propose_targets(
    account_id: int, facts: ProfileFacts, *, adaptive: bool, today: date, engine: Engine | None = None
) -> TargetsProposal:
    """Save the facts said, compute targets (Mifflin-St Jeor from the profile, or adaptive from intake and
    the weight trend) and propose them unless they barely differ. One unit of work: a fact that fails a
    check (an impossible weight) saves nothing. Raises EnergyError/AccountError for what is missing or wrong."""
    from nutrition import body
    from powerforge.units import Mass
    from services.uow import unit_of_work
    from storage.accounts import update_profile

    said = {"sex": facts.sex, "height_cm": facts.height_cm, "activity_level": facts.activity_level, "goal": facts.goal}
    changes: dict[str, Any] = {k: v for k, v in said.items() if v}
    if facts.age:
        changes["birth_year"] = today.year - facts.age
    with unit_of_work(engine) as uow:
        if changes:
            update_profile(account_id, changes, uow)
        if facts.weight_kg:
            body.log_weight(account_id, Mass.kgs(facts.weight_kg), today, engine=uow)
        est = None
        if adaptive:
            targets, why, est = body.adaptive_targets(account_id, today, uow)
        else:
            targets, why = body.profile_targets(account_id, today, uow)
        source = "adaptive" if adaptive else "profile"
        current = repo.active_target(account_id, uow)
        proposed = (
            body.propose(account_id, targets, source, why, uow) if body.worth_proposing(current, targets) else None
        )
    return TargetsProposal(targets, why, source, current, proposed, est)
