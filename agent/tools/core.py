"""Core tools every coach needs: unit conversion and the person's own profile."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, Field, field_validator

from agent.tools.base import Attachment, ToolContext, ToolError, ToolOutput, tool
from powerforge.units import UnitError, convert, parse_conversion
from services.accounts import AccountError, show_profile, turn_context, update_profile
from services.undo import last_logged


class ConvertArgs(BaseModel):
    """Convert a value between two units of the same kind (mass, volume, energy, length, speed, temperature)."""

    value: float = Field(description="The number to convert")
    from_unit: str = Field(description="Unit of the value, e.g. lb, kg, kcal, kJ, ml, cup_us, in, cm")
    to_unit: str = Field(description="Unit wanted, e.g. kg, lb, kJ, kcal")


# "how many kgs would be 405": a lifter's load in the other of kg and lb (the answer says which it assumed)
_HOW_MANY_MASS = re.compile(
    r"^\s*(?:so\s+|and\s+)?how many (?P<to>kilos?|kilograms?|kgs?|pounds?|lbs?) (?:is|are|would be|makes?)\s+"
    r"(?P<value>\d+(?:\.\d+)?)\s*\??\s*$",
    re.I,
)


def _match_convert(text: str, _att: list[Attachment]) -> ConvertArgs | None:
    found = parse_conversion(text)
    if found is None and (m := _HOW_MANY_MASS.match(text)):
        to = "kg" if m["to"].lower().startswith("k") else "lb"
        found = (float(m["value"]), "lb" if to == "kg" else "kg", to)
    if found is None:
        return None
    value, src, dst = found
    return ConvertArgs(value=value, from_unit=src, to_unit=dst)


def _fmt(x: float) -> str:
    return f"{x:,.3f}".rstrip("0").rstrip(".") if abs(x) < 1000 else f"{x:,.1f}"


@tool(
    name="convert_units",
    description=ConvertArgs.__doc__ or "",
    args=ConvertArgs,
    domain="core",
    examples=["how much is 225 lb in kg", "convert 2000 kJ to kcal", "100 kg in pounds"],
    intents=[r"\bconvert\b", r"\bhow (many|much) .* in (kg|lb|pounds?|kilos?|kcal|kj|ml|oz)\b"],
    match=_match_convert,
)
def convert_units(ctx: ToolContext, args: ConvertArgs) -> ToolOutput:
    try:
        c = convert(args.value, args.from_unit, args.to_unit)
    except UnitError as e:
        raise ToolError(str(e)) from e
    line = f"{_fmt(c.value)} {c.from_unit} = **{_fmt(c.result)} {c.to_unit}**"
    return ToolOutput(
        summary=f"{_fmt(c.value)} {c.from_unit} is {_fmt(c.result)} {c.to_unit}.",
        markdown=line,
        data={"value": c.value, "from": c.from_unit, "result": c.result, "to": c.to_unit, "dimension": c.dimension},
        final=True,
    )


class WhoAmIArgs(BaseModel):
    """Show the signed-in person's account and profile (name, units, timezone, body data)."""


_WHOAMI_RE = re.compile(
    r"\b(who am i|my profile|show (me )?my (profile|settings|details)|what do you know about me)\b", re.I
)


@tool(
    name="whoami",
    description=WhoAmIArgs.__doc__ or "",
    args=WhoAmIArgs,
    domain="core",
    examples=["who am I?", "show my profile", "what do you know about me"],
    match=lambda text, _a: WhoAmIArgs() if _WHOAMI_RE.search(text) else None,
)
def whoami(ctx: ToolContext, _args: WhoAmIArgs) -> ToolOutput:
    try:
        p = show_profile(ctx.account_id, ctx.engine)
    except AccountError as e:
        raise ToolError(str(e)) from e
    rows = [
        ("Username", p.username),
        ("Name", p.display_name or "—"),
        ("Units", p.unit_system),
        ("Timezone", p.timezone),
        ("Sex", p.sex or "—"),
        ("Born", str(p.birth_year) if p.birth_year else "—"),
        ("Height", f"{p.height_cm:.0f} cm" if p.height_cm else "—"),
        ("Activity", p.activity_level or "—"),
        ("Experience", p.experience or "—"),
        ("Goal", p.goal or "—"),
        ("Stance", p.stance or "—"),
    ]
    table = "| | |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
    missing = [k for k, v in rows if v == "—"]
    return ToolOutput(
        summary=f"Profile of {p.display_name or p.username}. Missing: {', '.join(missing) or 'nothing'}.",
        markdown=table,
        data={k.lower(): v for k, v in rows},
    )


class ProfileArgs(BaseModel):
    """Update the person's profile: only the fields they stated."""

    display_name: str | None = Field(default=None, max_length=64)
    sex: Literal["male", "female"] | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2030)
    age: int | None = Field(default=None, ge=10, le=100, description="age in years, when said instead of a birth year")
    height_cm: float | None = Field(default=None, ge=100, le=250)
    activity_level: Literal["sedentary", "light", "moderate", "active", "very_active"] | None = None
    experience: Literal["beginner", "intermediate", "advanced"] | None = None
    goal: Literal["lose", "maintain", "gain"] | None = None
    stance: Literal["orthodox", "southpaw"] | None = None
    unit_system: Literal["metric", "imperial"] | None = None
    timezone: str | None = Field(default=None, description="IANA name, e.g. Europe/London")
    e1rm_formula: Literal["rpe_table", "mean", "epley", "brzycki"] | None = Field(
        default=None, description="how e1RMs are estimated: rpe_table (default), mean, epley or brzycki"
    )

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"'{v}' is not a timezone name like 'Europe/London' or 'America/New_York'") from e
        return v


_HEIGHT_RE = re.compile(r"\b(?:i'?m|i am|my height is|height)\s*(\d{3})\s*cm\b", re.I)
_UNITS_RE = re.compile(
    r"\b(?:use|switch(?: me)? (?:over )?to|change(?: me| my units)? to|put me on|set (?:me|my units) to|"
    r"show (?:me )?in)\s+(metric|imperial|kg|kgs|kilos?|kilograms|lbs?|pounds)\b",
    re.I,
)
_BORN_RE = re.compile(r"^\W*(?:i was\s+|i'?m\s+)?born\s+in\s+((?:19|20)\d\d)\b", re.I)


_FORMULA_RE = re.compile(
    r"\b(?:use|switch(?: me)? to|set|change|calculate|estimate|compute|want)\b.*?\b(epley|brzycki|rpe (?:table|chart)|"
    r"(?:the )?mean|average)\b.*?\b(?:e1rms?|1rms?|one[- ]rep max(?:es)?|maxes|formula)\b|"
    r"\b(?:e1rm|1rm|one[- ]rep max) (?:formula|method)\b.*?\b(epley|brzycki|rpe (?:table|chart)|mean|average)\b",
    re.I,
)


_TZ_WORD = re.compile(r"\b(?:time ?zone|tz)\b", re.I)
_TZ_NAME = re.compile(r"\b([A-Z][A-Za-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?)\b")


@cache
def _zone_cities() -> dict[str, str]:
    """'new york' → 'America/New_York': the city part of every IANA zone name (unique ones only)."""
    seen: dict[str, list[str]] = {}
    for zone in available_timezones():
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "US/")):
            seen.setdefault(zone.rsplit("/", 1)[1].replace("_", " ").lower(), []).append(zone)
    return {city: zones[0] for city, zones in seen.items() if len(zones) == 1}


def _timezone_said(text: str) -> str | None:
    """A timezone the line sets, when it says 'timezone' and names a zone or a zone's city ('moved to Denver')."""
    if not _TZ_WORD.search(text) or re.search(r"\?\s*$|^\W*(what|which|how|is|does|do|why)\b", text, re.I):
        return None  # a question about a timezone sets nothing
    if (m := _TZ_NAME.search(text)) and m.group(1) in available_timezones():
        return m.group(1)
    low = text.lower()
    found = {zone for city, zone in _zone_cities().items() if re.search(rf"\b{re.escape(city)}\b", low)}
    return found.pop() if len(found) == 1 else None


def _match_profile(text: str, _a: list[Attachment]) -> ProfileArgs | None:
    if zone := _timezone_said(text):
        return ProfileArgs(timezone=zone)
    if m := _FORMULA_RE.search(text):
        word = (m.group(1) or m.group(2)).lower()
        formula = "rpe_table" if word.startswith("rpe") else "mean" if word.endswith(("mean", "average")) else word
        return ProfileArgs(e1rm_formula=formula)  # type: ignore[arg-type]
    if m := _UNITS_RE.search(text):
        unit = m.group(1).lower()
        return ProfileArgs(unit_system="metric" if unit in ("metric", "kg", "kgs", "kilo", "kilos", "kilograms")
                           else "imperial")  # fmt: skip
    if (m := _NAME_RE.match(text)) and len(name := m.group("name").split()) <= 3 and not _NOT_A_NAME.search(text):
        return ProfileArgs(display_name=" ".join(name)[:64])
    facts = _self_facts(text)  # "I'm 180 cm and 30 years old": every fact the line states, not the first
    return ProfileArgs.model_validate(facts) if facts else None


_NAME_RE = re.compile(
    r"^\W*(?:my name(?:'s| is)|call me|i go by)\s+(?P<name>[A-Za-z][A-Za-z' -]{0,40}?)\s*[.!]?\s*$", re.I
)
# "call me later / when it's ready / at 7": a request, not a name
_NOT_A_NAME = re.compile(r"\b(later|when|tomorrow|tonight|back|at|if|after|before|every|in|on|asap|soon|now)\b", re.I)
_SELF = re.compile(r"^\W*(?:i'?m|i am|im|my age is|age)\b", re.I)
_AGE_RE = re.compile(
    r"\b(\d{2})[\s-]*(?:years?|yrs?)[\s-]*old\b|\b(\d{2})\s*y/?o\b|\bage[d:]?\s*(?:is\s+)?(\d{2})\b", re.I
)
_CM_RE = re.compile(r"\b(1\d\d|2[0-4]\d)\s*cm\b", re.I)
_SEX_RE = re.compile(r"\b(male|female|man|woman|guy|girl)\b", re.I)
_ONLY_SEX = re.compile(r"^\W*(?:i'?m|i am|im)\s+(?:a\s+)?(?:male|female|man|woman|guy|girl)\s*[.!]?\s*$", re.I)
_STANCE_RE = re.compile(r"\b(southpaw|orthodox)\b", re.I)
_BOX_STANCE = re.compile(r"^\W*i\s+(?:box|fight|stand|spar)\s+(?:as\s+(?:a\s+)?)?(southpaw|orthodox)\b", re.I)
_SEX = {"male": "male", "man": "male", "guy": "male", "female": "female", "woman": "female", "girl": "female"}


def _self_facts(text: str) -> dict[str, object]:
    """Height, birth year, and (in a statement about oneself, never a question) age and sex."""
    facts: dict[str, object] = {}
    if m := _HEIGHT_RE.search(text):
        facts["height_cm"] = float(m.group(1))
    if m := _BORN_RE.search(text):
        facts["birth_year"] = int(m.group(1))
    if _SELF.match(text) and not re.search(r"\?\s*$", text):
        if "height_cm" not in facts and (m := _CM_RE.search(text)):
            facts["height_cm"] = float(m.group(1))
        if m := _AGE_RE.search(text):
            facts["age"] = int(next(g for g in m.groups() if g))
        if (facts or _ONLY_SEX.match(text)) and (m := _SEX_RE.search(text)):
            facts["sex"] = _SEX[m.group(1).lower()]
        if m := _STANCE_RE.search(text):
            facts["stance"] = m.group(1).lower()
    elif m := _BOX_STANCE.match(text):  # "I box southpaw"
        facts["stance"] = m.group(1).lower()
    return facts


@tool(
    name="update_profile",
    description=ProfileArgs.__doc__ or "",
    args=ProfileArgs,
    domain="core",
    examples=[
        "I'm 180 cm",
        "I'm a 34 year old male",
        "use pounds",
        "my timezone is Europe/Berlin",
        "I box southpaw",
        "I'm an intermediate lifter trying to lose fat",
    ],
    intents=[
        r"\bmy (timezone|time zone|height|stance|goal)\b",
        r"\bi('?m| am) (a )?(southpaw|orthodox|beginner|intermediate|advanced)\b",
    ],
    match=_match_profile,
    kind="write",
)
def set_profile(ctx: ToolContext, args: ProfileArgs) -> ToolOutput:
    stated = args.model_dump(exclude_none=True)
    if (age := stated.pop("age", None)) is not None and "birth_year" not in stated:
        # the profile keeps a birth year, so the age stays right next year (±1 year until the birthday is known)
        now = turn_context(ctx.account_id, ctx.engine, ctx.now or datetime.now(UTC)).now
        stated["birth_year"] = now.year - age
    try:
        changes = update_profile(ctx.account_id, stated, ctx.engine)
    except AccountError as e:
        raise ToolError(str(e)) from e
    listed = ", ".join(f"{k.replace('_', ' ')} → {v}" for k, v in changes.items())
    return ToolOutput(summary=f"Saved: {listed}.", markdown=f"Saved: {listed}.", data=changes, final=True)


# --------------------------------------------------------------------------- undo the last thing logged
class UndoLastArgs(BaseModel):
    """Undo the last thing logged: the most recent food entry or training set, whichever came last."""

    target: Literal["food", "set"] | None = Field(default=None, description="food or set, when the athlete said")


# "undo", "delete the last thing I logged", "take back my last entry", "scrap that, wrong meal": the last
# food or set, never a program edit or a check-in.
_UNDO_LAST = re.compile(
    r"^\W*(?:please\s+|oops,?\s+|ugh,?\s+|sorry,?\s+|actually,?\s+)*"
    r"(?:undo(?:\s+(?:that|it|this))?(?:\s+(?:the\s+|my\s+|that\s+)?last\s+(?:one|thing|entry|log|item|set|food|meal))?|"
    r"(?:delete|remove|undo|roll\s*back|revert|take\s+back|cancel|scrap|drop)\s+(?:the\s+|that\s+|my\s+)?"
    r"(?:last|previous|latest)\s+(?:thing|entry|log|one|item|set|food|meal)(?:\s+i\s+(?:just\s+)?(?:logged|added|entered|did))?|"
    r"scratch\s+that|take\s+that\s+back)\b(?P<rest>.*)$",
    re.I,
)


def _match_undo_last(text: str, _a: list[Attachment]) -> UndoLastArgs | None:
    m = _UNDO_LAST.match(text)
    if m is None or len(m.group("rest").split()) > 6:
        return None
    said = text.lower()
    if re.search(r"\b(reminder|check-?in|program|programme|profile|note)\b", said):
        return None  # those have their own cancel and undo
    if re.search(r"\b(food|meal|ate|eat|breakfast|lunch|dinner|snack|calories|kcal)\b", said):
        return UndoLastArgs(target="food")
    if re.search(r"\b(set|sets|lift|reps?)\b", said):
        return UndoLastArgs(target="set")
    return UndoLastArgs()


@tool(
    name="undo_last",
    description=UndoLastArgs.__doc__ or "",
    args=UndoLastArgs,
    domain="core",
    examples=["undo that", "delete the last thing I logged", "take that back, wrong entry"],
    match=_match_undo_last,
    kind="write",
)
def undo_last(ctx: ToolContext, args: UndoLastArgs) -> ToolOutput:
    from agent.tools.base import get_tool

    target = args.target or last_logged(ctx.account_id, ctx.engine)
    if target is None:
        return ToolOutput(summary="Nothing to undo.", markdown="There's nothing logged to undo.", final=True)
    tool_ = get_tool("train_undo" if target == "set" else "food_undo")
    return tool_.run(ctx, tool_.args_model())


# --------------------------------------------------------------------------- everything, as a backup
class BackupArgs(BaseModel):
    """Export everything stored about the athlete (every log, program, analysis, check-in, note and the chat
    history) as one ZIP of JSON files: a backup, or their data to take elsewhere."""


_BACKUP = re.compile(r"\b(back ?up|backup|export|download|copy|dump|archive)\b", re.I)
_ALL_DATA = re.compile(
    r"\b(everything|all (?:of )?my (?:data|stuff|info(?:rmation)?)|all (?:the )?data|my data|(?:whole|entire) "
    r"account|full (?:backup|export))\b",
    re.I,
)


@tool(
    name="export_all",
    yields_to=("food_export", "train_export"),  # a line that names the diary or the training log wants that one
    description=BackupArgs.__doc__ or "",
    args=BackupArgs,
    domain="core",
    examples=["export all my data", "I want a full backup of my account"],
    match=lambda text, _a: BackupArgs() if _BACKUP.search(text) and _ALL_DATA.search(text) else None,
)
def export_all(ctx: ToolContext, _args: BackupArgs) -> ToolOutput:
    from services.backup import back_up_account

    backup = back_up_account(ctx.account_id, ctx.output_dir, (ctx.now or datetime.now(UTC)).astimezone(UTC), ctx.engine)
    listed = ", ".join(f"{name} ({n})" for name, n in sorted(backup.counts.items()))
    return ToolOutput(
        summary=f"Backed up {backup.rows} rows from {len(backup.counts)} tables to {backup.path.name}.",
        markdown=f"Everything I store about you, as one ZIP of JSON files ({backup.rows} rows): {listed}. Uploaded "
        "videos and photos stay in the app (the uploads list names them).",
        files=[str(backup.path)],
        data={"file": backup.path.name, "rows": backup.rows, "tables": backup.counts},
        final=True,
    )
