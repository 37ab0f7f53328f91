"""Foods: what a food holds (without logging it), barcodes, favourites and recent foods, custom foods and
recipes. Which food a phrase means and which amounts to offer are decided here; the buttons are the caller's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from nutrition import diary
from nutrition.custom import RecipeResult, create_custom_food, create_recipe
from nutrition.diary import DiaryError, FoodBook
from nutrition.foods import Food
from nutrition.meal_text import parse_meal_line
from nutrition.normalise import normalise_product
from nutrition.nutrients import Nutrients
from nutrition.off import OffClient
from nutrition.portion import PortionError, portion
from nutrition.products import BarcodeLookup, lookup_barcode
from nutrition.quantity import ParsedItem, QuantityError, parse_amount
from storage import nutrition as repo

__all__ = [
    "BarcodeOffer",
    "FactRow",
    "FavouriteSaved",
    "FoodChoices",
    "FoodFacts",
    "OfferedAmount",
    "Pick",
    "QuickPicks",
    "RecipeResult",
    "RecipeSaved",
    "add_favourite",
    "barcode_offer",
    "create_custom_food",
    "create_recipe",
    "food_facts",
    "quick_picks",
    "save_recipe",
    "search_products",
]


@dataclass(frozen=True)
class FoodChoices:
    """A phrase that could be several foods: the athlete picks one (nothing was done yet)."""

    said: str
    amount_text: str
    foods: list[Food]


@dataclass(frozen=True)
class FavouriteSaved:
    food: Food
    amount_text: str  # the usual amount, "" when none was said


def add_favourite(
    account_id: int, food: str | None = None, food_ref: str | None = None, amount: str = "",
    engine: Engine | None = None,
) -> FavouriteSaved | FoodChoices:  # fmt: skip
    """Save a food (a phrase with its amount, or one picked by ref) as a favourite; a phrase that is not clearly
    one food comes back as choices. Raises DiaryError for no food or an unknown one."""
    book = FoodBook(account_id, engine)
    if food_ref:
        chosen, amount_text = book.by_ref(food_ref), amount
    elif food:
        item, match = _named_food(book, food, "Which food?", "")
        if not match.confident:
            return FoodChoices(item.food, item.amount.text, [h.food for h in match.hits[:4]])
        chosen, amount_text = match.hits[0].food, item.amount.text
    else:
        raise DiaryError("Which food should I add to your favourites?")
    repo.add_favourite(account_id, chosen.ref, chosen.label, amount_text, engine)
    return FavouriteSaved(chosen, amount_text)


def _named_food(book: FoodBook, text: str, ask: str, unknown_hint: str) -> tuple[ParsedItem, Any]:
    """The first food a phrase names and what the book found for it; DiaryError when none is named or known."""
    line = parse_meal_line(text, book.is_food)
    if not line.items:
        raise DiaryError(ask)
    item = line.items[0]
    match = book.find(item.food)
    if not match.hits:
        raise DiaryError(f"I don't know '{item.food}'.{unknown_hint}")
    return item, match


@dataclass(frozen=True)
class Pick:
    ref: str
    name: str
    amount_text: str
    favourite: bool  # else a recent food


@dataclass(frozen=True)
class QuickPicks:
    """Foods to log again with one tap, into the meal of the local clock today."""

    picks: list[Pick]  # favourites first, then recent foods that are not favourites
    favourite_refs: list[str]
    recent_refs: list[str]
    meal: str
    day: date


def quick_picks(account_id: int, *, local_now: datetime, engine: Engine | None = None) -> QuickPicks:
    favs = repo.list_favourites(account_id, engine)
    recent = repo.recent_foods(account_id, 8, engine)
    picks = [Pick(f.food_ref, f.name, f.amount_text, True) for f in favs]
    fav_refs = {f.food_ref for f in favs}
    picks += [Pick(r["food_ref"], r["name"], r["amount_text"], False) for r in recent if r["food_ref"] not in fav_refs]
    return QuickPicks(picks, [f.food_ref for f in favs], [r["food_ref"] for r in recent],
                      diary.meal_for_time(local_now), local_now.date())  # fmt: skip


@dataclass(frozen=True)
class FactRow:
    food: Food
    how: str  # the portion in words ("1 medium (118 g)"), or "100 g" when the amount does not fit the food
    nutrients: Nutrients


@dataclass(frozen=True)
class FoodFacts:
    """What a food holds for the amount said (nothing is logged): one row when the food is clear, else up to four."""

    said: str
    amount_text: str
    confident: bool
    rows: list[FactRow]
    meal: str  # where a "log it" button would put it (by the local clock)
    day: date


def food_facts(account_id: int, query: str, *, local_now: datetime, engine: Engine | None = None) -> FoodFacts:
    """Raises DiaryError when no food is named or none is known."""
    book = FoodBook(account_id, engine)
    item, match = _named_food(book, query, "Which food? e.g. 'how many calories in 100 g oats'.",
                              " Try another name or a barcode.")  # fmt: skip
    rows = []
    for hit in match.hits[: (1 if match.confident else 4)]:
        f = hit.food
        try:
            p = portion(f, item.amount, item.food)
            rows.append(FactRow(f, p.how, p.nutrients(f)))
        except PortionError:
            rows.append(FactRow(f, f"100 {f.basis}", f.per100))
    return FoodFacts(item.food, item.amount.text, match.confident, rows, diary.meal_for_time(local_now),
                     local_now.date())  # fmt: skip


def search_products(query: str, settings: Any, limit: int = 8) -> list[Food]:
    """Packaged products on Open Food Facts by name. Raises OffUnavailable when it can't be reached."""
    products = OffClient.from_settings(settings).search(query, page_size=limit)
    return [normalise_product(p, str(p.get("code", ""))) for p in products if p.get("code")]


@dataclass(frozen=True)
class OfferedAmount:
    amount_text: str  # "330 ml", "1 serving", "100 g", "1 package"
    quantity: float | None  # in `basis`; None when the amount does not fit the food
    basis: str  # g or ml
    kcal: float | None


@dataclass(frozen=True)
class BarcodeOffer:
    """A product found by barcode with the amounts worth offering (what was said, a serving, 100, the package)."""

    lookup: BarcodeLookup
    amounts: list[OfferedAmount]
    meal: str
    day: date


def barcode_offer(
    code: str, *, amount: str | None, meal: str | None, day: date | None, local_now: datetime, settings: Any,
    engine: Engine | None = None,
) -> BarcodeOffer:  # fmt: skip
    """Look a barcode up (cache, then Open Food Facts). Raises BarcodeError (bad code), ProductUnavailable."""
    found = lookup_barcode(code, settings, engine)
    amounts: list[OfferedAmount] = []
    food = found.food
    if food is not None:
        options: list[str] = [amount] if amount else []
        if food.measures and food.measures[0].name.startswith("serving"):
            options.append("1 serving")
        options.append("100 ml" if food.basis == "ml" else "100 g")
        if len(food.measures) > 1 and food.measures[-1].name.startswith("package"):
            options.append("1 package")
        for opt in dict.fromkeys(options):
            try:
                p = portion(food, parse_amount(opt), food.name)
                amounts.append(OfferedAmount(opt, p.quantity, p.basis, p.nutrients(food).kcal))
            except (QuantityError, PortionError):
                amounts.append(OfferedAmount(opt, None, food.basis, None))
    return BarcodeOffer(found, amounts, meal or diary.meal_for_time(local_now), day or local_now.date())


@dataclass(frozen=True)
class RecipeSaved:
    recipe: RecipeResult
    meal: str  # where "log a serving now" puts it (by the local clock)
    day: date


def save_recipe(
    account_id: int, name: str, ingredients: str, servings: float, *, local_now: datetime,
    engine: Engine | None = None,
) -> RecipeSaved:  # fmt: skip
    """Save a recipe from its ingredient line; it is then logged by servings. Raises DiaryError for an
    ingredient that is unclear or unknown (nothing is saved)."""
    result = create_recipe(account_id, name, ingredients, servings, engine)
    return RecipeSaved(result, diary.meal_for_time(local_now), local_now.date())
