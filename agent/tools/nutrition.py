"""Nutrition tools: log meals by chat, barcodes (typed or photographed), quick add, custom foods and
recipes, favourites, the day and the week, body weight, targets that adapt (approved by a button),
MyFitnessPal/Cronometer import and CSV export.

Thin adapters over `nutrition/`: every number in a reply is computed there. Common phrasings have a
`match` fast path, so "had 2 eggs and a slice of toast for breakfast" is parsed, matched and logged
without a model; a food that could be several things comes back as buttons, an absurd amount as a
confirmation button, and nothing is ever guessed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from nutrition import body, diary, render
from nutrition.barcode import BarcodeError, PhotoRead, find_in_text, read_barcode_photo
from nutrition.custom import create_custom_food, create_recipe
from nutrition.diary import DiaryError, FoodBook, ItemResult
from nutrition.energy import EnergyError
from nutrition.importers import ImportFormatError, detect, parse_file, read_rows
from nutrition.importers import decode as decode_csv
from nutrition.meal_text import MEALS, parse_meal_line
from nutrition.nutrient_text import parse_nutrient_text, parse_stated_targets
from nutrition.nutrients import FIELDS, LABELS, Nutrients, fmt
from nutrition.off import OffClient, OffUnavailable
from nutrition.portion import PortionError, portion
from nutrition.products import ProductUnavailable, lookup_barcode
from nutrition.profile_text import parse_profile_text
from nutrition.quantity import DEFAULT_AMOUNT, ParsedItem, QuantityError, parse_amount
from nutrition.service import week_summary
from nutrition.transfer import export_csv, save_import
from powerforge.units import Mass, UnitError
from storage import nutrition as repo
from storage.accounts import AccountError, get_account, update_profile

DOMAIN = "nutrition"
Meal = Literal["breakfast", "lunch", "dinner", "snack"]


# --------------------------------------------------------------------------- shared helpers
def _now(ctx: ToolContext) -> datetime:
    return (ctx.now or datetime.now(UTC)).astimezone(UTC)


def _local(ctx: ToolContext) -> datetime:
    return diary.local_now(ctx.account_id, ctx.engine, _now(ctx))


def _today(ctx: ToolContext) -> date:
    return _local(ctx).date()


def _day(ctx: ToolContext, text: str | None) -> date:
    try:
        return diary.parse_day(text, _today(ctx))
    except DiaryError as e:
        raise ToolError(str(e)) from e


def _day_label(d: date, today: date) -> str:
    if d == today:
        return "today"
    if d == today - timedelta(days=1):
        return "yesterday"
    return d.strftime("%a %d %b")


def _imperial(ctx: ToolContext) -> bool:
    account = get_account(ctx.account_id, ctx.engine)
    return bool(account and account.unit_system == "imperial")


def _target_dict(ctx: ToolContext) -> dict[str, float | None] | None:
    t = repo.active_target(ctx.account_id, ctx.engine)
    if t is None:
        return None
    return {"kcal": t.kcal, "protein_g": t.protein_g, "carbs_g": t.carbs_g, "fat_g": t.fat_g, "fiber_g": t.fiber_g}


def _nutrients_line(n: Nutrients, fields: tuple[str, ...] = ("kcal", "protein_g", "carbs_g", "fat_g")) -> str:
    parts = []
    for f in fields:
        unit = "kcal" if f == "kcal" else ("mg" if f == "sodium_mg" else "g")
        parts.append(f"{fmt(getattr(n, f), f)} {unit}" + ("" if f == "kcal" else f" {LABELS[f].lower()}"))
    return ", ".join(parts)


_TRAINING_WORDS = re.compile(
    r"\b(sets|\d+\s*set|reps?|rpe|squat|squats|bench|deadlift|press|pull ?ups?|push ?ups?|chin ?ups?|rows?|curls?|"
    r"e1rm|1rm|pr|amrap|warm ?up|workout|program|rounds?|sparring|jab|km|miles?|run|ran)\b|\d+\s*[x×]\s*\d+|@\s*\d",
    re.I,
)


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
    r"swap|replace|undo|scratch|set|raise|lower|increase|decrease|reduce|make)\b|"
    r"\b(?:a|per|each|every)\s+day\b|\bdaily\b|\bwhile i(?:'m| am)?\s+(?:cut|bulk|diet)|\btargets?\b|\bgoals?\b|"
    r"\bsame\s+(?:breakfast|lunch|dinner|snacks?|meals?|food|thing)\s+as\b|\bwhat i (?:had|ate)\b",
    re.I,
)


def _match_log(text: str, _a: list[Attachment]) -> LogFoodArgs | None:
    if not text or len(text) > 300 or _TRAINING_WORDS.search(text) or _is_quick_add(text):
        return None
    if _NOT_A_NEW_MEAL.search(text):
        return None
    if re.search(r"\?\s*$", text) or re.search(r"\b(how|what|which|why|should|can i|is it)\b", text, re.I):
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


def _candidate_action(c, item: ItemResult, meal: str, day: date) -> Action:  # noqa: ANN001
    food = c.food
    label = food.label
    try:
        p = portion(food, item.amount, item.food_text)
        label = f"{food.label} · {p.how} · {fmt(p.nutrients(food).kcal)} kcal"
    except PortionError:
        pass
    args = {
        "food_ref": food.ref,
        "amount": item.amount_text,
        "label": item.food_text,
        "meal": meal,
        "day": day.isoformat(),
    }
    return Action(label=label[:120], tool="log_food", args=args, tooltip=food.name)


def _pending_output(items: list[ItemResult], meal: str, day: date) -> tuple[list[str], list[Action]]:
    lines: list[str] = []
    actions: list[Action] = []
    for r in items:
        if r.status == "ambiguous":
            lines.append(f"**{r.food_text}** could be several foods — pick one (nothing logged for it yet):")
            actions += [_candidate_action(c, r, meal, day) for c in r.candidates[:4]]
        elif r.status == "confirm" and r.food is not None:
            lines.append(f"⚠️ {r.message} Not logged yet.")
            args = {
                "food_ref": r.food.ref,
                "amount": r.amount.text or r.amount.describe(),
                "label": r.food_text,
                "meal": meal,
                "day": day.isoformat(),
                "confirm": True,
            }
            actions.append(
                Action(label=f"Yes, log {r.amount.describe()} of {r.food.name[:40]}", tool="log_food", args=args)
            )
        elif r.status in ("unknown", "needs_amount"):
            lines.append(f"❓ {r.message}")
    return lines, actions


def _day_status(ctx: ToolContext, day: date) -> str:
    entries = repo.list_entries(ctx.account_id, day, engine=ctx.engine)
    eaten = diary.day_totals(entries)
    target = _target_dict(ctx)
    line = f"{_day_label(day, _today(ctx)).capitalize()} so far: {_nutrients_line(eaten)}."
    if target and target.get("kcal"):
        left = (target["kcal"] or 0) - (eaten.kcal or 0)
        line += f" {fmt(left)} kcal left of {fmt(target['kcal'])}."
    return line


@tool(
    name="log_food",
    yields_to=("checkin_cancel",),  # "cancel the dinner reminder" names a meal but is about a reminder
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
    book = FoodBook(ctx.account_id, ctx.engine)
    local = _local(ctx)
    line_meal: str | None = None
    offset: int | None = None
    try:
        if args.food_ref:
            results = [diary.resolve_ref(args.food_ref, args.amount, book, args.confirm, args.label or "")]
        elif args.items:
            results = []
            for it in args.items:
                amount = parse_amount(it.amount) if it.amount.strip() else DEFAULT_AMOUNT
                results.append(
                    diary.resolve_item(
                        ParsedItem(it.food, amount, f"{it.amount} {it.food}".strip()), book, args.confirm
                    )
                )
        elif args.text:
            results, line_meal, offset = diary.resolve_line(args.text, book, args.confirm)
        else:
            raise ToolError("Tell me what you ate, e.g. '2 eggs and a slice of toast for breakfast'.")
    except (DiaryError, QuantityError) as e:
        raise ToolError(str(e)) from e
    if not results:
        raise ToolError("I couldn't find any food in that; try e.g. '150 g oats and 300 ml whole milk'.")
    meal = args.meal or line_meal or diary.meal_for_time(local)
    day = _day(ctx, args.day) if args.day else local.date() + timedelta(days=offset or 0)
    source = "button" if args.food_ref else "chat"
    entries = diary.log_results(ctx.account_id, results, day, meal, source, ctx.engine)
    ok = [r for r in results if r.status == "ok"]
    pending_lines, actions = _pending_output(results, meal, day)
    md: list[str] = []
    if ok:
        rows = [(r.food.label, r.portion.how, r.nutrients) for r in ok]  # type: ignore[union-attr]
        md.append(f"Logged to **{render.MEAL_TITLES.get(meal, meal)}** ({_day_label(day, local.date())}):")
        md.append(render.items_table(rows))
        low = [r for r in ok if r.food and r.food.confidence < 0.8]
        for r in low:
            md.append(f"⚠️ {r.food.label}: the product data looks doubtful; check it against the label.")  # type: ignore[union-attr]
        md.append(_day_status(ctx, day))
        actions.insert(0, Action(label="↩️ Undo", tool="food_undo", args={"batch_id": entries[0].batch_id}))
    md += pending_lines
    logged = [
        {
            "food": r.food.name,
            "ref": r.food.ref,
            "portion": r.portion.how,
            "quantity": round(r.portion.quantity, 1),  # type: ignore[union-attr]
            "basis": r.portion.basis,
            **{f: (None if getattr(r.nutrients, f) is None else round(getattr(r.nutrients, f), 2)) for f in FIELDS},
        }  # type: ignore[union-attr]
        for r in ok
    ]
    pending = [
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
    r"^[\s\d.,:;+&-]*(?:(?:qa|quick[\s-]*add|just|add|put|log|throw|in|another|an|extra|to|under|for|with|and|"
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
        values["kcal"] = round(4 * values["protein_g"] + 4 * values["carbs_g"] + 9 * values["fat_g"])
    return values if "kcal" in values else {}


def _match_quick(text: str, _a: list[Attachment]) -> QuickAddArgs | None:
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
    return QuickAddArgs(**keep, meal=meal, day=day)


@tool(
    name="food_quick_add",
    description=QuickAddArgs.__doc__ or "",
    args=QuickAddArgs,
    domain=DOMAIN,
    examples=["quick add 450 kcal 30 g protein for dinner", "quick add 200 calories snack"],
    intents=[r"\bquick[\s-]*add\b"],
    match=_match_quick,
    kind="write",
)
def food_quick_add(ctx: ToolContext, args: QuickAddArgs) -> ToolOutput:
    local = _local(ctx)
    day = _day(ctx, args.day)
    meal = args.meal or diary.meal_for_time(local)
    n = Nutrients(kcal=args.kcal, protein_g=args.protein_g, carbs_g=args.carbs_g, fat_g=args.fat_g)
    try:
        entry = diary.quick_add(ctx.account_id, n, day, meal, args.name, ctx.engine)
    except DiaryError as e:
        raise ToolError(str(e)) from e
    table = render.items_table([(args.name, "—", n)], ("kcal", "protein_g", "carbs_g", "fat_g"))
    where = f"**{render.MEAL_TITLES[meal]}** ({_day_label(day, local.date())})"
    md = f"Quick-added to {where}:\n\n{table}\n\n{_day_status(ctx, day)}"
    return ToolOutput(
        summary=f"Quick-added {fmt(args.kcal)} kcal to {meal} on {day.isoformat()}.",
        markdown=md,
        data={"entry_id": entry.id, "day": day.isoformat(), "meal": meal, **n.as_dict()},
        actions=[Action(label="↩️ Undo", tool="food_undo", args={"batch_id": entry.batch_id})],
        final=True,
    )


# =========================================================================== the day and the week
class DayArgs(BaseModel):
    """Show the food diary of a day with totals and what is left of the targets ('how much do I have left?')."""

    day: str | None = Field(default=None, description="'today', 'yesterday' or YYYY-MM-DD")


_DAY_RE = re.compile(
    r"\b(how much (do i have |have i got |is )?left|what'?s left|remaining (calories|macros|kcal)|"
    r"(calories|kcal|macros|protein) (left|remaining)|what did i eat|food (diary|log)|my diary|"
    r"show (me )?(my )?(food|meals|diary|macros|calories)|today'?s (food|calories|macros|intake)|"
    r"how many (calories|kcal) (have i|did i) (eaten|had|eat|have))\b",
    re.I,
)


def _match_day(text: str, _a: list[Attachment]) -> DayArgs | None:
    if not _DAY_RE.search(text):
        return None
    offset = parse_meal_line(text).day_offset if re.search(r"yesterday", text, re.I) else None
    return DayArgs(day="yesterday" if offset == -1 else None)


@tool(
    name="food_day",
    yields_to=("food_export", "ask"),  # "export my food diary"; "calories per day this month" is a chart
    description=DayArgs.__doc__ or "",
    args=DayArgs,
    domain=DOMAIN,
    examples=["how much do I have left today?", "what did I eat yesterday?", "show my food diary"],
    intents=[r"\b(left|remaining)\b.*\b(today|calories|macros|protein)\b", r"\bfood diary\b"],
    match=_match_day,
)
def food_day(ctx: ToolContext, args: DayArgs) -> ToolOutput:
    day = _day(ctx, args.day)
    today = _today(ctx)
    entries = repo.list_entries(ctx.account_id, day, engine=ctx.engine)
    eaten = diary.day_totals(entries)
    target = _target_dict(ctx)
    md = [render.day_table(entries, f"**Food diary — {_day_label(day, today)} ({day.isoformat()})**")]
    summary = f"{day.isoformat()}: {len(entries)} entries, {_nutrients_line(eaten)}."
    data: dict[str, Any] = {"day": day.isoformat(), "entries": len(entries), "eaten": eaten.as_dict()}
    if target:
        md.append("**Targets**\n\n" + render.remaining_table(eaten, target))
        left = {f: (target[f] - (getattr(eaten, f) or 0.0)) for f in target if target[f] is not None}
        data |= {"target": target, "left": left}
        summary += (
            " Left: "
            + ", ".join(f"{fmt(v, f)} {'kcal' if f == 'kcal' else 'g ' + LABELS[f].lower()}" for f, v in left.items())
            + "."
        )
    else:
        md.append("No targets yet — say “set my targets” and I'll work them out from your profile.")
    return ToolOutput(summary=summary, markdown="\n\n".join(md), data=data, final=True)


class WeekArgs(BaseModel):
    """Show the last 7 days of eating: a chart of calories and protein per day, and the averages."""

    end: str | None = Field(default=None, description="last day of the week (default today)")


# "macros vs targets this week": a comparison over time is the chart tool's (`ask`), not a table or the targets.
_VS_TARGET = re.compile(r"\b(vs\.?|versus|against|compared (to|with))\b.*\b(targets?|goals?)\b", re.I)
_OVER_TIME = re.compile(r"\b(this|per|a) (week|month)\b|\b(last|past) \d+ (days|weeks)\b|\b(chart|graph|plot)\b", re.I)
_WEEK_RE = re.compile(
    r"\b(week(ly)?|last 7 days|past 7 days)\b.*\b(food|calories|kcal|nutrition|eating|macros|intake|chart)\b|"
    r"\b(food|calories|kcal|nutrition|eating|macros|intake)\b.*\b(this week|weekly|last 7 days|week chart)\b",
    re.I,
)


@tool(
    name="food_week",
    description=WeekArgs.__doc__ or "",
    args=WeekArgs,
    domain=DOMAIN,
    examples=["show my calories this week", "weekly nutrition chart"],
    match=lambda text, _a: WeekArgs() if _WEEK_RE.search(text) and not _VS_TARGET.search(text) else None,
    outranks=("food_day", "ask"),  # a week's totals, not a day's; a table of the week before a chart
)
def food_week(ctx: ToolContext, args: WeekArgs) -> ToolOutput:
    week = week_summary(ctx.account_id, _day(ctx, args.end), ctx.engine)
    series = [(d.day, d.kcal, d.protein_g) for d in week.days]
    path = render.week_chart(series, week.target_kcal, ctx.output_dir / f"food-week-{week.end.isoformat()}.png")
    avg_k, avg_p, n = week.avg_kcal, week.avg_protein_g, len(week.logged)
    lines = ["| Day | kcal | Protein (g) |", "|---|---|---|"]
    lines += [
        f"| {d.strftime('%a %d %b')} | {fmt(k) if k else '—'} | {fmt(p, 'protein_g') if k else '—'} |"
        for d, k, p in series
    ]
    md = (
        "\n".join(lines)
        + f"\n\nAverage over {n} logged day(s): {fmt(avg_k)} kcal, {fmt(avg_p, 'protein_g')} g protein."
    )
    if week.target_kcal is not None:
        md += f" Target: {fmt(week.target_kcal)} kcal."
    return ToolOutput(
        summary=f"Week {week.start.isoformat()}–{week.end.isoformat()}: {n} logged days, "
        f"average {fmt(avg_k)} kcal, {fmt(avg_p, 'protein_g')} g protein.",
        markdown=md,
        images=[str(path)],
        data={
            "start": week.start.isoformat(),
            "end": week.end.isoformat(),
            "days": [{"day": d.isoformat(), "kcal": k, "protein_g": p} for d, k, p in series],
        },
        final=True,
    )


# =========================================================================== undo, edit, delete, copy
class UndoArgs(BaseModel):
    """Undo the last food log (all items logged together), or the one given by batch_id."""

    batch_id: str | None = None


def _entry_payload(e) -> dict[str, Any]:  # noqa: ANN001
    keep = (
        "meal",
        "food_ref",
        "food_name",
        "brand",
        "amount_text",
        "portion_text",
        "quantity",
        "basis",
        "per100",
        "confidence",
        "source",
        "note",
        *FIELDS,
    )
    return {k: getattr(e, k) for k in keep} | {"day": e.day.isoformat(), "logged_at": e.logged_at.isoformat()}


@tool(
    name="food_undo",
    description=UndoArgs.__doc__ or "",
    args=UndoArgs,
    domain=DOMAIN,
    # No fast path or examples: "undo", "undo the last food" go to `undo_last`, which runs this tool for food;
    # the Undo buttons under a logged meal call it directly with their batch.
    kind="write",
)
def food_undo(ctx: ToolContext, args: UndoArgs) -> ToolOutput:
    if args.batch_id:
        rows = repo.batch_entries(ctx.account_id, args.batch_id, ctx.engine)
        repo.delete_entries(ctx.account_id, [e.id for e in rows], ctx.engine)
    else:
        rows = diary.undo_last(ctx.account_id, ctx.engine)
    if not rows:
        return ToolOutput(
            summary="Nothing to undo.", markdown="There's nothing to undo in your food diary.", final=True
        )
    names = ", ".join(f"{e.food_name} ({fmt(e.kcal)} kcal)" for e in rows)
    payload = [_entry_payload(e) for e in rows]
    return ToolOutput(
        summary=f"Removed {len(rows)} entr{'y' if len(rows) == 1 else 'ies'}: {names}.",
        markdown=f"Removed from {rows[0].day.isoformat()} {rows[0].meal}: {names}.",
        data={"removed": [e.id for e in rows]},
        actions=[Action(label="Put it back", tool="food_restore", args={"entries": payload})],
        final=True,
    )


class RestoreArgs(BaseModel):
    """Put back entries that were just removed (from the undo button)."""

    entries: list[dict[str, Any]]


@tool(name="food_restore", description=RestoreArgs.__doc__ or "", args=RestoreArgs, domain=DOMAIN, kind="write")
def food_restore(ctx: ToolContext, args: RestoreArgs) -> ToolOutput:
    fields = []
    for e in args.entries:
        e = dict(e)
        e["day"] = date.fromisoformat(e["day"])
        e["logged_at"] = datetime.fromisoformat(e["logged_at"]) if e.get("logged_at") else _now(ctx)
        fields.append(e)
    rows = repo.add_entries(ctx.account_id, fields, engine=ctx.engine)
    return ToolOutput(
        summary=f"Restored {len(rows)} entries.",
        markdown=f"Put back: {', '.join(r.food_name for r in rows)}.",
        final=True,
    )


class EditArgs(BaseModel):
    """Change the amount of a logged food, e.g. 'change the rice to 200 g' (today unless a day is given)."""

    food: str = Field(description="the food as logged, e.g. 'rice'")
    amount: str = Field(description="the new amount, e.g. '200 g', '2 cups'")
    day: str | None = None
    entry_id: str | None = None


_EDIT_RE = re.compile(
    r"^\s*(?:change|edit|update|correct|make)\s+(?:the\s+|my\s+|that\s+)?(?P<food>[a-z][\w\s'-]{1,40}?)\s+(?:to|into|=)\s+(?P<amount>.+?)\s*[.!]?\s*$",
    re.I,
)


_WAS_RE = re.compile(
    r"^\W*(?:actually|oops|sorry|correction|wait)?[,:]?\s*(?:the\s+|my\s+|that\s+)(?P<food>[a-z][\w\s'-]{1,40}?)\s+"
    r"(?:was|were|should be|should have been)\s+(?:actually\s+|only\s+|more like\s+)?"
    r"(?P<amount>\d+(?:[.,]\d+)?\s*[a-z]*)(?:\s*,?\s*not\s+\d+(?:[.,]\d+)?\s*[a-z]*)?\s*[.!]?\s*$",
    re.I,
)
_AT_MEAL = re.compile(r"\s+(?:at|for|from|in)\s+(?:my\s+|the\s+)?(?:breakfast|lunch|dinner|snacks?)$", re.I)


def _match_edit(text: str, _a: list[Attachment]) -> EditArgs | None:
    m = _EDIT_RE.match(text) or _WAS_RE.match(text)
    if m is not None and _AT_MEAL.search(m.group("food")):
        return _edit_args(text, _AT_MEAL.sub("", m.group("food")), m.group("amount"))
    return _edit_args(text, m.group("food"), m.group("amount")) if m else None


def _edit_args(text: str, food: str, amount: str) -> EditArgs | None:
    if _TRAINING_WORDS.search(text) or re.search(r"\b(reminder|program|profile|timezone|units?|goal)\b", text, re.I):
        return None
    try:
        parse_amount(amount)
    except QuantityError:
        return None
    book = FoodBook(None)
    if not (book.is_food(food) or book.find(food).confident):
        return None
    return EditArgs(food=food, amount=amount)


@tool(
    name="food_edit",
    description=EditArgs.__doc__ or "",
    args=EditArgs,
    domain=DOMAIN,
    examples=["change the rice to 200 g", "edit oats to 80 g"],
    match=_match_edit,
    kind="write",
)
def food_edit(ctx: ToolContext, args: EditArgs) -> ToolOutput:
    day = _day(ctx, args.day)
    entry = repo.get_entry(ctx.account_id, args.entry_id, ctx.engine) if args.entry_id else None
    entry = entry or diary.find_entry(ctx.account_id, day, args.food, ctx.engine)
    if entry is None:
        raise ToolError(f"I can't find '{args.food}' in your diary for {day.isoformat()}.")
    before = entry.kcal
    try:
        row = diary.edit_amount(ctx.account_id, entry, args.amount, ctx.engine)
    except DiaryError as e:
        raise ToolError(str(e)) from e
    n = Nutrients(**{f: getattr(row, f) for f in FIELDS})
    table = render.items_table([(row.food_name, row.portion_text, n)])
    return ToolOutput(
        summary=f"Changed {row.food_name} to {row.portion_text}: {fmt(before)} → {fmt(row.kcal)} kcal.",
        markdown=f"Updated ({fmt(before)} → {fmt(row.kcal)} kcal):\n\n{table}\n\n{_day_status(ctx, day)}",
        data={"entry_id": row.id, "kcal_before": before, **n.as_dict()},
        final=True,
    )


class DeleteArgs(BaseModel):
    """Remove one logged food by name, e.g. 'remove the toast' or 'delete the coke from lunch'."""

    food: str
    day: str | None = None
    meal: Meal | None = None


_DELETE_RE = re.compile(
    r"^\s*(?:please\s+)?(?:delete|remove|take out|scratch)\s+(?:the\s+|my\s+|that\s+)?(?P<food>[a-z][\w\s'-]{1,40}?)"
    r"(?:\s+(?:from|in)\s+(?:my\s+|the\s+)?"
    r"(?P<where>breakfast|lunch|dinner|snacks?|today|yesterday|diary|food log))?\s*[.!]?\s*$",
    re.I,
)


def _match_delete(text: str, _a: list[Attachment]) -> DeleteArgs | None:
    m = _DELETE_RE.match(text)
    if not m or _TRAINING_WORDS.search(text):
        return None
    food = m.group("food").strip()
    if re.match(r"^(last|reminder|program|check-?in|account|profile)\b", food, re.I):
        return None
    book = FoodBook(None)
    if not (book.is_food(food) or book.find(food).confident):
        return None
    where = (m.group("where") or "").lower()
    meal = (
        {"snacks": "snack"}.get(where, where) if where in ("breakfast", "lunch", "dinner", "snack", "snacks") else None
    )
    return DeleteArgs(food=food, meal=meal, day="yesterday" if where == "yesterday" else None)  # type: ignore[arg-type]


@tool(
    name="food_delete",
    description=DeleteArgs.__doc__ or "",
    args=DeleteArgs,
    domain=DOMAIN,
    examples=["remove the toast", "delete the coke from lunch"],
    match=_match_delete,
    kind="write",
)
def food_delete(ctx: ToolContext, args: DeleteArgs) -> ToolOutput:
    day = _day(ctx, args.day)
    entry = diary.find_entry(ctx.account_id, day, args.food, ctx.engine, meal=args.meal)
    if entry is None:
        raise ToolError(f"I can't find '{args.food}' in your diary for {day.isoformat()}.")
    repo.delete_entries(ctx.account_id, [entry.id], ctx.engine)
    return ToolOutput(
        summary=f"Removed {entry.food_name} ({fmt(entry.kcal)} kcal) from {entry.meal} on {day.isoformat()}.",
        markdown=f"Removed **{entry.food_name}** ({fmt(entry.kcal)} kcal) from {entry.meal}.\n\n"
        + _day_status(ctx, day),
        data={"removed": [entry.id]},
        actions=[Action(label="Put it back", tool="food_restore", args={"entries": [_entry_payload(entry)]})],
        final=True,
    )


class CopyArgs(BaseModel):
    """Copy a meal or a whole day to another day, e.g. 'copy yesterday's breakfast to today'."""

    from_day: str = Field(default="yesterday")
    to_day: str = Field(default="today")
    meal: Meal | None = Field(default=None, description="the meal to copy; none = the whole day")
    to_meal: Meal | None = None


_COPY_RE = re.compile(
    r"\b(?:copy|repeat|same)\b.*?\b(?P<from>yesterday|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d{4}-\d\d-\d\d)?(?:'s)?\s*"
    r"(?P<meal>breakfast|lunch|dinner|snacks?)?\b",
    re.I,
)


# "copy it over", "what I had on tuesday", "same lunch as monday": a copy wherever the verb stands.
_COPY_CUE = re.compile(
    r"^\s*(?:please\s+)?(?:copy|repeat|same)\b|\bcopy\b|\b(?:same|exactly what i (?:had|ate))\b.*"
    r"\b(?:yesterday|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.I,
)


def _match_copy(text: str, _a: list[Attachment]) -> CopyArgs | None:
    if not _COPY_CUE.search(text):
        return None
    if not re.search(
        r"\b(breakfast|lunch|dinner|snacks?|meals?|food|day|diary|yesterday|today|"
        r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
        text,
        re.I,
    ) or _TRAINING_WORDS.search(text):
        return None
    days = re.findall(
        r"\b(yesterday|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d{4}-\d\d-\d\d)\b", text, re.I
    )
    meals = re.findall(r"\b(breakfast|lunch|dinner|snacks?)\b", text, re.I)
    src = days[0].lower() if days else "yesterday"
    dst = days[1].lower() if len(days) > 1 else "today"
    meal = meals[0].lower().rstrip("s") if meals else None
    to_meal = meals[1].lower().rstrip("s") if len(meals) > 1 else None
    return CopyArgs(from_day=src, to_day=dst, meal=meal, to_meal=to_meal)  # type: ignore[arg-type]


@tool(
    name="food_copy",
    description=CopyArgs.__doc__ or "",
    args=CopyArgs,
    domain=DOMAIN,
    examples=["copy yesterday's breakfast to today", "same lunch as yesterday", "copy yesterday"],
    match=_match_copy,
    kind="write",
)
def food_copy(ctx: ToolContext, args: CopyArgs) -> ToolOutput:
    src, dst = _day(ctx, args.from_day), _day(ctx, args.to_day)
    if src == dst and (args.to_meal or args.meal) == args.meal:
        raise ToolError("That would copy the food onto itself; say which day or meal to copy to.")
    try:
        rows = diary.copy_entries(ctx.account_id, src, dst, args.meal, args.to_meal, ctx.engine)
    except DiaryError as e:
        raise ToolError(str(e)) from e
    table = render.items_table(
        [
            (
                r.food_name,
                render.amount_label(r.amount_text, r.quantity, r.basis),
                Nutrients(**{f: getattr(r, f) for f in FIELDS}),
            )
            for r in rows
        ],
        ("kcal", "protein_g", "carbs_g", "fat_g"),
    )
    what = args.meal or "the whole day"
    return ToolOutput(
        summary=f"Copied {len(rows)} entries ({what}) from {src.isoformat()} to {dst.isoformat()}.",
        markdown=f"Copied {what} from {src.isoformat()} to {dst.isoformat()}:\n\n{table}\n\n{_day_status(ctx, dst)}",
        data={"copied": len(rows), "from": src.isoformat(), "to": dst.isoformat()},
        actions=[Action(label="↩️ Undo", tool="food_undo", args={"batch_id": rows[0].batch_id})],
        final=True,
    )


# =========================================================================== barcodes and food info
class BarcodeArgs(BaseModel):
    """Look up a packaged food by its barcode (typed, or read from an attached photo) and offer to log it."""

    code: str | None = Field(default=None, description="the digits under the barcode")
    amount: str | None = Field(default=None, description="how much was eaten, if said (e.g. '330 ml', '2 servings')")
    meal: Meal | None = None
    day: str | None = None


_BARCODE_WORDS = re.compile(r"\b(barcode|bar code|scan|ean|upc|gtin|product|label|package|packet)\b", re.I)


def _match_barcode(text: str, atts: list[Attachment]) -> BarcodeArgs | None:
    code = find_in_text(text or "")
    if code:
        line = parse_meal_line((text or "").replace(code, " "))
        rest = " ".join(p.text for p in line.items)
        try:
            amount: str | None = parse_amount(rest).text if rest else None
        except QuantityError:
            amount = line.items[0].amount.text if line.items and line.items[0].amount.explicit else None
        return BarcodeArgs(code=code, amount=amount, meal=line.meal)  # type: ignore[arg-type]
    images = [a for a in atts if a.is_image]
    if not images:
        return None
    if _BARCODE_WORDS.search(text or ""):
        return BarcodeArgs()  # asked for a barcode: the tool says so if it can't read one
    for a in images:  # any other photo is ours only when it really shows a product barcode
        try:
            read = _photo_read(a.path)
        except BarcodeError:
            continue
        if read.code or read.unconfirmed:  # the tool reads it again (cached) and shows the digits to confirm
            return BarcodeArgs(meal=parse_meal_line(text or "").meal)  # type: ignore[arg-type]
    return None


_PHOTO_READS: dict[tuple[str, int, int], PhotoRead] = {}


def _photo_read(path: str, max_pixels: int | None = None) -> PhotoRead:
    """The barcode of a photo (two agreeing reads), cached by file so match and tool read it once."""
    from powerforge.config import get_settings

    p = Path(path)
    st = p.stat()
    key = (str(p), st.st_mtime_ns, st.st_size)
    if key not in _PHOTO_READS:
        if len(_PHOTO_READS) > 32:
            _PHOTO_READS.clear()
        _PHOTO_READS[key] = read_barcode_photo(p, max_pixels or get_settings().image_max_pixels)
    return _PHOTO_READS[key]


def _barcode_actions(food, code: str, amount: str | None, meal: str, day: date) -> list[Action]:  # noqa: ANN001
    options: list[str] = []
    if amount:
        options.append(amount)
    if food.measures and food.measures[0].name.startswith("serving"):
        options.append("1 serving")
    options.append("100 ml" if food.basis == "ml" else "100 g")
    if len(food.measures) > 1 and food.measures[-1].name.startswith("package"):
        options.append("1 package")
    actions = []
    for opt in dict.fromkeys(options):
        label = f"Log {opt}"
        try:
            p = portion(food, parse_amount(opt), food.name)
            label = f"Log {opt} ({p.quantity:,.0f} {p.basis}) · {fmt(p.nutrients(food).kcal)} kcal"
        except (QuantityError, PortionError):
            pass
        actions.append(
            Action(
                label=label,
                tool="log_food",
                args={
                    "food_ref": f"off:{code}",
                    "amount": opt,
                    "meal": meal,
                    "day": day.isoformat(),
                    "label": food.name,
                },
            )
        )
    return actions


@tool(
    name="food_barcode",
    description=BarcodeArgs.__doc__ or "",
    args=BarcodeArgs,
    domain=DOMAIN,
    examples=["3029330003533", "scan this barcode", "5449000011527 330 ml"],
    intents=[r"\bbarcode\b"],
    match=_match_barcode,
)
def food_barcode(ctx: ToolContext, args: BarcodeArgs) -> ToolOutput:
    code = args.code
    if not code:
        images = [a for a in ctx.attachments if a.is_image]
        if not images:
            raise ToolError("Type the digits under the barcode, or attach a photo of it.")
        reads: list[PhotoRead] = []
        for a in images:
            try:
                reads.append(_photo_read(a.path, ctx.settings.image_max_pixels))
            except (BarcodeError, OSError) as e:
                raise ToolError(str(e)) from e
        sure = next((r for r in reads if r.code), None)
        if sure is None:
            once = [c for r in reads for c in r.unconfirmed]
            if not once:
                raise ToolError(
                    "I couldn't read a barcode in that photo. Try a sharper, closer shot with the whole barcode "
                    "in view, or type the digits under it."
                )
            shown = " or ".join(f"**{c}**" for c in once[:3])
            return ToolOutput(
                summary=f"Read {', '.join(once[:3])} only once from the photo; asked the person to confirm the digits.",
                markdown=f"I read {shown} from the photo, but only once, so I won't look it up on a guess "
                "(a blurred code can read as another product's). If it matches the digits under the barcode, "
                "press the button; otherwise type the digits or send a sharper photo.",
                data={"found": False, "unconfirmed": once[:3]},
                actions=[
                    Action(label=f"Look up {c}", tool="food_barcode", args={"code": c}, tooltip="These are the digits")
                    for c in once[:3]
                ],
                final=True,
            )
        code = sure.code
        photo_note = (
            f"📷 I read **{code}** from your photo ({sure.how} agree). Check it against the digits under the "
            "barcode before you pick an amount."
        )
        if sure.unconfirmed:
            photo_note += f" (One view read {', '.join(sure.unconfirmed[:2])}; I went with the code read twice.)"
    else:
        photo_note = ""
    try:
        result = lookup_barcode(code, ctx.settings, ctx.engine)
    except BarcodeError as e:
        raise ToolError(str(e)) from e
    except ProductUnavailable as e:
        raise ToolError(str(e)) from e
    if result.food is None:
        return ToolOutput(
            summary=f"Barcode {result.code} is not in Open Food Facts.",
            markdown=(photo_note + "\n\n" if photo_note else "")
            + f"Open Food Facts doesn't know `{result.code}`. You can add it as a custom food, e.g. "
            f"“create food <name>: 250 kcal, 10 g protein, 30 g carbs, 9 g fat per 100 g”.",
            data={"code": result.code, "found": False},
            final=True,
        )
    food = result.food
    local = _local(ctx)
    meal = args.meal or diary.meal_for_time(local)
    day = _day(ctx, args.day) if args.day else local.date()
    md = render.product_card(food, result.code)
    if result.notes:
        md += "\n\n" + " ".join(result.notes)
    if photo_note:
        md = photo_note + "\n\n" + md
    md += "\n\nIs this it? Pick how much to log:"
    if food.flags and "no_nutrition_data" in food.flags:
        md = (
            (photo_note + "\n\n" if photo_note else "")
            + render.product_card(food, result.code)
            + "\n\nThis product has no nutrition facts on Open Food Facts, so I can't log it by amount. "
            "Quick add its calories, or create a custom food from the label."
        )
        return ToolOutput(
            summary=f"{food.label}: no nutrition data.",
            markdown=md,
            data={"code": result.code, "found": True, "flags": list(food.flags)},
            final=True,
        )
    return ToolOutput(
        summary=f"Found {food.label} ({result.code}), {fmt(food.per100.kcal)} kcal per 100 {food.basis}; "
        "waiting for the person to confirm an amount.",
        markdown=md,
        data={
            "code": result.code,
            "found": True,
            "name": food.name,
            "brand": food.brand,
            "basis": food.basis,
            "per100": food.per100.as_dict(),
            "flags": list(food.flags),
            "confidence": food.confidence,
            "source": result.source,
        },
        actions=_barcode_actions(food, result.code, args.amount, meal, day),
        final=True,
    )


class FoodInfoArgs(BaseModel):
    """Nutrition facts of a food without logging it, e.g. 'how many calories in a banana', 'protein in 100g oats'.
    Set online=true to search Open Food Facts for packaged products by name."""

    query: str = Field(description="the food, with an amount if given, e.g. '100 g oats'")
    online: bool = False


_INFO_RE = re.compile(
    r"^\s*(?:how (?:many|much) (?:calories|kcal|protein|carbs|fat|fibre|fiber|sugar)s? (?:are |is )?(?:there )?in|"
    r"(?:calories|kcal|macros|nutrition|nutrients|protein) (?:in|of|for)|nutrition facts (?:for|of)|"
    r"(?:search|look up|lookup|find)(?: food| foods)?(?: for)?)\s+(?P<q>.+?)\s*\??\s*$",
    re.I,
)


def _match_info(text: str, _a: list[Attachment]) -> FoodInfoArgs | None:
    m = _INFO_RE.match(text)
    if not m:
        return None
    q = m.group("q")
    online = bool(re.search(r"\b(open ?food ?facts|off|online|brand|packaged)\b", q, re.I))
    q = re.sub(r"\b(on|in) (open ?food ?facts|off)\b|\bonline\b", "", q, flags=re.I).strip()
    if not q or _TRAINING_WORDS.search(q):
        return None
    return FoodInfoArgs(query=q, online=online)


@tool(
    name="food_info",
    yields_to=("recall",),  # "find my notes about sleep" searches notes, not foods
    description=FoodInfoArgs.__doc__ or "",
    args=FoodInfoArgs,
    domain=DOMAIN,
    examples=["how many calories in a banana?", "protein in 100g chicken breast", "search open food facts for nutella"],
    match=_match_info,
)
def food_info(ctx: ToolContext, args: FoodInfoArgs) -> ToolOutput:
    if args.online:
        try:
            products = OffClient.from_settings(ctx.settings).search(args.query, page_size=8)
        except OffUnavailable as e:
            raise ToolError(str(e)) from e
        from nutrition.normalise import normalise_product

        foods = [normalise_product(p, str(p.get("code", ""))) for p in products if p.get("code")]
        if not foods:
            return ToolOutput(
                summary=f"No Open Food Facts products for '{args.query}'.",
                markdown=f"Open Food Facts has nothing for “{args.query}”.",
                final=True,
            )
        lines = ["| Product | Brand | kcal/100 | Protein | Carbs | Fat |", "|---|---|---|---|---|---|"]
        lines += [
            f"| {f.name} | {f.brand} | {fmt(f.per100.kcal)} | {fmt(f.per100.protein_g, 'protein_g')} | "
            f"{fmt(f.per100.carbs_g, 'carbs_g')} | {fmt(f.per100.fat_g, 'fat_g')} |"
            for f in foods
        ]
        actions = [
            Action(label=f"{f.label[:60]} ({f.ref[4:]})", tool="food_barcode", args={"code": f.ref[4:]})
            for f in foods[:5]
        ]
        return ToolOutput(
            summary=f"{len(foods)} Open Food Facts products for '{args.query}'.",
            markdown="\n".join(lines),
            actions=actions,
            data={"codes": [f.ref[4:] for f in foods]},
            final=True,
        )
    book = FoodBook(ctx.account_id, ctx.engine)
    line = parse_meal_line(args.query, book.is_food)
    if not line.items:
        raise ToolError("Which food? e.g. 'how many calories in 100 g oats'.")
    item = line.items[0]
    match = book.find(item.food)
    if not match.hits:
        raise ToolError(f"I don't know '{item.food}'. Try another name or a barcode.")
    rows = []
    actions = []
    local = _local(ctx)
    for hit in match.hits[: (1 if match.confident else 4)]:
        f = hit.food
        try:
            p = portion(f, item.amount, item.food)
            rows.append((f.label, p.how, p.nutrients(f)))
        except PortionError:
            rows.append((f.label, f"100 {f.basis}", f.per100))
        actions.append(
            Action(
                label=f"Log {rows[-1][1]} of {f.name[:50]}",
                tool="log_food",
                args={
                    "food_ref": f.ref,
                    "amount": item.amount.text,
                    "label": item.food,
                    "meal": diary.meal_for_time(local),
                    "day": local.date().isoformat(),
                },
            )
        )
    md = render.items_table(rows, total=False)
    if not match.confident:
        md = f"Several foods match “{item.food}”:\n\n" + md
    return ToolOutput(
        summary="; ".join(
            f"{name}: {how} = {fmt(n.kcal)} kcal, {fmt(n.protein_g, 'protein_g')} g protein" for name, how, n in rows
        ),
        markdown=md,
        actions=actions,
        data={"foods": [{"food": name, "portion": how, **n.as_dict()} for name, how, n in rows]},
        final=True,
    )


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
    return CustomFoodArgs(name=m.group("name").strip(), per=per.group("amt") if per else "100 g", **values)


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
    rows = [(r.food.label, r.portion.how, r.nutrients) for r in result.items]  # type: ignore[union-attr]
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


# =========================================================================== body weight
class WeightArgs(BaseModel):
    """Log body weight, e.g. 'weighed 82.4 kg this morning' or 'weight 181 lb'."""

    weight: float = Field(gt=0, lt=1000)
    unit: Literal["kg", "lb"] | None = Field(default=None, description="kg or lb; default from the person's units")
    day: str | None = None


_WEIGHT_RE = re.compile(
    r"^\s*(?:(?:i\s+)?(?:weighed(?:\s+in)?(?:\s+at)?|weigh(?:\s+in)?|weigh-in|my\s+weight\s+(?:is|was|today)|"
    r"(?:log\s+)?(?:my\s+)?(?:body\s*)?weight(?:\s+is|\s+was|\s+today|:)?|bw|scale\s+(?:says|said)|i'?m\s+at)"
    r")\s*(?P<v>\d{2,3}(?:[.,]\d{1,2})?)\s*(?P<u>kg|kgs|kilos?|lbs?|pounds?)?\b(?P<rest>.*)$",
    re.I,
)


# "my weight today is 181 lb", "weight this morning: 80.2", "weighed in at 12 st 6" (stone → lb, 14 lb each)
_WEIGHT_SAID = re.compile(
    r"^\s*(?:my\s+)?(?:body\s*)?weight\s+(?:today|this morning|now|yesterday)\s*(?:is|was|:|=)?\s*"
    r"(?P<v>\d{2,3}(?:[.,]\d{1,2})?)\s*(?P<u>kg|kgs|kilos?|lbs?|pounds?)?\b(?P<rest>.*)$",
    re.I,
)
_STONE = re.compile(
    r"\b(?P<st>\d{1,2})\s*(?:st|stone)\s*(?:(?:and\s+)?(?P<lb>\d{1,2}(?:[.,]\d)?)\s*(?:lbs?|pounds?)?)?(?!\s*\d)", re.I
)
_WEIGHT_CUE = re.compile(r"^\s*(?:i\s+)?(?:weigh|weighed|weigh-in|my\s+(?:body\s*)?weight|bw|scale|i'?m\s+at)", re.I)


def _match_weight(text: str, _a: list[Attachment]) -> WeightArgs | None:
    if _WEIGHT_CUE.match(text) and (st := _STONE.search(text)):
        pounds = int(st.group("st")) * 14 + float((st.group("lb") or "0").replace(",", "."))
        day = "yesterday" if re.search(r"\byesterday\b", text, re.I) else None
        return WeightArgs(weight=pounds, unit="lb", day=day)
    m = _WEIGHT_RE.match(text) or _WEIGHT_SAID.match(text)
    if not m or re.search(r"\b(bar|barbell|plates?|squat|bench|deadlift|press|set|reps?)\b", text, re.I):
        return None
    u = (m.group("u") or "").lower()
    unit = "kg" if u.startswith("k") else "lb" if u else None
    rest = m.group("rest") or ""
    day = "yesterday" if re.search(r"\byesterday\b", rest, re.I) else None
    return WeightArgs(weight=float(m.group("v").replace(",", ".")), unit=unit, day=day)


@tool(
    name="body_weight_log",
    description=WeightArgs.__doc__ or "",
    args=WeightArgs,
    domain=DOMAIN,
    examples=["weighed 82.4 kg this morning", "weight 181 lb", "my weight is 80 kg"],
    intents=[r"\bweigh(ed)?\b", r"\bbody ?weight\b"],
    match=_match_weight,
    kind="write",
)
def body_weight_log(ctx: ToolContext, args: WeightArgs) -> ToolOutput:
    imperial = _imperial(ctx)
    unit = args.unit or ("lb" if imperial else "kg")
    day = _day(ctx, args.day)
    try:
        kg = body.log_weight(ctx.account_id, Mass.of(args.weight, unit), day, engine=ctx.engine)
    except (EnergyError, UnitError) as e:
        raise ToolError(str(e)) from e
    report = body.weight_report(ctx.account_id, engine=ctx.engine)
    show = "lb" if imperial or unit == "lb" else "kg"
    conv = (lambda x: Mass.kgs(x).lb) if show == "lb" else (lambda x: x)
    trend = report.latest_trend
    week = report.change(7)
    md = f"Logged **{conv(kg):.1f} {show}** for {day.isoformat()}."
    if trend is not None and len(report.weights) > 1:
        md += f" Trend weight: {conv(trend):.1f} {show}"
        md += (
            f" ({conv(week) if show == 'kg' else Mass.kgs(week).lb:+.1f} {show} over 7 days)."
            if week is not None
            else "."
        )
    return ToolOutput(
        summary=md.replace("**", ""),
        markdown=md,
        data={
            "day": day.isoformat(),
            "weight_kg": round(kg, 2),
            "trend_kg": None if trend is None else round(trend, 2),
            "change_7d_kg": None if week is None else round(week, 2),
        },
        final=True,
    )


class WeightTrendArgs(BaseModel):
    """Show body-weight history with the smoothed trend (chart) and its weekly rate of change."""

    days: int = Field(default=90, ge=7, le=3650)


_TREND_RE = re.compile(
    r"\b(weight (trend|chart|history|graph|progress)|trend weight|show (me )?my weight|how('s| is) my weight)\b", re.I
)


@tool(
    name="body_weight_trend",
    outranks=("ask",),  # the weight trend has its own smoothed table; the chart tool is generic
    description=WeightTrendArgs.__doc__ or "",
    args=WeightTrendArgs,
    domain=DOMAIN,
    examples=["show my weight trend", "how is my weight going"],
    match=lambda text, _a: WeightTrendArgs() if _TREND_RE.search(text) else None,
)
def body_weight_trend(ctx: ToolContext, args: WeightTrendArgs) -> ToolOutput:
    since = _today(ctx) - timedelta(days=args.days)
    report = body.weight_report(ctx.account_id, since=since, engine=ctx.engine)
    if not report.weights:
        return ToolOutput(
            summary="No weigh-ins yet.", markdown="No weigh-ins yet — tell me e.g. “weighed 82.4 kg”.", final=True
        )
    unit = "lb" if _imperial(ctx) else "kg"
    conv = (lambda x: Mass.kgs(x).lb) if unit == "lb" else (lambda x: x)
    path = render.weight_chart(
        report.weights, report.trend, ctx.output_dir / f"weight-{_today(ctx).isoformat()}.png", unit
    )
    day, last = report.latest  # type: ignore[misc]
    trend = report.latest_trend or last
    week = report.change(7)
    month = report.change(28)
    md = f"Latest weigh-in {conv(last):.1f} {unit} ({day.isoformat()}); trend {conv(trend):.1f} {unit}."
    if week is not None:
        md += f" 7-day change {conv(week) if unit == 'kg' else Mass.kgs(week).lb:+.2f} {unit}."
    if month is not None:
        md += f" 28-day change {conv(month) if unit == 'kg' else Mass.kgs(month).lb:+.2f} {unit}."
    return ToolOutput(
        summary=md,
        markdown=md,
        images=[str(path)],
        data={
            "weigh_ins": len(report.weights),
            "trend_kg": round(trend, 2),
            "change_7d_kg": week,
            "change_28d_kg": month,
        },
        final=True,
    )


# =========================================================================== targets and expenditure
class TargetsArgs(BaseModel):
    """Show, set or work out daily calorie/macro targets. mode 'show' lists them; 'stated' sets the numbers the
    person gave (e.g. protein 180 g) as they are; 'profile' computes them from the profile (Mifflin–St Jeor ×
    activity); 'adaptive' from logged intake and weight trend. Computed targets are proposed and need the
    person's approval. Profile fields given here are saved first."""

    mode: Literal["show", "stated", "profile", "adaptive"] = "show"
    kcal: float | None = Field(default=None, ge=800, le=10000, description="a calorie target the person stated")
    protein_g: float | None = Field(default=None, gt=0, le=600, description="a protein target the person stated")
    carbs_g: float | None = Field(default=None, ge=0, le=1500, description="a carb target the person stated")
    fat_g: float | None = Field(default=None, gt=0, le=500, description="a fat target the person stated")
    fiber_g: float | None = Field(default=None, gt=0, le=150, description="a fibre target the person stated")
    sex: Literal["male", "female"] | None = None
    age: int | None = Field(default=None, ge=14, le=100)
    height_cm: float | None = Field(default=None, ge=100, le=250)
    weight_kg: float | None = Field(default=None, ge=25, le=400)
    activity_level: Literal["sedentary", "light", "moderate", "active", "very_active"] | None = None
    goal: Literal["lose", "maintain", "gain"] | None = None


_TARGETS_RE = re.compile(
    r"\b(targets?|goals? for (calories|macros)|calorie goal|macro goals?|my macros should be|"
    r"how many calories should i|calculate my (calories|macros|tdee))\b",
    re.I,
)


def _match_targets(text: str, _a: list[Attachment]) -> TargetsArgs | None:
    if not _TARGETS_RE.search(text) or (_TRAINING_WORDS.search(text) and not re.search(r"calorie|macro", text, re.I)):
        return None
    if stated := parse_stated_targets(text):
        try:
            return TargetsArgs(mode="stated", **stated)
        except ValueError:
            return None  # a number out of range: the model (and validation) handle it
    if re.search(r"\b(adaptive|from my (data|logs?|weight)|recalculate|update my targets|adjust)\b", text, re.I):
        return TargetsArgs(mode="adaptive")
    fields = parse_profile_text(text)
    if fields or re.search(r"\b(set|calculate|work out|compute|new|give me)\b", text, re.I):
        return TargetsArgs(mode="profile", **fields)
    if _VS_TARGET.search(text) or _OVER_TIME.search(text):
        return None  # intake against the targets over time: the chart tool's
    return TargetsArgs(mode="show")


def _target_md(kcal: float | None, p: float | None, c: float | None, f: float | None, fib: float | None) -> str:
    return (
        "| kcal | Protein (g) | Carbs (g) | Fat (g) | Fibre (g) |\n|---|---|---|---|---|\n"
        f"| {fmt(kcal)} | {fmt(p, 'protein_g')} | {fmt(c, 'carbs_g')} | {fmt(f, 'fat_g')} | {fmt(fib, 'fiber_g')} |"
    )


def _proposal_output(ctx: ToolContext, targets, why: dict, source: str, intro: str) -> ToolOutput:  # noqa: ANN001
    current = repo.active_target(ctx.account_id, ctx.engine)
    if not body.worth_proposing(current, targets):
        md = f"{intro}\n\n" + _target_md(
            targets.kcal, targets.protein_g, targets.carbs_g, targets.fat_g, targets.fiber_g
        )
        kept = fmt(current.kcal)  # type: ignore[union-attr]
        md += f"\n\nThat's within {body.MIN_CHANGE_KCAL} kcal of your current target ({kept} kcal), so I'd keep it."
        return ToolOutput(
            summary=f"New estimate {fmt(targets.kcal)} kcal is close to the current target; no change proposed.",
            markdown=md,
            data={"proposed": None, "why": why},
            final=True,
        )
    row = body.propose(ctx.account_id, targets, source, why, ctx.engine)
    md = f"{intro}\n\n**Proposed daily targets**\n\n" + _target_md(
        row.kcal, row.protein_g, row.carbs_g, row.fat_g, row.fiber_g
    )
    if current:
        md += f"\n\nCurrent: {fmt(current.kcal)} kcal, {fmt(current.protein_g, 'protein_g')} g protein."
    md += "\n\nNothing changes until you approve."
    return ToolOutput(
        summary=f"Proposed targets {fmt(row.kcal)} kcal, {fmt(row.protein_g)} g protein ({source}); "
        "waiting for approval.",
        markdown=md,
        data={
            "proposed": row.id,
            "kcal": row.kcal,
            "protein_g": row.protein_g,
            "carbs_g": row.carbs_g,
            "fat_g": row.fat_g,
            "why": why,
        },
        actions=[
            Action(
                label="✅ Use these targets",
                tool="nutrition_target_decide",
                args={"target_id": row.id, "approve": True},
            ),
            Action(
                label="Keep my current targets",
                tool="nutrition_target_decide",
                args={"target_id": row.id, "approve": False},
            ),
        ],
        final=True,
    )


@tool(
    name="nutrition_targets",
    outranks=("ask",),  # "what are my macro targets?" is the targets, not a chart
    description=TargetsArgs.__doc__ or "",
    args=TargetsArgs,
    domain=DOMAIN,
    examples=[
        "set my targets",
        "what are my macro targets?",
        "set my targets: male, 34, 180 cm, 82 kg, moderately active, cutting",
    ],
    intents=[r"\b(calorie|macro)s? (target|goal)s?\b"],
    match=_match_targets,
)
def nutrition_targets(ctx: ToolContext, args: TargetsArgs) -> ToolOutput:
    today = _today(ctx)
    if args.mode == "show":
        t = repo.active_target(ctx.account_id, ctx.engine)
        if t is None:
            return ToolOutput(
                summary="No targets yet.",
                markdown="You have no targets yet — say “set my targets” (and tell me your sex, age, height, "
                "weight and activity if I don't know them).",
                final=True,
            )
        md = "**Your daily targets**\n\n" + _target_md(t.kcal, t.protein_g, t.carbs_g, t.fat_g, t.fiber_g)
        md += f"\n\nFrom: {t.source}" + (
            f", maintenance estimate {fmt(t.expenditure_kcal)} kcal." if t.expenditure_kcal else "."
        )
        return ToolOutput(
            summary=f"Targets: {fmt(t.kcal)} kcal, {fmt(t.protein_g)} g protein, {fmt(t.carbs_g)} g carbs, "
            f"{fmt(t.fat_g)} g fat.",
            markdown=md,
            data={"kcal": t.kcal, "protein_g": t.protein_g, "carbs_g": t.carbs_g, "fat_g": t.fat_g},
            final=True,
        )
    stated = {f: getattr(args, f) for f in body.STATED_FIELDS if getattr(args, f) is not None}
    if args.mode == "stated" or (stated and args.mode == "profile"):
        try:
            row = body.set_stated(ctx.account_id, stated, ctx.engine)
        except EnergyError as e:
            raise ToolError(str(e)) from e
        said = ", ".join(f"{fmt(v, f)} {'kcal' if f == 'kcal' else 'g ' + f.split('_')[0].replace('fiber', 'fibre')}"
                         for f, v in stated.items())  # fmt: skip
        md = f"Set as you said: {said}.\n\n**Your daily targets**\n\n" + _target_md(
            row.kcal, row.protein_g, row.carbs_g, row.fat_g, row.fiber_g
        )  # type: ignore[arg-type]
        return ToolOutput(
            summary=f"Targets set as stated: {said}.",
            markdown=md,
            data={"stated": stated} | {f: getattr(row, f) for f in body.STATED_FIELDS},
            final=True,
        )
    changes: dict[str, Any] = {
        k: v
        for k, v in (
            ("sex", args.sex),
            ("height_cm", args.height_cm),
            ("activity_level", args.activity_level),
            ("goal", args.goal),
        )
        if v
    }
    if args.age:
        changes["birth_year"] = today.year - args.age
    try:
        if changes:
            update_profile(ctx.account_id, changes, ctx.engine)
        if args.weight_kg:
            body.log_weight(ctx.account_id, Mass.kgs(args.weight_kg), today, engine=ctx.engine)
        if args.mode == "adaptive":
            targets, why, est = body.adaptive_targets(ctx.account_id, today, ctx.engine)
            intro = (
                f"From your last {est.days} days ({est.logged_days} logged, {est.weigh_ins} weigh-ins): you ate "
                f"{fmt(est.mean_intake)} kcal/day on average and your trend moved "
                f"{est.weight_change_kg_per_week:+.2f} kg/week, so your maintenance is about **{fmt(est.kcal)} kcal** "
                f"(95 % range {fmt(est.low)}–{fmt(est.high)})."
            )
            return _proposal_output(ctx, targets, why, "adaptive", intro)
        targets, why = body.profile_targets(ctx.account_id, today, ctx.engine)
    except (EnergyError, AccountError) as e:
        raise ToolError(str(e)) from e
    intro = (
        f"Mifflin–St Jeor for {why['sex']}, {why['age']} y, {why['height_cm']:.0f} cm, {why['weight_kg']} kg: "
        f"resting {fmt(why['bmr_kcal'])} kcal × {why['activity_factor']} ({why['activity']}) = maintenance "
        f"**{fmt(why['tdee_kcal'])} kcal**; goal: {why['goal']}."
    )
    return _proposal_output(ctx, targets, why, "profile", intro)


class DecideArgs(BaseModel):
    """Approve or decline a proposed target change (from its buttons)."""

    target_id: int
    approve: bool


@tool(
    name="nutrition_target_decide", description=DecideArgs.__doc__ or "", args=DecideArgs, domain=DOMAIN, kind="write"
)
def nutrition_target_decide(ctx: ToolContext, args: DecideArgs) -> ToolOutput:
    try:
        row = body.decide(ctx.account_id, args.target_id, args.approve, ctx.engine)
    except EnergyError as e:
        raise ToolError(str(e)) from e
    if args.approve:
        md = "✅ New targets are active:\n\n" + _target_md(row.kcal, row.protein_g, row.carbs_g, row.fat_g, row.fiber_g)
        return ToolOutput(
            summary=f"Targets approved: {fmt(row.kcal)} kcal.", markdown=md, data={"active": row.id}, final=True
        )
    return ToolOutput(
        summary="Proposal declined; targets unchanged.", markdown="OK — your targets stay as they were.", final=True
    )


class ExpenditureArgs(BaseModel):
    """Estimate maintenance calories (TDEE) from logged food and the weight trend, with its uncertainty."""


_TDEE_RE = re.compile(r"\b(tdee|maintenance( calories)?|expenditure|how many calories do i burn|metabolism)\b", re.I)


@tool(
    name="nutrition_expenditure",
    description=ExpenditureArgs.__doc__ or "",
    args=ExpenditureArgs,
    domain=DOMAIN,
    examples=["what's my TDEE?", "what are my maintenance calories?"],
    match=lambda text, _a: ExpenditureArgs() if _TDEE_RE.search(text) and not _TARGETS_RE.search(text) else None,
)
def nutrition_expenditure(ctx: ToolContext, _args: ExpenditureArgs) -> ToolOutput:
    today = _today(ctx)
    try:
        targets, why, est = body.adaptive_targets(ctx.account_id, today, ctx.engine)
    except EnergyError as e:
        try:
            _t, pwhy = body.profile_targets(ctx.account_id, today, ctx.engine)
            md = (
                f"{e}\n\nUntil then, the profile estimate (Mifflin–St Jeor × {pwhy['activity_factor']}) is "
                f"**{fmt(pwhy['tdee_kcal'])} kcal/day**."
            )
            return ToolOutput(
                summary=md.replace("**", ""),
                markdown=md,
                data={"adaptive": None, "profile_tdee": pwhy["tdee_kcal"]},
                final=True,
            )
        except EnergyError as e2:
            raise ToolError(f"{e} {e2}") from e2
    intro = (
        f"Over {est.days} days ({est.logged_days} logged, {est.weigh_ins} weigh-ins) you averaged "
        f"{fmt(est.mean_intake)} kcal/day while your weight trend moved {est.weight_change_kg_per_week:+.2f} kg/week. "
        f"Estimated maintenance: **{fmt(est.kcal)} kcal/day** (95 % range {fmt(est.low)}–{fmt(est.high)})."
    )
    out = _proposal_output(ctx, targets, why, "adaptive", intro)
    out.data |= {"expenditure_kcal": est.kcal, "low": est.low, "high": est.high}
    return out


# =========================================================================== import / export
class ImportArgs(BaseModel):
    """Import a MyFitnessPal or Cronometer export (attached CSV or ZIP) into the food diary and weights."""

    weight_unit: Literal["kg", "lb"] | None = Field(default=None, description="unit of MFP weights (its file has none)")
    replace: bool = Field(
        default=False, description="true only when the person asked daily totals to replace itemised servings"
    )


def _csv_kind(att: Attachment) -> str | None:
    try:
        raw = Path(att.path).read_bytes()[:65536]
    except OSError:
        return None
    if raw[:2] == b"PK":
        return "zip"
    try:
        headers, _rows = read_rows(decode_csv(raw)[0])
    except ImportFormatError:
        return None
    return detect(headers)


def _match_import(text: str, atts: list[Attachment]) -> ImportArgs | None:
    files = [
        a
        for a in atts
        if a.mime in ("text/csv", "text/plain", "application/zip") or a.filename.lower().endswith((".csv", ".zip"))
    ]
    if not files:
        return None
    if any(_csv_kind(a) not in (None, "zip") for a in files) or re.search(
        r"\b(myfitnesspal|mfp|cronometer)\b", text or "", re.I
    ):
        unit = (
            "lb"
            if re.search(r"\b(lbs?|pounds)\b", text or "", re.I)
            else "kg"
            if re.search(r"\b(kg|kilos?)\b", text or "", re.I)
            else None
        )
        replace = bool(re.search(r"\b(replace|overwrite)\b|\buse the (daily )?totals\b", text or "", re.I))
        return ImportArgs(weight_unit=unit, replace=replace)  # type: ignore[arg-type]
    return None


@tool(
    name="food_import",
    yields_to=("train_import",),  # a Strong/Hevy export has date and weight columns too
    description=ImportArgs.__doc__ or "",
    args=ImportArgs,
    domain=DOMAIN,
    examples=["import my MyFitnessPal export", "here's my cronometer export"],
    intents=[r"\bimport\b.*\b(myfitnesspal|mfp|cronometer)\b"],
    match=_match_import,
    kind="write",
)
def food_import(ctx: ToolContext, args: ImportArgs) -> ToolOutput:
    files = [a for a in ctx.attachments if not a.is_image and not a.is_video]
    if not files:
        raise ToolError("Attach the CSV (or ZIP) you exported from MyFitnessPal or Cronometer.")
    unit = args.weight_unit or ("lb" if _imperial(ctx) else "kg")
    lines, data = [], []
    for a in files:
        try:
            result = parse_file(Path(a.path), unit)
        except ImportFormatError as e:
            lines.append(f"❌ {a.filename}: {e}")
            continue
        summary = save_import(ctx.account_id, result, ctx.engine, replace=args.replace)
        what = []
        if summary.entries:
            what.append(f"{summary.entries} diary rows over {summary.days} days")
        if summary.weights:
            what.append(
                f"{summary.weights} weigh-ins (read as {unit})"
                if result.kind.find("mfp_measurement") >= 0
                else f"{summary.weights} weigh-ins"
            )
        if summary.activities:
            what.append(f"{summary.activities} exercise rows (energy burned, steps)")
        if summary.sets:
            what.append(f"{summary.sets} strength sets (in your training log)")
        span = f" ({summary.first} to {summary.last})" if summary.first else ""
        lines.append(
            f"✅ {a.filename}: imported {' and '.join(what) or 'nothing'}{span}."
            + (
                f" Replaced {summary.replaced} rows from an earlier import of the same days."
                if summary.replaced
                else ""
            )
        )
        lines += [f"ℹ️ {n}" for n in summary.notes]
        if result.skipped_rows:
            shown = "; ".join(result.skipped_rows[:5])
            more = f" … and {len(result.skipped_rows) - 5} more" if len(result.skipped_rows) > 5 else ""
            lines.append(f"Skipped {len(result.skipped_rows)} rows: {shown}{more}.")
        lines += [f"⚠️ {w}" for w in result.warnings]
        data.append(
            {
                "file": a.filename,
                "kind": result.kind,
                "entries": summary.entries,
                "weights": summary.weights,
                "replaced": summary.replaced,
                "activities": summary.activities,
                "strength_sets": summary.sets,
                "kept_itemised_days": [d.isoformat() for d in summary.kept_days],
                "skipped": dict(result.skipped),
                "skipped_rows": result.skipped_rows[:50],
                "warnings": result.warnings,
            }
        )
    if not data:
        raise ToolError(" ".join(lines))
    return ToolOutput(summary=" ".join(lines), markdown="\n\n".join(lines), data={"files": data}, final=True)


class ExportArgs(BaseModel):
    """Export the whole food diary, weights, custom foods and targets as CSV files (and one ZIP)."""


@tool(
    name="food_export",
    description=ExportArgs.__doc__ or "",
    args=ExportArgs,
    domain=DOMAIN,
    examples=["export my food diary", "download my nutrition data as csv"],
    match=lambda text, _a: (
        ExportArgs()
        if re.search(r"\b(export|download)\b.*\b(food|diary|nutrition|meals?|weights?|calories)\b", text, re.I)
        else None
    ),
)
def food_export(ctx: ToolContext, _args: ExportArgs) -> ToolOutput:
    out = ctx.output_dir / f"nutrition-export-{_now(ctx).strftime('%Y%m%d-%H%M%S')}"
    paths = export_csv(ctx.account_id, out, ctx.engine)
    names = ", ".join(p.name for p in paths[:-1])
    return ToolOutput(
        summary=f"Exported {names}.",
        markdown=f"Your data as CSV: {names} (all in one ZIP).",
        files=[str(p) for p in paths],
        data={"files": [p.name for p in paths]},
        final=True,
    )
