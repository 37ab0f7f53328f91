"""The diary of a day and the week's intake with its averages."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.tools.base import Attachment, ToolContext, ToolOutput, tool
from agent.tools.nutrition.common import DOMAIN, _day, _day_label, _nutrients_line, _today
from analytics.fastpath import PREVIOUS
from analytics.periods import find_period
from nutrition import render
from nutrition.meal_text import parse_meal_line
from nutrition.nutrients import LABELS, fmt
from nutrition.service import day_totals, week_summary


# =========================================================================== the day and the week
class DayArgs(BaseModel):
    """Show the food diary of a day with totals and what is left of the targets ('how much do I have left?')."""

    day: str | None = Field(default=None, description="'today', 'yesterday', a weekday name or YYYY-MM-DD")
    nutrient: Literal["kcal", "protein_g", "carbs_g", "fat_g", "fiber_g"] | None = Field(
        default=None, description="the nutrient asked about ('am I close to my protein?'): said first"
    )


_DAY_RE = re.compile(
    r"\b(how (much|many) ((calories|kcal|protein|carbs?|fats?|fib(er|re)|macros) )?"
    r"(do i (still )?have |have i (still )?got |is |are )?left|what'?s left|remaining (calories|macros|kcal)|"
    r"(calories|kcal|macros|protein) (left|remaining)|what did i eat|what did i have (for|at) (breakfast|lunch|dinner|"
    r"supper|snacks?)|food (diary|log)|my diary|"
    r"show (me )?(my )?(food|meals|diary|macros|calories)|today'?s (food|calories|macros|intake)|"
    r"how (many|much) (calories|kcal|protein|carbs?|fats?|fib(er|re)|grams of (protein|carbs?|fats?|fib(er|re))) "
    r"(have i|did i|i'?ve) (eaten|had|eat|have|got|get|taken in)|"
    # against the day's targets: over, under or close to one of them
    r"am i (over|under|going over|close to|near|at) (on |in |with )?(my )?(calories|kcal|protein|carbs?|fats?|"
    r"fib(er|re)|macros|sugar|target)s?)\b",
    re.I,
)


_NAMED_DAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d{4}-\d{2}-\d{2})\b", re.I)
_NUTRIENT_ASKED = re.compile(r"\b(calories|kcal|protein|carbs?|fats?|fib(?:er|re))\b", re.I)
_NUTRIENT_FIELD = {"calories": "kcal", "kcal": "kcal", "protein": "protein_g", "carb": "carbs_g", "carbs": "carbs_g",
                   "fat": "fat_g", "fats": "fat_g", "fiber": "fiber_g", "fibre": "fiber_g"}  # fmt: skip


def _match_day(text: str, _a: list[Attachment]) -> DayArgs | None:
    if not _DAY_RE.search(text):
        return None
    offset = parse_meal_line(text).day_offset if re.search(r"yesterday", text, re.I) else None
    named = _NAMED_DAY.search(text)  # "on monday", "last tuesday", "2026-11-20": that day, not today
    asked = {_NUTRIENT_FIELD[m.lower()] for m in _NUTRIENT_ASKED.findall(text)}
    nutrient = asked.pop() if len(asked) == 1 else None
    day = "yesterday" if offset == -1 else (named.group(1).lower() if named else None)
    return DayArgs.model_validate({"day": day, "nutrient": nutrient})


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
    totals = day_totals(ctx.account_id, day, ctx.engine)
    entries, eaten, target = totals.entries, totals.eaten, totals.target
    md = [render.day_table(entries, f"**Food diary — {_day_label(day, today)} ({day.isoformat()})**")]
    summary = f"{day.isoformat()}: {len(entries)} entries, {_nutrients_line(eaten)}."
    data: dict[str, Any] = {"day": day.isoformat(), "entries": len(entries), "eaten": eaten.as_dict()}
    if args.nutrient:  # the nutrient asked about comes first, with its target when there is one
        f = args.nutrient
        unit = "kcal" if f == "kcal" else "g"
        goal = (target or {}).get(f)
        said = f"{LABELS[f]}: {fmt(getattr(eaten, f), f)} {unit} eaten"
        if goal:
            over = (getattr(eaten, f) or 0.0) - goal
            said += (
                f" of your {fmt(goal, f)} {unit} target ({fmt(abs(over), f)} {unit} {'over' if over > 0 else 'left'})"
            )
        else:
            said += " (no target set for it)"
        summary = f"{said}. {summary}"
        md.insert(0, f"**{said}.**")
        data["nutrient"] = f
    if target:
        md.append("**Targets**\n\n" + render.remaining_table(eaten, target))
        left = totals.left
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


# Intake compared with the targets over a week or a month is the chart tool's (`ask`), not a table or the targets.
_VS_TARGET = re.compile(r"\b(vs\.?|versus|against|compared (to|with))\b.*\b(targets?|goals?)\b", re.I)
_OVER_TIME = re.compile(r"\b(this|per|a) (week|month)\b|\b(last|past) \d+ (days|weeks)\b|\b(chart|graph|plot)\b", re.I)
_WEEK_RE = re.compile(
    r"\b(week(ly)?|last 7 days|past 7 days)\b.*\b(food|calories|kcal|nutrition|eating|macros|intake)\b|"
    r"\b(food|calories|kcal|nutrition|eating|macros|intake)\b.*\b(this week|weekly|last 7 days|week chart)\b",
    re.I,
)


_ONE_WEEK = re.compile(r"^(?:(?:over|in|for|during) )?(?:the )?(?:this|past|last) (?:week|7 days)$", re.I)


def _match_week(text: str, _a: list[Attachment]) -> WeekArgs | None:
    if not _WEEK_RE.search(text) or _VS_TARGET.search(text) or PREVIOUS.search(text):
        return None  # against the targets or the week before: the chart tool's comparison
    period = find_period(text)  # "weekly calories last month" is four weeks: the chart tool's, not this table
    return WeekArgs() if period is None or _ONE_WEEK.match(period.strip()) else None


@tool(
    name="food_week",
    description=WeekArgs.__doc__ or "",
    args=WeekArgs,
    domain=DOMAIN,
    examples=["show my calories this week", "weekly nutrition chart"],
    match=_match_week,
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
