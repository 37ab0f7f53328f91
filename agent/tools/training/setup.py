"""Training maxes and equipment (bars and plates)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from agent.tools.base import Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.training.common import DOMAIN
from powerforge.units import Mass
from training.builder import looks_like_program_request, parse_maxes
from training.parse import looks_like_set_line
from training.render import mass, num, table
from training.service import SetupError, set_equipment, set_maxes


# --------------------------------------------------------------------------- maxes and equipment
class MaxesArgs(BaseModel):
    """Record the athlete's 1RMs or training maxes (e.g. 'my squat max is 140')."""

    maxes: dict[str, float] = Field(description="exercise name → weight")
    unit: Literal["kg", "lb"] | None = None
    kind: Literal["1rm", "tm"] = "1rm"


_MAX_WORDS = re.compile(r"\b(1rm|1 rm|one rep max|max|maxes|pr|prs|training max|tm)\b", re.I)


# "set my ohp 1rm to 145", "update my deadlift max to 200": a stated max, not a question
_MAX_TO = re.compile(
    r"\b(1rm|1 rm|max|tm|training max)\s+(?:to|=|at|is now|now|(?:went|has gone|has jumped|jumped|moved|is) up to|"
    r"went to)\s+(?=\d)",
    re.I,
)


def _match_maxes(text: str, _a: list[Attachment]) -> MaxesArgs | None:
    text = re.sub(r"\bone[- ]rep[- ]max\b", "1rm", text, flags=re.I)  # "one rep" is no set of one rep
    text = _MAX_TO.sub(r"\1 ", text)
    if not _MAX_WORDS.search(text) or looks_like_set_line(text) or looks_like_program_request(text):
        return None
    if re.search(r"\b(what|show|how)\b", text, re.I):
        return None
    found = parse_maxes(text, "kg")
    if not found:
        return None
    unit = "lb" if re.search(r"\b\d+(?:\.\d+)?\s*(lbs?|pounds?)\b", text, re.I) else None
    raw = parse_maxes(text, unit or "kg")
    values = {k: round(Mass.kgs(v).to(unit or "kg"), 2) for k, v in raw.items()}
    kind = "tm" if re.search(r"\b(training max|tm)\b", text, re.I) else "1rm"
    return MaxesArgs.model_validate({"maxes": values, "unit": unit, "kind": kind})


@tool(
    name="train_set_maxes",
    description=MaxesArgs.__doc__ or "",
    args=MaxesArgs,
    domain=DOMAIN,
    examples=["my squat max is 140", "bench 1rm 100 kg, deadlift 180", "set my press training max to 55"],
    match=_match_maxes,
    kind="write",
)
def train_set_maxes(ctx: ToolContext, args: MaxesArgs) -> ToolOutput:
    try:
        saved = set_maxes(ctx.account_id, args.maxes, unit=args.unit, kind=args.kind, engine=ctx.engine)
    except SetupError as e:
        raise ToolError(str(e)) from e
    unit = saved.unit
    rows = [[m.name, "training max" if m.kind == "tm" else "1RM", mass(m.kg, unit)] for m in saved.maxes]
    return ToolOutput(
        summary="Saved maxes: " + ", ".join(f"{r[0]} {r[2]}" for r in rows),
        markdown="Saved — loads in your program now use these:\n\n" + table(["Lift", "Kind", "Max"], rows),
        data={"maxes": args.maxes, "unit": unit, "kind": args.kind},
        final=True,
    )


class EquipmentArgs(BaseModel):
    """Set the athlete's bar weight and available plates (used for plate maths and load rounding)."""

    bar: float | None = Field(default=None, ge=0, le=60)
    plates: list[float] | None = Field(default=None, description="plate weights available (pairs)")
    unit: Literal["kg", "lb"] | None = None


_BAR_RE = re.compile(r"\bmy (?:bar|barbell)\s+(?:is|weighs)\s+(\d+(?:\.\d+)?)\s*(kg|lbs?)?", re.I)
_PLATES_HAVE_RE = re.compile(
    r"\b(?:i have|my|available|set my)\s+plates?\s*(?:are|:|=)?\s*"
    r"((?:\d+(?:\.\d+)?\s*(?:,|and|\s)\s*)+\d+(?:\.\d+)?)\s*(kg|lbs?)?",
    re.I,
)


def _match_equipment(text: str, _a: list[Attachment]) -> EquipmentArgs | None:
    bar = _BAR_RE.search(text)
    plates = _PLATES_HAVE_RE.search(text)
    if not bar and not plates:
        return None
    unit_tok = (bar and bar.group(2)) or (plates and plates.group(2)) or ""
    unit = None if not unit_tok else ("lb" if unit_tok.lower().startswith("lb") else "kg")
    return EquipmentArgs.model_validate({
        "bar": float(bar.group(1)) if bar else None,
        "plates": [float(x) for x in re.findall(r"\d+(?:\.\d+)?", plates.group(1))] if plates else None,
        "unit": unit,
    })  # fmt: skip


@tool(
    name="train_equipment",
    description=EquipmentArgs.__doc__ or "",
    args=EquipmentArgs,
    domain=DOMAIN,
    examples=["my bar is 15 kg", "I have plates 20, 10, 5, 2.5 and 1.25"],
    match=_match_equipment,
    kind="write",
)
def train_equipment(ctx: ToolContext, args: EquipmentArgs) -> ToolOutput:
    try:
        eq = set_equipment(ctx.account_id, bar=args.bar, plates=args.plates, unit=args.unit, engine=ctx.engine)
    except SetupError as e:
        raise ToolError(str(e)) from e
    plates = ", ".join(f"{num(w)}" for w, _ in eq.plates)
    return ToolOutput(
        summary=f"Saved: bar {num(eq.bar)} {eq.unit}, plates {plates} {eq.unit}.",
        markdown=f"Saved your setup: bar **{num(eq.bar)} {eq.unit}**, plates {plates} {eq.unit}. "
        "Loads and plate maths now use it.",
        data=eq.as_dict(),
        final=True,
    )
