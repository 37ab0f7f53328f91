"""Energy and macro targets (stated, from the profile, adaptive) and expenditure."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.nutrition.common import _TRAINING_WORDS, DOMAIN, _today
from agent.tools.nutrition.days import _OVER_TIME, _VS_TARGET
from nutrition.energy import EnergyError
from nutrition.nutrient_text import SET_MACROS, parse_stated_targets, parse_target_change
from nutrition.nutrients import fmt
from nutrition.profile_text import parse_profile_text
from nutrition.service import (
    MIN_CHANGE_KCAL,
    STATED_FIELDS,
    CurrentTargets,
    ProfileExpenditure,
    ProfileFacts,
    StatedTargets,
    TargetsProposal,
    TargetsRequest,
    decide_targets,
    expenditure,
    targets,
)
from services.accounts import AccountError


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
    r"how many calories should i|calculate my (calories|macros|tdee))\b|" + SET_MACROS,
    re.I,
)


# A new goal said in words ("I'm bulking now", "time to cut", "switch my goal to maintenance"): the profile's
# goal is saved and targets for it are proposed (approved by the athlete, as any computed targets).
_GOAL_SAID = re.compile(
    r"^\W*(?:ok(?:ay)?,?\s+|so,?\s+)?"
    r"(?:(?:i'?m|i am|im)\s+(?:now\s+|officially\s+)?(?:going\s+(?:to\s+)?|gonna\s+|starting\s+(?:to\s+|a\s+)?)?"
    r"(?:on\s+a\s+|in\s+a\s+)?|(?:i\s+want\s+to|i'?d\s+like\s+to|time\s+to|let'?s|starting(?:\s+a|\s+my)?|"
    r"(?:switch|change|set)\s+my\s+goal\s+to)\s+(?:a\s+)?)"
    r"(?P<goal>bulk(?:ing)?|lean\s+bulk(?:ing)?|cut(?:ting)?|maint(?:ain(?:ing)?|enance)|lose\s+(?:weight|fat)|"
    r"fat\s+loss|weight\s+loss|deficit|surplus|gain\s+(?:weight|muscle|mass))\b"
    r"(?:\s+(?:now|from now on|again|today|phase))?\s*[.!]*\s*$",
    re.I,
)


def _goal_said(text: str) -> str | None:
    m = _GOAL_SAID.match(text)
    if m is None:
        return None
    g = m.group("goal").lower()
    if g.startswith(("cut", "lose", "fat", "weight", "deficit")):
        return "lose"
    return "maintain" if g.startswith("maint") else "gain"


def _match_targets(text: str, _a: list[Attachment]) -> TargetsArgs | None:
    if re.search(r"\bhow (often|many (days|times|weeks))\b", text, re.I):
        return None  # "how often do I hit my protein target" counts days over time: the chart tool's
    if goal := _goal_said(text):
        return TargetsArgs.model_validate({"mode": "profile", "goal": goal})
    if changed := parse_target_change(text):
        try:
            return TargetsArgs.model_validate({"mode": "stated", **changed})
        except ValueError:
            return None  # a number out of range: the model (and validation) handle it
    if not _TARGETS_RE.search(text) or (_TRAINING_WORDS.search(text) and not re.search(r"calorie|macro", text, re.I)):
        return None
    if stated := parse_stated_targets(text):
        try:
            return TargetsArgs.model_validate({"mode": "stated", **stated})
        except ValueError:
            return None  # a number out of range: the model (and validation) handle it
    if re.search(
        r"\b(adaptive|from my (data|logs?|weight)|recalculate|update my (targets|macros)|adjust)\b", text, re.I
    ):
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


def _proposal_output(got: TargetsProposal, intro: str) -> ToolOutput:
    targets, why, source, current = got.targets, got.why, got.source, got.current
    if got.proposed is None:
        md = f"{intro}\n\n" + _target_md(
            targets.kcal, targets.protein_g, targets.carbs_g, targets.fat_g, targets.fiber_g
        )
        kept = fmt(current.kcal) if current else "—"
        md += f"\n\nThat's within {MIN_CHANGE_KCAL} kcal of your current target ({kept} kcal), so I'd keep it."
        return ToolOutput(
            summary=f"New estimate {fmt(targets.kcal)} kcal is close to the current target; no change proposed.",
            markdown=md,
            data={"proposed": None, "why": why},
            final=True,
        )
    row = got.proposed
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
    facts = ProfileFacts(sex=args.sex, age=args.age, height_cm=args.height_cm, weight_kg=args.weight_kg,
                         activity_level=args.activity_level, goal=args.goal)  # fmt: skip
    req = TargetsRequest(args.mode, {f: getattr(args, f) for f in STATED_FIELDS}, facts)
    try:
        got = targets(ctx.account_id, req, today=_today(ctx), engine=ctx.engine)
    except (EnergyError, AccountError) as e:
        raise ToolError(str(e)) from e
    if isinstance(got, CurrentTargets):
        t = got.row
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
    if isinstance(got, StatedTargets):
        row, stated = got.row, got.stated
        said = ", ".join(f"{fmt(v, f)} {'kcal' if f == 'kcal' else 'g ' + f.split('_')[0].replace('fiber', 'fibre')}"
                         for f, v in stated.items())  # fmt: skip
        md = f"Set as you said: {said}.\n\n**Your daily targets**\n\n" + _target_md(
            row.kcal, row.protein_g, row.carbs_g, row.fat_g, row.fiber_g
        )
        return ToolOutput(
            summary=f"Targets set as stated: {said}.",
            markdown=md,
            data={"stated": stated} | {f: getattr(row, f) for f in STATED_FIELDS},
            final=True,
        )
    why, est = got.why, got.estimate
    if est is not None:
        intro = (
            f"From your last {est.days} days ({est.logged_days} logged, {est.weigh_ins} weigh-ins): you ate "
            f"{fmt(est.mean_intake)} kcal/day on average and your trend moved "
            f"{est.weight_change_kg_per_week:+.2f} kg/week, so your maintenance is about **{fmt(est.kcal)} kcal** "
            f"(95 % range {fmt(est.low)}–{fmt(est.high)})."
        )
    else:
        intro = (
            f"Mifflin–St Jeor for {why['sex']}, {why['age']} y, {why['height_cm']:.0f} cm, {why['weight_kg']} kg: "
            f"resting {fmt(why['bmr_kcal'])} kcal × {why['activity_factor']} ({why['activity']}) = maintenance "
            f"**{fmt(why['tdee_kcal'])} kcal**; goal: {why['goal']}."
        )
    return _proposal_output(got, intro)


class DecideArgs(BaseModel):
    """Approve or decline a proposed target change (from its buttons)."""

    target_id: int
    approve: bool


@tool(
    name="nutrition_target_decide", description=DecideArgs.__doc__ or "", args=DecideArgs, domain=DOMAIN, kind="write"
)
def nutrition_target_decide(ctx: ToolContext, args: DecideArgs) -> ToolOutput:
    try:
        row = decide_targets(ctx.account_id, args.target_id, args.approve, ctx.engine)
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
    match=lambda text, _a: (
        ExpenditureArgs() if _TDEE_RE.search(text) and not (_TARGETS_RE.search(text) or _goal_said(text)) else None
    ),  # "switch my goal to maintenance" sets a goal
)
def nutrition_expenditure(ctx: ToolContext, _args: ExpenditureArgs) -> ToolOutput:
    try:
        got = expenditure(ctx.account_id, today=_today(ctx), engine=ctx.engine)
    except EnergyError as e:
        raise ToolError(str(e)) from e
    if isinstance(got, ProfileExpenditure):
        md = (
            f"{got.why_not_adaptive}\n\nUntil then, the profile estimate (Mifflin–St Jeor × {got.activity_factor}) "
            f"is **{fmt(got.tdee_kcal)} kcal/day**."
        )
        return ToolOutput(
            summary=md.replace("**", ""),
            markdown=md,
            data={"adaptive": None, "profile_tdee": got.tdee_kcal},
            final=True,
        )
    est = got.estimate
    intro = (
        f"Over {est.days} days ({est.logged_days} logged, {est.weigh_ins} weigh-ins) you averaged "
        f"{fmt(est.mean_intake)} kcal/day while your weight trend moved {est.weight_change_kg_per_week:+.2f} kg/week. "
        f"Estimated maintenance: **{fmt(est.kcal)} kcal/day** (95 % range {fmt(est.low)}–{fmt(est.high)})."
    )
    out = _proposal_output(got, intro)
    out.data |= {"expenditure_kcal": est.kcal, "low": est.low, "high": est.high}
    return out
