"""Logging food by chat (meal lines, candidates to pick from) and quick adds of a label's numbers."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.nutrition.body import _WEIGHT_RE
from agent.tools.nutrition.common import _TRAINING_WORDS, DOMAIN, Meal, _day, _day_label, _day_status, _local
from nutrition import render
from nutrition.barcode import find_in_text
from nutrition.diary import DiaryError, FoodBook
from nutrition.meal_text import MEALS, parse_meal_line
from nutrition.nutrient_text import parse_nutrient_text
from nutrition.nutrients import FIELDS, Nutrients, fmt
from nutrition.service import MealError, MealInput, MealLogged, QuickAddInput, log_meal, quick_add


# =========================================================================== logging food
class FoodItemArg(BaseModel):
    food: str = Field(description="the food as the person named it, e.g. 'whole milk'")
    amount: str = Field(default="", description="the amount as written, e.g. '300 ml', '2', 'a cup'")


class LogFoodArgs(BaseModel):
    """Log food eaten, e.g. 'had 2 eggs and a slice of toast for breakfast', '150g oats with 300ml milk'."""

    text: str | None = Field(default=None, description="the meal line as the person wrote it")
    items: list[FoodItemArg] = Field(default_factory=list, description="foods with amounts, when split by the model")
    meal: Meal | None = None
    day: str | None = Field(default=None, description="'today', 'yesterday' or YYYY-MM-DD")
    food_ref: str | None = Field(default=None, description="a food chosen from buttons (usda:…, off:…, custom:…)")
    amount: str | None = Field(default=None, description="amount for food_ref, e.g. '1 cup', '150 g'")
    label: str | None = Field(default=None, description="what the person called the food")
    confirm: bool = Field(default=False, description="true when the person confirmed an unusual amount")


# A line that changes, moves, copies or removes an entry, or states a daily target, is never a new meal.
_NOT_A_NEW_MEAL = re.compile(
    r"^\W*(?:please\s+|actually,?\s+|oops,?\s+)?(?:change|edit|update|correct|move|remove|delete|copy|repeat|"
    r"swap|replace|undo|scratch|set|raise|lower|increase|decrease|reduce|make|fix|adjust|amend)\b|"
    # a correction of an amount at the end ('… were 200g actually', '… should be 2'), not a meal
    r"\b(?:was|were|should\s+(?:be|have\s+been))\s+(?:actually\s+|only\s+|really\s+)?\d+(?:[.,]\d+)?\s*[a-z]{0,6}"
    r"(?:\s+actually)?\s*[.!]?\s*$|\bactually\s*[.!]?\s*$|"
    r"\b(?:a|per|each|every)\s+day\b|\bdaily\b|\bwhile i(?:'m| am)?\s+(?:cut|bulk|diet)|\btargets?\b|\bgoals?\b|"
    r"\bsame\s+(?:breakfast|lunch|dinner|snacks?|meals?|food|thing)\s+as\b|\bwhat i (?:had|ate)\b",
    re.I,
)


_NOTHING_EATEN = re.compile(
    r"\b(skipped|skipping|didn'?t (eat|have)|did not (eat|have)|no (breakfast|lunch|dinner|snacks?) (today|yesterday)|"
    r"fasted|fasting)\b|\b(save|call|name)\b.*\b(as|called|named)\b",
    re.I,
)
_YES_NO_QUESTION = re.compile(r"\s*(have|has|did|do|does|am|are|is|was|were)\s+(i|you|we|my)\b", re.I)


def _match_log(text: str, _a: list[Attachment]) -> LogFoodArgs | None:
    if not text or len(text) > 300 or _is_quick_add(text):
        return None
    if _TRAINING_WORDS.search(re.sub(r"\b(?:pre|post)[\s-]?workout\b", " ", text, flags=re.I)):  # a meal's name
        return None
    if _NOT_A_NEW_MEAL.search(text):
        return None
    if re.search(r"\?\s*$", text) or re.search(r"\b(how|what|which|why|should|can i|is it)\b", text, re.I):
        return None
    if _YES_NO_QUESTION.match(text):  # "have i had knee pain lately" asks; it logs nothing
        return None
    if _NOTHING_EATEN.search(text):  # "I skipped breakfast", "save this as a meal called …": nothing to log
        return None
    if _WEIGHT_RE.search(text) or find_in_text(text):
        return None
    book = FoodBook(None)
    line = parse_meal_line(text, book.is_food)
    if not line.items or line.problems:
        return None
    # a known food said on its own ("banana", "rice") is a log too: sure ones are logged, others asked
    bare = len(line.items) == 1 and len(text.split()) <= 4 and book.is_food(line.items[0].food)
    verb = line.has_food_verb or line.meal is not None or bare
    # without a food word ("had", "for lunch") every item must be a food we know, and one must have an amount
    if not verb and not any(i.amount.explicit for i in line.items):
        return None
    for item in line.items:
        match = book.find(item.food)
        if not match.hits:
            return None
        sure = match.confident or book.generic.alias(item.food) is not None
        if not verb and not sure:
            return None
    return LogFoodArgs(text=text)


def _pending_output(done: MealLogged) -> tuple[list[str], list[Action]]:
    lines: list[str] = []
    actions: list[Action] = []
    meal, day = done.meal, done.day.isoformat()
    for r in done.results:
        if r.status == "ambiguous":
            lines.append(f"**{r.food_text}** could be several foods — pick one (nothing logged for it yet):")
            for o in done.options(r):
                label = f"{o.food.label} · {o.how} · {fmt(o.kcal)} kcal" if o.how is not None else o.food.label
                pick = {"food_ref": o.food.ref, "amount": r.amount_text, "label": r.food_text, "meal": meal, "day": day}
                actions.append(Action(label=label[:120], tool="log_food", args=pick, tooltip=o.food.name))
        elif r.status == "confirm" and r.food is not None:
            lines.append(f"⚠️ {r.message} Not logged yet.")
            args = {
                "food_ref": r.food.ref,
                "amount": r.amount.text or r.amount.describe(),
                "label": r.food_text,
                "meal": meal,
                "day": day,
                "confirm": True,
            }
            actions.append(
                Action(label=f"Yes, log {r.amount.describe()} of {r.food.name[:40]}", tool="log_food", args=args)
            )
        elif r.status in ("unknown", "needs_amount"):
            lines.append(f"❓ {r.message}")
    return lines, actions


@tool(
    name="log_food",
    # "cancel the dinner reminder" names a meal but is about a reminder; "move the oats to dinner" moves an entry
    yields_to=("checkin_cancel", "food_edit", "food_delete"),  # "take the banana off breakfast" removes it
    description=LogFoodArgs.__doc__ or "",
    args=LogFoodArgs,
    domain=DOMAIN,
    examples=[
        "had 2 eggs and a slice of toast for breakfast",
        "150g oats with 300ml whole milk",
        "lunch was half a chicken breast and a cup of cooked white rice",
        "2 tbsp peanut butter",
        "330ml coke",
    ],
    intents=[
        r"\bfor (breakfast|lunch|dinner|supper|a snack)\b",
        r"\b(ate|eaten|drank)\b",
        r"\blog (food|meal|my (breakfast|lunch|dinner))\b",
    ],
    match=_match_log,
    kind="write",
)
def log_food(ctx: ToolContext, args: LogFoodArgs) -> ToolOutput:
    local = _local(ctx)
    inp = MealInput(
        text=args.text, items=[(it.food, it.amount) for it in args.items], food_ref=args.food_ref,
        amount=args.amount, label=args.label or "", meal=args.meal, day=_day(ctx, args.day) if args.day else None,
        confirm=args.confirm,
    )  # fmt: skip
    try:
        done = log_meal(ctx.account_id, inp, local_now=local, engine=ctx.engine)
    except MealError as e:
        raise ToolError(str(e)) from e
    results, meal, day, entries = done.results, done.meal, done.day, done.entries
    ok = [r for r in results if r.status == "ok"]
    pending_lines, actions = _pending_output(done)
    md: list[str] = []
    sure = [(r.food, r.portion, r.nutrients) for r in ok if r.food and r.portion and r.nutrients]  # all, when ok
    if ok:
        md.append(f"Logged to **{render.MEAL_TITLES.get(meal, meal)}** ({_day_label(day, local.date())}):")
        md.append(render.items_table([(food.label, por.how, n) for food, por, n in sure]))
        for food in [food for food, _, _ in sure if food.confidence < 0.8]:
            md.append(f"⚠️ {food.label}: the product data looks doubtful; check it against the label.")
        if done.totals is not None:
            md.append(_day_status(done.totals, local.date()))
        actions.insert(0, Action(label="↩️ Undo", tool="food_undo", args={"batch_id": entries[0].batch_id}))
    md += pending_lines
    logged: list[dict[str, Any]] = [
        {
            "food": food.name,
            "ref": food.ref,
            "portion": por.how,
            "quantity": round(por.quantity, 1),
            "basis": por.basis,
            **{f: (None if getattr(n, f) is None else round(getattr(n, f), 2)) for f in FIELDS},
        }
        for food, por, n in sure
    ]
    pending: list[dict[str, Any]] = [
        {
            "food": r.food_text,
            "status": r.status,
            "message": r.message,
            "candidates": [c.food.ref for c in r.candidates[:4]],
        }
        for r in results
        if r.status != "ok"
    ]
    total = sum((r.nutrients.kcal or 0) for r in ok if r.nutrients)
    summary = (
        f"Logged {len(ok)} item(s) to {meal} on {day.isoformat()}: "
        + "; ".join(f"{x['food']} {x['portion']} = {fmt(x['kcal'])} kcal" for x in logged)
        + (f". Total {fmt(total)} kcal." if ok else "")
        + (f" Waiting for the person on: {', '.join(p['food'] for p in pending)}." if pending else "")
    )
    return ToolOutput(
        summary=summary,
        markdown="\n\n".join(md),
        data={
            "meal": meal,
            "day": day.isoformat(),
            "logged": logged,
            "pending": pending,
            "batch_id": entries[0].batch_id if entries else None,
        },
        actions=actions,
        final=True,
    )


# =========================================================================== quick add
class QuickAddArgs(BaseModel):
    """Add calories (and optionally macros) without a food, e.g. 'quick add 450 kcal 30 g protein for dinner'."""

    kcal: float = Field(ge=0, le=10000)
    protein_g: float | None = Field(default=None, ge=0, le=1000)
    carbs_g: float | None = Field(default=None, ge=0, le=2000)
    fat_g: float | None = Field(default=None, ge=0, le=1000)
    meal: Meal | None = None
    day: str | None = None
    name: str = "Quick add"


_QUICK_RE = re.compile(r"^\s*(?:please\s+)?quick[\s-]*add\b", re.I)
# Calories or macros with no food: "qa 500kcal", "just add 250 cals to snacks", "put 40g protein … under lunch".
_QUICK_LOOSE = re.compile(
    r"^\W*(?:please\s+)?(?:qa\b|(?:just\s+)?(?:add|put|log|throw)\s+(?:in\s+)?(?:another\s+|an extra\s+)?\d)", re.I
)
_KCAL_LOOSE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:k?cals?|kcals?|cal[a-z]{3,6}s?)\b", re.I)  # typos: "calroies"
_ONLY_NUTRIENTS = re.compile(
    r"^[\s\d.,:;+&-]*(?:(?:qa|quick[\s-]*add|just|add|put|log|throw|in|another|an|a|extra|to|under|for|with|and|"
    r"my|the|k?cals?|kcals?|cal[a-z]{3,6}s?|kj|g|grams?|of|protein|prot|p|carbs?|c|fat|f|breakfast|lunch|dinner|"
    r"snacks?|today|yesterday)\b[\s\d.,:;+&-]*)+",
    re.I,
)


def _is_quick_add(text: str) -> bool:
    return bool(_QUICK_RE.search(text)) or bool(_QUICK_LOOSE.search(text) and _quick_values(text))


def _quick_values(text: str) -> dict[str, float]:
    """kcal and macros of a line that names no food (the label's numbers), or {} when a food is named."""
    head = re.split(r"[,;(]|\s-\s|\bno idea\b|\bthe label\b", text, maxsplit=1)[0]
    if not _QUICK_RE.search(text) and not _ONLY_NUTRIENTS.fullmatch(head.strip()):
        return {}  # "add 1 cup rice to lunch" names a food: that is a log, not a quick add
    values = parse_nutrient_text(text)
    if "kcal" not in values and (m := _KCAL_LOOSE.search(text)):
        values["kcal"] = float(m.group(1).replace(",", "."))
    if "kcal" not in values and {"protein_g", "carbs_g", "fat_g"} <= values.keys():
        # the label gave macros only: energy by the Atwater factors food labels use (4/4/9 kcal per g)
        macros = Nutrients(protein_g=values["protein_g"], carbs_g=values["carbs_g"], fat_g=values["fat_g"])
        values["kcal"] = round(macros.atwater_kcal() or 0.0)
    return values if "kcal" in values else {}


# "log 500 kcal for the birthday cake", "add 350 cals of office cookies": calories with the name of what it was
_NAMED_KCAL = re.compile(
    r"^\W*(?:please\s+)?(?:quick[\s-]*add|log|add|put\s+(?:in|down))\s+(?:about\s+|around\s+|~\s*)?"
    r"(?P<kcal>\d{2,4})\s*(?:k?cals?|kcals?|calories)\s+(?:for|of)\s+(?:the\s+|a\s+|an\s+|my\s+|some\s+)?"
    r"(?P<name>[a-z][\w' -]{1,40}?)\s*[.!]?\s*$",
    re.I,
)


def _match_named_kcal(text: str) -> QuickAddArgs | None:
    m = _NAMED_KCAL.match(text)
    if m is None:
        return None
    name = m.group("name").strip()
    line = parse_meal_line(text)
    if name.lower().rstrip("s") in MEALS or re.fullmatch(
        r"(breakfast|lunch|dinner|snacks?|today|yesterday)", name, re.I
    ):
        return None  # "log 500 kcal for lunch": a plain quick add, read below
    day = "yesterday" if line.day_offset == -1 else None
    return QuickAddArgs.model_validate(
        {"kcal": float(m.group("kcal")), "name": name[:1].upper() + name[1:], "day": day}
    )


def _match_quick(text: str, _a: list[Attachment]) -> QuickAddArgs | None:
    if named := _match_named_kcal(text):
        return named
    if not _is_quick_add(text):
        return None
    values = _quick_values(text)
    if "kcal" not in values:
        return None
    line = parse_meal_line(text)
    day = "yesterday" if line.day_offset == -1 else None
    meal = line.meal if line.meal in MEALS else None
    if meal is None and (said := re.search(r"\b(breakfast|lunch|dinner|snack)s?\b", text, re.I)):
        meal = said.group(1).lower()
    keep = {k: v for k, v in values.items() if k in ("kcal", "protein_g", "carbs_g", "fat_g")}
    return QuickAddArgs.model_validate({**keep, "meal": meal, "day": day})


@tool(
    name="food_quick_add",
    description=QuickAddArgs.__doc__ or "",
    args=QuickAddArgs,
    domain=DOMAIN,
    examples=["quick add 450 kcal 30 g protein for dinner", "quick add 200 calories snack"],
    intents=[r"\bquick[\s-]*add\b"],
    match=_match_quick,
    outranks=("program_edit",),  # "quick add" of calories fills the diary; it adds no exercise to the program
    kind="write",
)
def food_quick_add(ctx: ToolContext, args: QuickAddArgs) -> ToolOutput:
    local = _local(ctx)
    n = Nutrients(kcal=args.kcal, protein_g=args.protein_g, carbs_g=args.carbs_g, fat_g=args.fat_g)
    inp = QuickAddInput(n, meal=args.meal, day=_day(ctx, args.day) if args.day else None, name=args.name)
    try:
        done = quick_add(ctx.account_id, inp, local_now=local, engine=ctx.engine)
    except DiaryError as e:
        raise ToolError(str(e)) from e
    day, meal = done.day, done.meal
    table = render.items_table([(args.name, "—", n)], ("kcal", "protein_g", "carbs_g", "fat_g"))
    where = f"**{render.MEAL_TITLES[meal]}** ({_day_label(day, local.date())})"
    md = f"Quick-added to {where}:\n\n{table}\n\n{_day_status(done.totals, local.date())}"
    return ToolOutput(
        summary=f"Quick-added {fmt(args.kcal)} kcal to {meal} on {day.isoformat()}.",
        markdown=md,
        data={"entry_id": done.entry.id, "day": day.isoformat(), "meal": meal, **n.as_dict()},
        actions=[Action(label="↩️ Undo", tool="food_undo", args={"batch_id": done.entry.batch_id})],
        final=True,
    )
