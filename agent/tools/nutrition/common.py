"""Helpers shared by the nutrition tools: the athlete's day and clock, units, targets."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from agent.tools.base import ToolContext, ToolError
from nutrition import diary
from nutrition.diary import DiaryError
from nutrition.nutrients import LABELS, Nutrients, fmt
from nutrition.service import DayTotals
from services.accounts import AccountContext, turn_context

DOMAIN = "nutrition"
Meal = Literal["breakfast", "lunch", "dinner", "snack"]


# --------------------------------------------------------------------------- shared helpers
def _now(ctx: ToolContext) -> datetime:
    return (ctx.now or datetime.now(UTC)).astimezone(UTC)


def _who(ctx: ToolContext) -> AccountContext:
    """The athlete's timezone, clock and units for this turn."""
    return turn_context(ctx.account_id, ctx.engine, _now(ctx))


def _local(ctx: ToolContext) -> datetime:
    return _who(ctx).now


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


def _day_status(totals: DayTotals, today: date) -> str:
    """One line under a change to the diary: the day so far and the calories left of the target."""
    line = f"{_day_label(totals.day, today).capitalize()} so far: {_nutrients_line(totals.eaten)}."
    if totals.kcal_left is not None and totals.target:
        line += f" {fmt(totals.kcal_left)} kcal left of {fmt(totals.target['kcal'])}."
    return line


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
