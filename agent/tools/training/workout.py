"""Today's workout, plate maths and the e1RM chart with progression."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from agent.tools.base import Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.training.common import DOMAIN, _now
from agent.tools.training.setup import _BAR_RE, _MAX_TO, _PLATES_HAVE_RE
from training import e1rm as e1rm_mod
from training.builder import looks_like_program_request, parse_maxes
from training.chart import e1rm_chart
from training.library import library
from training.parse import SetLineError, looks_like_set_line, parse_sets
from training.render import mass, num, table
from training.service import (
    LogbookError,
    NoProgram,
    SetupError,
    e1rm_trend,
    estimate_e1rm,
    plates_for,
    rep_max,
    today_markdown,
    today_plan,
    today_summary,
)  # fmt: skip
from training.service.today import WEEKDAYS


# --------------------------------------------------------------------------- today's workout
class TodayArgs(BaseModel):
    """Show today's (or the next) workout of the saved program with loads rounded to the athlete's plates; or the
    one that falls on a later day the athlete names."""

    day: Literal["today", "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = (
        Field(default="today", description="the day asked about")
    )


_DAY_WORD = re.compile(r"\b(today|tonight|tomorrow|tmrw|tmr|" + "|".join(WEEKDAYS) + r")(?:'?s)?\b", re.I)


def _match_today(text: str, _a: list[Attachment]) -> TodayArgs | None:
    if not _TODAY_RE.search(text) or re.search(r"\b(?:next|this|following) week\b|\bweek\s+\d", text, re.I):
        return None  # "show me the program for next week" is the program's week (program_show)
    m = _DAY_WORD.search(text)
    word = m[1].lower() if m else "today"
    return TodayArgs.model_validate(
        {"day": {"tonight": "today", "tmrw": "tomorrow", "tmr": "tomorrow"}.get(word, word)}
    )


_DAY = r"(?:today|tonight|tomorrow|tmrw|tmr|(?:on |this |next )?(?:mon|tues|wednes|thurs|fri|satur|sun)day)"
_TODAY_RE = re.compile(
    r"\b(?:what(?:'?s| is| do i have| am i (?:doing|training|lifting))|show(?: me)?|give me)\b.*"
    rf"\b(?:workout|session|training|program|lifting|doing)\b.*\b(?:{_DAY}|now|next)\b|"
    r"\b(?:today'?s|next|tonight'?s)\s+(?:workout|session|training)\b|"
    rf"\bwhat(?:'?s| is) on (?:for )?(?:{_DAY}|the (?:plan|program|programme) (?:for )?{_DAY})\b|"
    rf"\bwhat am i (?:doing|training|lifting) {_DAY}\b|"
    # "what do i have on friday", "what's next in the program", "what's up next"
    rf"\bwhat do i have (?:on |for )?{_DAY}\b|\bwhat(?:'?s| is) (?:up )?next (?:in|on) (?:the|my) "
    r"(?:program|programme|plan)\s*\??\s*$|"
    r"\bwhat should i (?:do|lift|train|hit)(?: in the gym)? (?:today|tonight|next)\b|\btoday'?s (?:plan|lifts)\b|"
    rf"\bwhat(?:'?s| is) (?:on )?(?:the |my )?(?:plan|program|programme|schedule) (?:for )?{_DAY}\b|"
    r"\b(?:tomorrow|tmrw)'?s (?:workout|session|training|plan|lifts)\b",
    re.I,
)


@tool(
    name="train_today",
    yields_to=("train_summary",),  # "sum up today's workout" asks what was done, not what is planned
    description=TodayArgs.__doc__ or "",
    args=TodayArgs,
    domain=DOMAIN,
    examples=["what's my workout today?", "next session"],
    intents=[r"\b(workout|session|training|lifts?)\b.*\b(today|tonight|tomorrow)\b"],
    match=_match_today,
)
def train_today(ctx: ToolContext, args: TodayArgs) -> ToolOutput:
    try:
        plan = today_plan(ctx.account_id, _now(ctx), ctx.engine, day=args.day)
    except NoProgram:
        raise ToolError(
            "You don't have a saved program yet. Ask me to build one (e.g. “4-day upper/lower for 8 weeks, squat 140 "
            "bench 100 deadlift 180”) or log sets as you go (“squat 140x5 @8”)."
        ) from None
    data = {} if plan.complete else {
        "week": plan.week, "workout": plan.workout, "planned_date": str(plan.planned_date),
        "items": [i.as_dict(plan.unit) for i in plan.items],
    }  # fmt: skip
    return ToolOutput(summary=today_summary(plan), markdown=today_markdown(plan), data=data, final=True)


# --------------------------------------------------------------------------- plates
class PlatesArgs(BaseModel):
    """Which plates to put on each side of the bar for a target weight (with the athlete's bar and plates)."""

    load: float = Field(gt=0, description="target total weight")
    unit: Literal["kg", "lb"] | None = None
    bar: float | None = Field(default=None, gt=0, le=60, description="a bar named for this load ('on a 15 kg bar')")
    bar_unit: Literal["kg", "lb"] | None = None


_PLATES_RE = re.compile(
    r"\b(?:plates?|plate math|load(?:ing)? the bar|how (?:do i|to|should i|can i) (?:load|make|get|set up)|"
    r"what(?:'s| is) on the bar|"
    r"(?:goes|go|put|load) on (?:each|either|every) side|(?:on |for )?(?:each|per) side)\b"
    r"[^\d]{0,30}?(\d+(?:[.,]\d+)?)\s*(kg|kgs|kilos?|lbs?|pounds?)?|"
    r"\b(?:load|loading)\s+(\d+(?:[.,]\d+)?)\s*(kg|kgs|kilos?|lbs?|pounds?)?(?:\s+on the bar)?\s*\??$",
    re.I,
)


def _match_plates(text: str, _a: list[Attachment]) -> PlatesArgs | None:
    if _PLATES_HAVE_RE.search(text) or _BAR_RE.search(text):
        return None  # "I have plates 20, 10…" describes equipment
    if re.search(r"\b\d+\s+plates?\b(?!\s+(?:kg|lb|lbs)\b)", text, re.I):
        return None  # "squat 3 plates for 5" is a load said in plates (a set), not a plate question
    if re.search(r"\bplates?\b[^\d]{0,20}\d+(?:\.\d+)?\s*(?:cm|mm)\b", text, re.I):
        return None  # "plates are 45cm" is their size (for a clip), not a load
    m = _PLATES_RE.search(text)
    if not m:
        return None
    value = m.group(1) or m.group(3)
    u = (m.group(2) or m.group(4) or "").lower()
    unit = None if not u else ("lb" if u.startswith(("lb", "pound")) else "kg")
    args: dict[str, object] = {"load": float(value.replace(",", ".")), "unit": unit}
    if bar := _NAMED_BAR.search(text):
        bu = (bar.group(2) or "").lower()
        args |= {
            "bar": float(bar.group(1)),
            "bar_unit": ("lb" if bu.startswith(("lb", "pound")) else "kg") if bu else None,
        }
    return PlatesArgs.model_validate(args)


_NAMED_BAR = re.compile(
    r"\b(?:on|with|using)\s+(?:an?|the|my)\s+(\d+(?:\.\d+)?)\s*(kg|kgs|kilos?|lbs?|pounds?)?\s*(?:bar|barbell)\b", re.I
)


@tool(
    name="train_plates",
    description=PlatesArgs.__doc__ or "",
    args=PlatesArgs,
    domain=DOMAIN,
    examples=["what plates for 142.5?", "how do I load 225 lb"],
    match=_match_plates,
)
def train_plates(ctx: ToolContext, args: PlatesArgs) -> ToolOutput:
    try:
        plan = plates_for(ctx.account_id, args.load, args.unit, ctx.engine, bar=args.bar, bar_unit=args.bar_unit)
    except SetupError as e:
        raise ToolError(str(e)) from e
    eq, unit, b = plan.equipment, plan.unit, plan.bar
    asked = f"{num(args.load)} {unit}"
    conv = f" ({num(b.target)} {eq.unit})" if unit != eq.unit else ""
    line = f"**{num(b.total)} {eq.unit}**: {b.describe()}"
    notes = "".join(f"\n\n_{n}_" for n in b.notes)
    md = f"For {asked}{conv}: {line}{notes}"
    return ToolOutput(
        summary=f"{asked}: {b.describe()}; total {num(b.total)} {eq.unit}"
        + (f" ({'; '.join(b.notes)})" if b.notes else ""),
        markdown=md,
        data=b.as_dict(),
        final=True,
    )


# --------------------------------------------------------------------------- e1RM
class E1RMArgs(BaseModel):
    """Estimate a one-rep max from a set (Epley, Brzycki, RPE chart), or show a lift's e1RM history."""

    exercise: str | None = None
    load: float | None = Field(default=None, gt=0)
    reps: int | None = Field(default=None, ge=1, le=30)
    rpe: float | None = Field(default=None, ge=1, le=10)
    unit: Literal["kg", "lb"] | None = None


_E1RM_RE = re.compile(
    r"\b(e1rm|e1rms|estimated (?:1rm|one rep max|max)|one[- ]rep max|1rm|what(?:'s| is) my max|"
    r"max (?:estimate|estimation)|estimate (?:my|of my|for my) (?=(?:[a-z]+ ){0,2}max\b))",
    re.I,
)


def _match_e1rm(text: str, _a: list[Attachment]) -> E1RMArgs | None:
    if not _E1RM_RE.search(text) or looks_like_program_request(text) or _MAX_TO.search(text):
        return None  # "set my ohp 1rm to 145" states a max
    if parse_maxes(text) and not looks_like_set_line(text) and not re.search(r"\b(what|how|show|estimate)", text, re.I):
        return None  # "bench 1rm 100 kg" states a max (train_set_maxes), it doesn't ask for one
    try:
        entries = parse_sets(text)
    except SetLineError:
        entries = []
    if entries and entries[0].sets and entries[0].sets[0].load:
        e, s = entries[0], entries[0].sets[0]
        ex_text = e.exercise_text or None
        if ex_text and re.search(r"\b(?:e|rm|if|from|what'?s?|my|is|did|got|for)\b", ex_text, re.I):
            ex_text = _named_lift(_E1RM_RE.sub(" ", text))  # "e1rm if i did 100 for 8": question words, no lift
        return E1RMArgs.model_validate(
            {"exercise": ex_text, "load": s.load, "reps": s.reps or 1, "rpe": s.rpe, "unit": s.unit}
        )
    ex = _named_lift(re.sub(_E1RM_RE, " ", text))
    return E1RMArgs(exercise=ex) if ex else None


# --------------------------------------------------------------------------- rep maxes
class RepMaxArgs(BaseModel):
    """The athlete's heaviest logged set of a lift for a number of reps or more (their 3RM, 5RM, best double)."""

    exercise: str = Field(description="the lift, e.g. 'bench press'")
    reps: int = Field(ge=1, le=20, description="the reps: 3 for a triple, 5 for a 5RM")


_REP_WORDS = {"single": 1, "double": 2, "triple": 3}
_REP_MAX_RE = re.compile(
    r"\b(?:(?P<word>single|double|triple)s?|(?P<n>[2-9]|1[0-9]|20)\s*-?\s*(?:rm|rep(?:s)?(?: max| pr| best)?)|"
    r"for (?P<for>[2-9]|1[0-9]|20)(?: reps?)?)\b",
    re.I,
)
_BEST = re.compile(r"\b(best|heaviest|top|pr|pb|record|max|biggest|most)\b", re.I)


def _named_lift(text: str) -> str | None:
    """The lift the library knows in `text`, the longest name first ('front squat' before 'squat')."""
    for phrase in re.findall(r"[a-z][a-z' -]+", text.lower()):
        words = phrase.split()
        for size in range(len(words), 0, -1):
            for i in range(len(words) - size + 1):
                if (found := library().lookup(" ".join(words[i : i + size]))) is not None:
                    return found.id
    return None


def _has_load(text: str) -> bool:
    """A set with a weight ('squat 140 for 3, new pr!') is a log, however proud."""
    try:
        return any(s.load for e in parse_sets(text) for s in e.sets)
    except SetLineError:
        return False


# "what's my best squat?", "whats my bench pr", "heaviest deadlift ever": the heaviest set at any reps (1 or more).
# Not a max estimate (e1RM), a chart over time (volume, speed, a week) or a clip's question.
_BEST_LIFT_Q = re.compile(
    r"^\W*(?:what(?:'?s| is| was| are)|whats|show(?: me)?|tell me|give me)\b.{0,25}\b(?:best|heaviest|pr|pb|record)\b"
    r"|\b(?:heaviest|best)\b.{0,25}\b(?:ever|i'?ve (?:ever )?(?:done|lifted|hit)|of all time|all[- ]time)\b",
    re.I,
)
_NOT_BEST_LIFT = re.compile(
    r"\d|\b(?:e1rm|1rm|estimated|max|volume|tonnage|speed|velocity|fast|depth|form|technique|week|month|day|session|"
    r"workout|video|clip|rep|reps|set|sets|progress|chart|graph|trend|day|time to|way to|exercise|accessory)\b",
    re.I,
)


def _match_rep_max(text: str, _a: list[Attachment]) -> RepMaxArgs | None:
    m = _REP_MAX_RE.search(text)
    if m is None and _BEST_LIFT_Q.search(text) and not _NOT_BEST_LIFT.search(text):
        lift = _named_lift(text)
        return RepMaxArgs(exercise=lift, reps=1) if lift else None
    if m is None or _has_load(text) or looks_like_program_request(text):
        return None
    if not (_BEST.search(text) or re.search(r"\d\s*-?\s*(?:rm|rep max)\b", text, re.I)):  # "5RM" asks by itself
        return None
    reps = _REP_WORDS[m["word"].lower()] if m["word"] else int(m["n"] or m["for"])
    lift = _named_lift(_REP_MAX_RE.sub(" ", text))
    return RepMaxArgs(exercise=lift, reps=reps) if lift else None


@tool(
    name="train_rep_max",
    description=RepMaxArgs.__doc__ or "",
    args=RepMaxArgs,
    domain=DOMAIN,
    examples=["what's my 5RM squat?", "heaviest deadlift double I've done"],
    match=_match_rep_max,
)
def train_rep_max(ctx: ToolContext, args: RepMaxArgs) -> ToolOutput:
    try:
        best = rep_max(ctx.account_id, args.exercise, args.reps, ctx.engine)
    except LogbookError as e:
        raise ToolError(str(e)) from e
    load = mass(best.load_kg, best.unit)
    did = f"{load} × {best.done_reps}" + (f" @ RPE {num(best.rpe)}" if best.rpe else "")
    more = f" (a set of {best.done_reps}, so at least {args.reps})" if best.done_reps > args.reps else ""
    said = f"Your best {best.exercise.name} for {args.reps}+ reps: {did} on {best.performed_at:%d %b %Y}{more}."
    return ToolOutput(
        summary=said,
        markdown=said.replace(did, f"**{did}**", 1),
        data={
            "exercise": best.exercise.name,
            "reps_asked": args.reps,
            "load": round(best.load_kg, 2),
            "unit": best.unit,
            "load_shown": load,
            "reps": best.done_reps,
            "rpe": best.rpe,
            "date": best.performed_at.date().isoformat(),
        },
        final=True,
    )


@tool(
    name="train_e1rm",
    yields_to=("ask", "lift_profile"),  # a trend over time is a chart; "from my videos" is the profile
    description=E1RMArgs.__doc__ or "",
    args=E1RMArgs,
    domain=DOMAIN,
    examples=["e1rm 140x5 @8", "what's my squat e1rm?"],
    match=_match_e1rm,
)
def train_e1rm(ctx: ToolContext, args: E1RMArgs) -> ToolOutput:
    if args.load and args.reps:
        e = estimate_e1rm(ctx.account_id, args.load, args.reps, args.rpe, args.unit, ctx.engine)
        est, unit, best = e.estimate, e.unit, e.best
        rows = [
            ["Epley", mass(est.epley.kg, unit) if est.epley else "— (over 10 reps)"],
            ["Brzycki", mass(est.brzycki.kg, unit) if est.brzycki else "— (over 10 reps)"],
            ["RPE chart", mass(est.rpe_chart.kg, unit) if est.rpe_chart else "— (needs RPE ≥ 7, ≤ 12 reps)"],
        ]
        used = e1rm_mod.method_label(e.method, args.rpe)
        head = f"{num(args.load)} {unit} × {args.reps}" + (f" @ RPE {num(args.rpe)}" if args.rpe else "")
        md = f"e1RM for {head}: **{mass(best.kg, unit) if best else '—'}** ({used})\n\n" + table(
            ["Method", "e1RM"], rows
        )
        return ToolOutput(
            summary=f"e1RM for {head}: {mass(best.kg, unit) if best else 'not estimable'} ({used}).",
            markdown=md,
            data=est.as_dict() | {"e1rm_kg": round(best.kg, 2) if best else None, "method": e.method},
            final=True,
        )
    if not args.exercise:
        raise ToolError("Give me a set (e.g. “e1rm 140x5 @8”) or a lift (“what's my squat e1rm?”).")
    try:
        trend = e1rm_trend(ctx.account_id, args.exercise, _now(ctx), args.unit, ctx.engine)
    except LogbookError as e:
        raise ToolError(str(e)) from e
    ex, hist, unit = trend.exercise, trend.history, trend.unit
    best_t, best_kg = max(hist, key=lambda p: p[1])
    last_t, last_kg = hist[-1]
    images = []
    if len(hist) >= 2:
        path = ctx.output_dir / f"e1rm-{ex.id}-{int(_now(ctx).timestamp())}.png"
        images.append(str(e1rm_chart(hist[-40:], path, title=f"{ex.name} e1RM", unit=unit)))
    md = (
        f"**{ex.name}** e1RM: latest {mass(last_kg, unit)} ({last_t:%d %b}), best of the last year "
        f"{mass(best_kg, unit)} ({best_t:%d %b %Y}). Method: {e1rm_mod.formula_rule(trend.formula)}."
    )
    return ToolOutput(
        summary=md.replace("**", ""),
        markdown=md,
        images=images,
        data={"exercise": ex.id, "latest_kg": last_kg, "best_kg": best_kg, "points": len(hist)},
        final=True,
    )
