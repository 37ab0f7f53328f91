"""Custom foods, recipes and favourites."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.nutrition.common import DOMAIN, _local, _nutrients_line
from nutrition import render
from nutrition.diary import DiaryError
from nutrition.nutrient_text import parse_nutrient_text
from nutrition.nutrients import FIELDS, Nutrients, fmt
from nutrition.service import FoodChoices, add_favourite, create_custom_food, quick_picks, save_recipe


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
# the name said another way: 'add a food called Nana's stew, 450 kcal…', 'new custom food: oat bar, 190 cal…'
_CUSTOM_SAID = re.compile(
    r"^\s*(?:please\s+)?(?:create|add|save|new|make)\s+(?:a\s+)?(?:new\s+)?(?:custom\s+)?food\s*"
    r"(?:(?:called|named)\s+|:\s*)(?P<name>[^,:;\d]+?)\s*[,:;\-–]\s*(?P<rest>.*\d.*)$",
    re.I,
)
# values per item with no weight ('per portion', 'per bar'): the tool asks for the weight, nothing is guessed
_PER_ITEM = re.compile(r"\b(?:per|a|each|for one|for 1)\s+(?P<what>portion|serving|bar|piece|pack|slice|bowl)\b", re.I)
_PER_RE = re.compile(
    r"\bper\s+(?:serving\s+(?:of\s+)?|bar\s+|portion\s+|piece\s+)?\(?\s*(?P<amt>\d+(?:[.,]\d+)?\s*(?:g|ml|oz))\b", re.I
)


def _match_custom(text: str, _a: list[Attachment]) -> CustomFoodArgs | None:
    said = _CUSTOM_SAID.match(text)
    m = said or _CUSTOM_RE.match(text)
    if not m:
        return None
    values = parse_nutrient_text(m.group("rest"))
    if "kcal" not in values:
        return None
    per = _PER_RE.search(m.group("rest"))
    item = _PER_ITEM.search(m.group("rest"))
    # no amount said: per 100 g on a label line ('create food X: …'), per serving in a sentence (tool asks its weight)
    amount = (
        per.group("amt") if per else f"1 {item.group('what').lower()}" if item else "1 serving" if said else "100 g"
    )
    return CustomFoodArgs.model_validate({"name": m.group("name").strip(), "per": amount, **values})


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
    r"^\s*(?:(?:create|save|add|new|make)\s+)?(?:(?:a|my|new)\s+)*recipe\s+(?:(?:for|called|named)\s+)?(?:my\s+)?"
    r"(?P<name>[^:]+?)\s*:\s*(?P<ing>.+?)(?:[;.,]\s*(?:it\s+)?(?:makes|serves|servings?:?)\s*(?P<n>\d+(?:[.,]\d+)?)\s*(?:servings?|portions?)?)?\s*\.?\s*$",
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
        saved = save_recipe(ctx.account_id, args.name, args.ingredients, args.servings, local_now=_local(ctx),
                            engine=ctx.engine)  # fmt: skip
    except DiaryError as e:
        raise ToolError(str(e)) from e
    result = saved.recipe
    rows = [(r.food.label, r.portion.how, r.nutrients) for r in result.items if r.food and r.portion and r.nutrients]
    table = render.items_table(rows)
    per = result.per_serving
    md = (
        f"Saved recipe **{result.food.name}** ({args.servings:g} serving(s), {result.total_g:,.0f} g in all):"
        f"\n\n{table}\n\nOne serving ({result.total_g / args.servings:,.0f} g): "
        + _nutrients_line(per, ("kcal", "protein_g", "carbs_g", "fat_g", "fiber_g"))
        + "."
    )
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
                    "meal": saved.meal,
                    "day": saved.day.isoformat(),
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
    try:
        got = add_favourite(ctx.account_id, args.food, args.food_ref, args.amount, ctx.engine)
    except DiaryError as e:
        raise ToolError(str(e)) from e
    if isinstance(got, FoodChoices):
        actions = [
            Action(label=f.label[:80], tool="food_favourite", args={"food_ref": f.ref, "amount": got.amount_text})
            for f in got.foods
        ]
        return ToolOutput(
            summary=f"Asked which '{got.said}' to save.", markdown=f"Which “{got.said}”?", actions=actions, final=True
        )
    food, amount_text = got.food, got.amount_text
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
    got = quick_picks(ctx.account_id, local_now=_local(ctx), engine=ctx.engine)
    meal, day = got.meal, got.day.isoformat()
    actions = [
        Action(
            label=f"{'⭐' if p.favourite else '🕘'} {p.name[:50]}" + (f" · {p.amount_text}" if p.amount_text else ""),
            tool="log_food",
            args={"food_ref": p.ref, "amount": p.amount_text, "meal": meal, "day": day},
        )
        for p in got.picks
    ]
    if not actions:
        return ToolOutput(
            summary="No favourites or recent foods yet.",
            markdown="No favourites or recent foods yet — log a meal first.",
            final=True,
        )
    md = f"Tap one to log it to **{render.MEAL_TITLES[meal]}** today:"
    return ToolOutput(
        summary=f"{len(got.favourite_refs)} favourites, {len(got.recent_refs)} recent foods.",
        markdown=md,
        actions=actions[:12],
        data={"favourites": got.favourite_refs, "recent": got.recent_refs},
        final=True,
    )
