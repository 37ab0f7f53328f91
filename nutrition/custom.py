"""Custom foods (label values typed by the person) and recipes (ingredients -> per-serving values).

A recipe is stored as a food whose per-100 g values are the ingredients' sum over the batch weight,
with one serving = batch weight / servings; its ingredients are kept with the values they brought, so
the recipe can be shown and audited later.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from nutrition.diary import DiaryError, FoodBook, ItemResult, food_from_row, resolve_line
from nutrition.foods import Food
from nutrition.nutrients import FIELDS, Nutrients, total
from nutrition.quantity import QuantityError, parse_amount
from nutrition.text import key
from storage import nutrition as repo


@dataclass
class RecipeResult:
    food: Food
    items: list[ItemResult]
    totals: Nutrients
    total_g: float
    servings: float

    @property
    def per_serving(self) -> Nutrients:
        return self.totals.scaled(1 / self.servings)


def create_custom_food(
    account_id: int,
    name: str,
    nutrients: Nutrients,
    per: str = "100 g",
    *,
    brand: str = "",
    serving_name: str = "serving",
    engine: Engine | None = None,
) -> Food:
    """Save a food from label values given per `per` ('100 g', '100 ml', '1 serving (30 g)', '40 g')."""
    name = " ".join(name.split())
    if not name:
        raise DiaryError("A custom food needs a name.")
    if nutrients.kcal is None:
        raise DiaryError("A custom food needs its calories (kcal) at least.")
    try:
        amount = parse_amount(per.replace("serving", "").replace("(", " ").replace(")", " ").strip() or "100 g")
    except QuantityError as e:
        raise DiaryError(f"'{per}' is not an amount like '100 g', '250 ml' or '30 g'.") from e
    if amount.kind not in ("mass", "volume") or amount.value <= 0:
        raise DiaryError("Give the label's amount in grams or ml (e.g. 'per 100 g' or 'per serving of 30 g').")
    basis = "ml" if amount.kind == "volume" else "g"
    if amount.mass is not None:
        qty = amount.mass.g
    elif amount.volume is not None:
        qty = amount.volume.ml
    else:  # kind is mass or volume (checked above), so one of them is set
        raise DiaryError("Give the label's amount in grams or ml (e.g. 'per 100 g' or 'per serving of 30 g').")
    per100 = nutrients.scaled(100.0 / qty)
    for f in ("protein_g", "carbs_g", "fat_g"):
        v = getattr(per100, f)
        if v is not None and v > 100:
            raise DiaryError(f"Those values give {v:.0f} g of {f[:-2]} per 100 {basis}; please check the label.")
    fields = {
        "kind": "custom",
        "name": name,
        "name_key": key(name),
        "brand": brand,
        "basis": basis,
        **{f: getattr(per100, f) for f in FIELDS},
        "serving_g": qty if abs(qty - 100) > 1e-9 else None,
        "serving_name": serving_name,
    }
    return food_from_row(repo.create_food(account_id, fields, engine))


def create_recipe(
    account_id: int, name: str, ingredients: str, servings: float = 1.0, engine: Engine | None = None
) -> RecipeResult:
    """Resolve every ingredient (all must be clear) and save the recipe; nothing is saved otherwise."""
    name = " ".join(name.split())
    if not name:
        raise DiaryError("A recipe needs a name.")
    if servings <= 0:
        raise DiaryError("A recipe makes at least one serving.")
    book = FoodBook(account_id, engine)
    items, _meal, _day = resolve_line(ingredients, book, confirm=True)
    if not items:
        raise DiaryError("List the ingredients with amounts, e.g. '200 g oats, 500 ml whole milk, 2 bananas'.")
    problems = [r for r in items if r.status != "ok"]
    if problems:
        lines = "; ".join(
            f"{r.food_text}: " + (r.message if r.status != "ambiguous" else "several foods match, name it more exactly")
            for r in problems
        )
        raise DiaryError(f"I couldn't place every ingredient — {lines}")
    # a resolved ("ok") item always carries its food and portion
    placed = [(r, r.food, r.portion) for r in items if r.food is not None and r.portion is not None]
    grams = sum(portion.quantity for _r, _food, portion in placed)
    totals = total([r.nutrients for r in items if r.nutrients])
    per100 = totals.scaled(100.0 / grams)
    fields = {
        "name": name,
        "name_key": key(name),
        "basis": "g",
        **{f: getattr(per100, f) for f in FIELDS},
        "serving_g": grams / servings,
        "serving_name": "serving",
        "servings": servings,
        "total_g": grams,
    }
    recipe_items = [
        {
            "food_ref": food.ref,
            "food_name": food.name,
            "amount_text": r.amount_text or r.amount.describe(),
            "quantity": portion.quantity,
            "basis": portion.basis,
            **{f: getattr(r.nutrients, f) for f in FIELDS},
        }
        for r, food, portion in placed
    ]
    row = repo.create_recipe(account_id, fields, recipe_items, engine)
    return RecipeResult(food_from_row(row), items, totals, grams, servings)
