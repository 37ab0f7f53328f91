"""Undo, restore, edit, delete and copy diary entries."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.nutrition.common import _TRAINING_WORDS, DOMAIN, Meal, _day, _day_status, _now, _today
from nutrition import render
from nutrition.diary import SHARE_WORDS, DiaryError, FoodBook
from nutrition.nutrients import fmt
from nutrition.quantity import QuantityError, parse_amount
from nutrition.service import (
    CopyInput,
    EditInput,
    copy_food,
    delete_food,
    edit_food,
    entry_nutrients,
    restore_entries,
    undo_food,
)


# =========================================================================== undo, edit, delete, copy
class UndoArgs(BaseModel):
    """Undo the last food log (all items logged together), or the one given by batch_id."""

    batch_id: str | None = None


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
    removed = undo_food(ctx.account_id, args.batch_id, ctx.engine)
    rows = removed.rows
    if not rows:
        return ToolOutput(
            summary="Nothing to undo.", markdown="There's nothing to undo in your food diary.", final=True
        )
    names = ", ".join(f"{e.food_name} ({fmt(e.kcal)} kcal)" for e in rows)
    return ToolOutput(
        summary=f"Removed {len(rows)} entr{'y' if len(rows) == 1 else 'ies'}: {names}.",
        markdown=f"Removed from {rows[0].day.isoformat()} {rows[0].meal}: {names}.",
        data={"removed": [e.id for e in rows]},
        actions=[Action(label="Put it back", tool="food_restore", args={"entries": removed.payload})],
        final=True,
    )


class RestoreArgs(BaseModel):
    """Put back entries that were just removed (from the undo button)."""

    entries: list[dict[str, Any]]


@tool(name="food_restore", description=RestoreArgs.__doc__ or "", args=RestoreArgs, domain=DOMAIN, kind="write")
def food_restore(ctx: ToolContext, args: RestoreArgs) -> ToolOutput:
    rows = restore_entries(ctx.account_id, args.entries, now=_now(ctx), engine=ctx.engine)
    return ToolOutput(
        summary=f"Restored {len(rows)} entries.",
        markdown=f"Put back: {', '.join(r.food_name for r in rows)}.",
        final=True,
    )


class EditArgs(BaseModel):
    """Change the amount of a logged food, or move it to another meal: 'change the rice to 200 g', 'move the
    yogurt from lunch to snacks' (today unless a day is given)."""

    food: str = Field(description="the food as logged, e.g. 'rice'")
    amount: str | None = Field(default=None, description="the new amount, e.g. '200 g', '2 cups', or 'half' of it")
    day: str | None = None
    entry_id: str | None = None
    meal: Meal | None = Field(default=None, description="the meal it was logged in, when said")
    to_meal: Meal | None = Field(default=None, description="the meal it belongs in instead, when moving it")


_EDIT_RE = re.compile(
    r"^\s*(?:change|edit|update|correct|make|fix|adjust|amend)\s+(?:the\s+|my\s+|that\s+)?(?P<food>[a-z][\w\s'-]{1,40}?)\s+(?:to|into|=)\s+(?P<amount>.+?)\s*[.!]?\s*$",
    re.I,
)


_WAS_RE = re.compile(
    r"^\W*(?:actually|oops|sorry|correction|wait)?[,:]?\s*(?:the\s+|my\s+|that\s+)(?P<food>[a-z][\w\s'-]{1,40}?)\s+"
    r"(?:was|were|should be|should have been)\s+(?:actually\s+|only\s+|more like\s+)?"
    r"(?P<amount>\d+(?:[.,]\d+)?\s*[a-z]*?)(?:\s*,?\s*not\s+\d+(?:[.,]\d+)?\s*[a-z]*)?(?:\s+actually)?\s*[.!]?\s*$",
    re.I,
)
_AT_MEAL = re.compile(r"\s+(?:at|for|from|in)\s+(?:my\s+|the\s+)?(?P<meal>breakfast|lunch|dinner|snacks?)$", re.I)


_I_HAD = re.compile(r"\s+(?:that\s+)?i\s+(?:had|ate)\b", re.I)  # 'the oats I had at lunch were …'
_MEAL_FIRST = re.compile(r"^(?P<meal>breakfast|lunch|dinner|snacks?)(?:'s)?\s+(?=\S)", re.I)  # 'lunch oats'


_MEAL = r"(?:my\s+|the\s+)?(breakfast|lunch|dinner|snacks?)"
_TO_MEAL = r"(?:my\s+|the\s+)?(?P<to>breakfast|lunch|dinner|snacks?)"
_MOVE_RE = re.compile(
    r"^\s*(?:please\s+|can you\s+)?(?:move|shift|switch|put)\s+(?:the\s+|my\s+|that\s+)?(?P<food>[a-z][\w\s'-]{1,40}?)"
    rf"(?:\s+(?:from|out of)\s+{_MEAL})?\s+(?:to|into|in|under|over to)\s+{_TO_MEAL}"
    r"(?:\s+instead)?\s*[.!?]?\s*$",
    re.I,
)
_WRONG_MEAL_RE = re.compile(  # 'the eggs were lunch, not breakfast'
    r"^\W*(?:the\s+|my\s+|that\s+)(?P<food>[a-z][\w\s'-]{1,40}?)\s+(?:was|were|should be|belongs?)\s+"
    rf"(?:at\s+|for\s+|in\s+)?{_TO_MEAL},?\s+not\s+(?:at\s+|for\s+)?{_MEAL}\s*[.!]?\s*$",
    re.I,
)


_NOT_FOOD = re.compile(r"\b(reminder|check-?in|notification|alarm|session|workout|program|meeting|call)s?\b", re.I)


def _match_move(text: str) -> EditArgs | None:
    m = _MOVE_RE.match(text) or _WRONG_MEAL_RE.match(text)
    if m is None or _TRAINING_WORDS.search(text) or _NOT_FOOD.search(m.group("food")):
        return None
    food = m.group("food").strip()
    meals = [g.lower().rstrip("s") for g in m.groups()[1:] if g]  # the 'from' meal (when said) and the 'to' meal
    to = m.group("to").lower().rstrip("s")
    source = next((x for x in meals if x != to), None)
    book = FoodBook(None)
    # Two meals named around it make it a diary entry whatever it is called ("the shake", "mum's stew"); with one,
    # it must read as a food.
    if source is None and not (book.is_food(food) or book.find(food).confident):
        return None
    return EditArgs.model_validate({"food": food, "meal": source, "to_meal": to})


# "I only had half the rice", "only ate a third of my pasta at dinner": a part of what was logged
_SHARE_RE = re.compile(
    r"^\W*(?:actually,?\s+|oops,?\s+)?i\s+(?:only\s+(?:had|ate|drank|finished)|(?:had|ate|drank)\s+only)\s+"
    rf"(?P<share>{SHARE_WORDS})\s+(?:of\s+)?(?:the\s+|my\s+|that\s+)(?P<food>[a-z][\w\s'-]{{1,40}}?)"
    rf"(?:\s+(?:at|for|from|in)\s+{_MEAL})?\s*[.!]?\s*$",
    re.I,
)


def _match_share(text: str) -> EditArgs | None:
    m = _SHARE_RE.match(text)
    if m is None or _TRAINING_WORDS.search(text):
        return None
    meal = next((g.lower().rstrip("s") for g in m.groups()[2:] if g), None)
    return EditArgs.model_validate({"food": m.group("food").strip(), "amount": m.group("share"), "meal": meal})


def _match_edit(text: str, _a: list[Attachment]) -> EditArgs | None:
    if moved := _match_move(text):
        return moved
    if part := _match_share(text):
        return part
    m = _EDIT_RE.match(text) or _WAS_RE.match(text)
    if m is not None and _I_HAD.search(m.group("food")):
        food = _I_HAD.sub("", m.group("food"))
        if at := _AT_MEAL.search(food):
            return _edit_args(text, _AT_MEAL.sub("", food), m.group("amount"), at.group("meal").lower().rstrip("s"))
        return _edit_args(text, food, m.group("amount"))
    if m is not None and (first := _MEAL_FIRST.match(m.group("food"))):
        meal = first.group("meal").lower().rstrip("s")
        return _edit_args(text, _MEAL_FIRST.sub("", m.group("food")), m.group("amount"), meal)
    if m is not None and (at := _AT_MEAL.search(m.group("food"))):
        meal = at.group("meal").lower().rstrip("s")
        return _edit_args(text, _AT_MEAL.sub("", m.group("food")), m.group("amount"), meal)
    return _edit_args(text, m.group("food"), m.group("amount")) if m else None


def _edit_args(text: str, food: str, amount: str, meal: str | None = None) -> EditArgs | None:
    if _TRAINING_WORDS.search(text) or re.search(r"\b(reminder|program|profile|timezone|units?|goal)\b", text, re.I):
        return None
    try:
        parse_amount(amount)
    except QuantityError:
        return None
    book = FoodBook(None)
    if not (book.is_food(food) or book.find(food).confident):
        return None
    return EditArgs.model_validate({"food": food, "amount": amount, "meal": meal})


@tool(
    name="food_edit",
    description=EditArgs.__doc__ or "",
    args=EditArgs,
    domain=DOMAIN,
    examples=["change the rice to 200 g", "edit oats to 80 g", "move the yogurt from lunch to snacks"],
    match=_match_edit,
    kind="write",
)
def food_edit(ctx: ToolContext, args: EditArgs) -> ToolOutput:
    try:
        done = edit_food(ctx.account_id, EditInput(args.food, args.amount, _day(ctx, args.day), args.entry_id,
                                                   args.meal, args.to_meal), ctx.engine)  # fmt: skip
    except DiaryError as e:
        raise ToolError(str(e)) from e
    row, before, n = done.row, done.kcal_before, done.nutrients
    table = render.items_table([(row.food_name, row.portion_text, n)])
    moved = f"Moved {row.food_name} from {done.moved_from} to {row.meal}" if done.moved else ""
    changed = (
        f"Changed {row.food_name} to {row.portion_text}: {fmt(before)} → {fmt(row.kcal)} kcal" if args.amount else ""
    )
    said = "; ".join(x for x in (moved, changed) if x) or f"{row.food_name} was already in {row.meal}"
    return ToolOutput(
        summary=said + ".",
        markdown=f"{said}:\n\n{table}\n\n" + _day_status(done.totals, _today(ctx)),
        data={
            "entry_id": row.id,
            "kcal_before": before,
            "meal": row.meal,
            "moved_from": done.moved_from,
            **n.as_dict(),
        },
        final=True,
    )


class DeleteArgs(BaseModel):
    """Remove one logged food by name, e.g. 'remove the toast' or 'delete the coke from lunch'."""

    food: str
    day: str | None = None
    meal: Meal | None = None


_DELETE_RE = re.compile(
    r"^\s*(?:please\s+)?(?:delete|remove|take out|scratch|(?=take\b.*\b(?:off|out of)\b)take|(?=get\b.*\boff\b)get)\s+"
    r"(?:the\s+|my\s+|that\s+)?(?P<food>[a-z][\w\s'-]{1,40}?)"
    r"(?:\s+(?:from|in|off(?:\s+of)?|out\s+of)\s+(?:my\s+|the\s+)?"
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
    try:
        done = delete_food(ctx.account_id, args.food, day, args.meal, ctx.engine)
    except DiaryError as e:
        raise ToolError(str(e)) from e
    entry = done.entry
    return ToolOutput(
        summary=f"Removed {entry.food_name} ({fmt(entry.kcal)} kcal) from {entry.meal} on {day.isoformat()}.",
        markdown=f"Removed **{entry.food_name}** ({fmt(entry.kcal)} kcal) from {entry.meal}.\n\n"
        + _day_status(done.totals, _today(ctx)),
        data={"removed": [entry.id]},
        actions=[Action(label="Put it back", tool="food_restore", args={"entries": done.payload})],
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
    return CopyArgs.model_validate({"from_day": src, "to_day": dst, "meal": meal, "to_meal": to_meal})


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
    try:
        done = copy_food(ctx.account_id, CopyInput(src, dst, args.meal, args.to_meal), ctx.engine)
    except DiaryError as e:
        raise ToolError(str(e)) from e
    table = render.items_table(
        [(r.food_name, render.amount_label(r.amount_text, r.quantity, r.basis), entry_nutrients(r)) for r in done.rows],
        ("kcal", "protein_g", "carbs_g", "fat_g"),
    )
    what = args.meal or "the whole day"
    return ToolOutput(
        summary=f"Copied {len(done.rows)} entries ({what}) from {src.isoformat()} to {dst.isoformat()}.",
        markdown=f"Copied {what} from {src.isoformat()} to {dst.isoformat()}:\n\n{table}\n\n"
        + _day_status(done.totals, _today(ctx)),
        data={"copied": len(done.rows), "from": src.isoformat(), "to": dst.isoformat()},
        actions=[Action(label="↩️ Undo", tool="food_undo", args={"batch_id": done.batch_id})],
        final=True,
    )
