"""Custom foods, recipes and favourites."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.nutrition.common import DOMAIN, _local, _nutrients_line
from nutrition import diary, render
from nutrition.custom import create_custom_food, create_recipe
from nutrition.diary import DiaryError, FoodBook
from nutrition.meal_text import parse_meal_line
from nutrition.nutrient_text import parse_nutrient_text
from nutrition.nutrients import FIELDS, Nutrients, fmt
from storage import nutrition as repo


# =========================================================================== custom foods, recipes, favourites
class CustomFoodArgs(BaseModel):
    """Save a food from its label values, e.g.
    'create food Protein bar: 200 kcal, 20 g protein, 22 g carbs, 7 g fat per 60 g'."""

    name: str
    kcal: float = Field(ge=0, le=2000)
    protein_g: float | None = Field(default=None, ge=0)
    carbs_g: float | None = Field(default=None, ge=0)
    fat_g: float | None = Field(default=None, ge=0)
    fiber_g: float | None = Field(default=None, ge=0)
    sugars_g: float | None = Field(default=None, ge=0)
    sat_fat_g: float | None = Field(default=None, ge=0)
    sodium_mg: float | None = Field(default=None, ge=0)
    per: str = Field(default="100 g", description="the amount the values are for: '100 g', '250 ml', '60 g'")
    brand: str = ""


_CUSTOM_RE = re.compile(
    r"^\s*(?:create|add|save|new|make)\s+(?:a\s+)?(?:custom\s+)?food\s+(?P<name>[^:]+?)\s*[:\-–]\s*(?P<rest>.+)$", re.I
)
_PER_RE = re.compile(
    r"\bper\s+(?:serving\s+(?:of\s+)?|bar\s+|portion\s+|piece\s+)?\(?\s*(?P<amt>\d+(?:[.,]\d+)?\s*(?:g|ml|oz))\b", re.I
)


def _match_custom(text: str, _a: list[Attachment]) -> CustomFoodArgs | None:
    m = _CUSTOM_RE.match(text)
    if not m:
        return None
    values = parse_nutrient_text(m.group("rest"))
    if "kcal" not in values:
        return None
    per = _PER_RE.search(m.group("rest"))
    return CustomFoodArgs.model_validate(
        {"name": m.group("name").strip(), "per": per.group("amt") if per else "100 g", **values}
    )


@tool(
    name="food_custom",
    description=CustomFoodArgs.__doc__ or "",
    args=CustomFoodArgs,
    domain=DOMAIN,
    examples=["create food Protein bar: 200 kcal, 20 g protein, 22 g carbs, 7 g fat per 60 g"],
    intents=[r"\b(create|add|new)\b.*\b(custom )?food\b"],
    match=_match_custom,
    kind="write",
)
def food_custom(ctx: ToolContext, args: CustomFoodArgs) -> ToolOutput:
    n = Nutrients(**{f: getattr(args, f) for f in FIELDS})
    try:
        food = create_custom_food(ctx.account_id, args.name, n, args.per, brand=args.brand, engine=ctx.engine)
    except DiaryError as e:
        raise ToolError(str(e)) from e
    md = (
        render.product_card(food)
        + f"\n\nSaved as your food “{food.name}”; log it like any food (e.g. “1 serving {food.name}”)."
    )
    return ToolOutput(
        summary=f"Saved custom food {food.name}: {fmt(food.per100.kcal)} kcal per 100 {food.basis}.",
        markdown=md,
        data={"ref": food.ref, "per100": food.per100.as_dict()},
        final=True,
    )


class RecipeArgs(BaseModel):
    """Save a recipe from its ingredients; it is then logged by servings, e.g.
    'recipe Overnight oats: 80g oats, 200ml whole milk, 1 banana; makes 2 servings'."""

    name: str
    ingredients: str = Field(description="ingredients with amounts, comma separated")
    servings: float = Field(default=1.0, gt=0, le=100)


_RECIPE_RE = re.compile(
    r"^\s*(?:create|save|add|new)?\s*recipe\s+(?P<name>[^:]+?)\s*:\s*(?P<ing>.+?)(?:[;.]\s*(?:makes|serves|servings?:?)\s*(?P<n>\d+(?:[.,]\d+)?)\s*(?:servings?|portions?)?)?\s*\.?\s*$",
    re.I,
)


def _match_recipe(text: str, _a: list[Attachment]) -> RecipeArgs | None:
    m = _RECIPE_RE.match(text)
    if not m:
        return None
    n = float(m.group("n").replace(",", ".")) if m.group("n") else 1.0
    return RecipeArgs(name=m.group("name").strip(), ingredients=m.group("ing"), servings=n)


@tool(
    name="food_recipe",
    description=RecipeArgs.__doc__ or "",
    args=RecipeArgs,
    domain=DOMAIN,
    examples=["recipe Overnight oats: 80g oats, 200ml whole milk, 1 banana; makes 2 servings"],
    intents=[r"\brecipe\b"],
    match=_match_recipe,
    kind="write",
)
def food_recipe(ctx: ToolContext, args: RecipeArgs) -> ToolOutput:
    try:
        result = create_recipe(ctx.account_id, args.name, args.ingredients, args.servings, ctx.engine)
    except DiaryError as e:
        raise ToolError(str(e)) from e
    rows = [(r.food.label, r.portion.how, r.nutrients) for r in result.items if r.food and r.portion and r.nutrients]
    table = render.items_table(rows)
    per = result.per_serving
    md = (
        f"Saved recipe **{result.food.name}** ({args.servings:g} serving(s), {result.total_g:,.0f} g in all):"
        f"\n\n{table}\n\nOne serving ({result.total_g / args.servings:,.0f} g): "
        + _nutrients_line(per, ("kcal", "protein_g", "carbs_g", "fat_g", "fiber_g"))
        + "."
    )
    local = _local(ctx)
    return ToolOutput(
        summary=f"Saved recipe {result.food.name}: per serving {_nutrients_line(per)}.",
        markdown=md,
        data={
            "ref": result.food.ref,
            "servings": args.servings,
            "total_g": result.total_g,
            "per_serving": per.as_dict(),
        },
        actions=[
            Action(
                label="Log 1 serving now",
                tool="log_food",
                args={
                    "food_ref": result.food.ref,
                    "amount": "1 serving",
                    "meal": diary.meal_for_time(local),
                    "day": local.date().isoformat(),
                },
            )
        ],
        final=True,
    )


class FavouriteArgs(BaseModel):
    """Add a food (with the usual amount) to favourites, e.g. 'add 150 g oats to my favourites'."""

    food: str | None = None
    food_ref: str | None = None
    amount: str = ""


_FAV_RE = re.compile(r"^\s*(?:add|save|put)\s+(?P<what>.+?)\s+(?:to|in|as)\s+(?:my\s+)?favou?rites?\s*[.!]?\s*$", re.I)


@tool(
    name="food_favourite",
    description=FavouriteArgs.__doc__ or "",
    args=FavouriteArgs,
    domain=DOMAIN,
    examples=["add 150 g oats to my favourites"],
    match=lambda text, _a: FavouriteArgs(food=m.group("what")) if (m := _FAV_RE.match(text)) else None,
    kind="write",
)
def food_favourite(ctx: ToolContext, args: FavouriteArgs) -> ToolOutput:
    book = FoodBook(ctx.account_id, ctx.engine)
    if args.food_ref:
        food, amount_text = book.by_ref(args.food_ref), args.amount
    elif args.food:
        line = parse_meal_line(args.food, book.is_food)
        if not line.items:
            raise ToolError("Which food?")
        item = line.items[0]
        match = book.find(item.food)
        if not match.hits:
            raise ToolError(f"I don't know '{item.food}'.")
        if not match.confident:
            actions = [
                Action(
                    label=h.food.label[:80],
                    tool="food_favourite",
                    args={"food_ref": h.food.ref, "amount": item.amount.text},
                )
                for h in match.hits[:4]
            ]
            return ToolOutput(
                summary=f"Asked which '{item.food}' to save.",
                markdown=f"Which “{item.food}”?",
                actions=actions,
                final=True,
            )
        food, amount_text = match.hits[0].food, item.amount.text
    else:
        raise ToolError("Which food should I add to your favourites?")
    repo.add_favourite(ctx.account_id, food.ref, food.label, amount_text, ctx.engine)
    return ToolOutput(
        summary=f"Added {food.label} to favourites.",
        markdown=f"⭐ Added **{food.label}**" + (f" ({amount_text})" if amount_text else "") + " to your favourites.",
        final=True,
    )


class FavouritesArgs(BaseModel):
    """List favourite and recently logged foods, each with a button to log it again."""


_FAVS_RE = re.compile(
    r"\b(my favou?rites?|favou?rite foods|recent foods|recently (eaten|logged)|what do i usually eat|frequent foods)\b",
    re.I,
)


@tool(
    name="food_favourites",
    description=FavouritesArgs.__doc__ or "",
    args=FavouritesArgs,
    domain=DOMAIN,
    examples=["show my favourites", "recent foods"],
    match=lambda text, _a: FavouritesArgs() if _FAVS_RE.search(text) and not _FAV_RE.match(text) else None,
)
def food_favourites(ctx: ToolContext, _args: FavouritesArgs) -> ToolOutput:
    local = _local(ctx)
    meal, day = diary.meal_for_time(local), local.date().isoformat()
    favs = repo.list_favourites(ctx.account_id, ctx.engine)
    recent = repo.recent_foods(ctx.account_id, 8, ctx.engine)
    actions = [
        Action(
            label=f"⭐ {f.name[:50]}" + (f" · {f.amount_text}" if f.amount_text else ""),
            tool="log_food",
            args={"food_ref": f.food_ref, "amount": f.amount_text, "meal": meal, "day": day},
        )
        for f in favs
    ]
    fav_refs = {f.food_ref for f in favs}
    actions += [
        Action(
            label=f"🕘 {r['name'][:50]}" + (f" · {r['amount_text']}" if r["amount_text"] else ""),
            tool="log_food",
            args={"food_ref": r["food_ref"], "amount": r["amount_text"], "meal": meal, "day": day},
        )
        for r in recent
        if r["food_ref"] not in fav_refs
    ]
    if not actions:
        return ToolOutput(
            summary="No favourites or recent foods yet.",
            markdown="No favourites or recent foods yet — log a meal first.",
            final=True,
        )
    md = f"Tap one to log it to **{render.MEAL_TITLES[meal]}** today:"
    return ToolOutput(
        summary=f"{len(favs)} favourites, {len(recent)} recent foods.",
        markdown=md,
        actions=actions[:12],
        data={"favourites": [f.food_ref for f in favs], "recent": [r["food_ref"] for r in recent]},
        final=True,
    )
