"""Body weight: weigh-ins and the smoothed trend."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from agent.tools.base import Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.nutrition.common import DOMAIN, _day, _who
from nutrition import render
from nutrition.energy import EnergyError
from nutrition.service import WeightInput, log_weight, weight_trend
from powerforge.numwords import words_to_digits
from powerforge.units import Mass, UnitError


# =========================================================================== body weight
class WeightArgs(BaseModel):
    """Log body weight, e.g. 'weighed 82.4 kg this morning' or 'weight 181 lb'."""

    weight: float = Field(gt=0, lt=1000)
    unit: Literal["kg", "lb"] | None = Field(default=None, description="kg or lb; default from the person's units")
    day: str | None = None


_WEIGHT_RE = re.compile(
    r"^\s*(?:(?:i\s+)?(?:weighed(?:\s+myself\s*[,:-]?)?(?:\s+in)?(?:\s+at)?|weigh(?:\s+in)?|weigh-in|my\s+weight\s+(?:is|was|today)|"
    r"(?:log\s+)?(?:my\s+)?(?:body\s*)?weight(?:\s+is|\s+was|\s+today|:)?|bw|scale\s+(?:says|said)|i'?m\s+at)"
    r")\s*(?P<v>\d{2,3}(?:[.,]\d{1,2})?)\s*(?P<u>kg|kgs|kilos?|lbs?|pounds?)?\b(?P<rest>.*)$",
    re.I,
)


# "my weight today is 181 lb", "weight this morning: 80.2", "weighed in at 12 st 6" (stone and pounds → lb)
_WEIGHT_SAID = re.compile(
    r"^\s*(?:my\s+)?(?:body\s*)?weight\s+(?:today|this morning|now|yesterday)\s*(?:is|was|:|=)?\s*"
    r"(?P<v>\d{2,3}(?:[.,]\d{1,2})?)\s*(?P<u>kg|kgs|kilos?|lbs?|pounds?)?\b(?P<rest>.*)$",
    re.I,
)
_STONE = re.compile(
    r"\b(?P<st>\d{1,2})\s*(?:st|stone)\s*(?:(?:and\s+)?(?P<lb>\d{1,2}(?:[.,]\d)?)\s*(?:lbs?|pounds?)?)?(?!\s*\d)", re.I
)
# "down to 83.5 this morning", "185.4 lb today": a weight said with a unit or a change word and a time of weighing
_WEIGHT_BARE = re.compile(
    r"^\W*(?:(?:(?:back\s+)?(?:down|up)|back)\s+(?:to\s+)?(?P<v1>\d{2,3}(?:[.,]\d{1,2})?)\s*(?P<u1>kg|kgs|kilos?|lbs?|pounds?)?|"
    r"(?P<v2>\d{2,3}(?:[.,]\d{1,2})?)\s*(?P<u2>kg|kgs|kilos?|lbs?|pounds?))"
    r"\s*(?:,\s*)?(?P<rest>(?:this morning|today|yesterday|now|on the scales?|after waking|(?:when i )?woke up|"
    r"at wake-?up)(?:\s+(?:this morning|today|on the scales?))?)\s*[.!]*\s*$",
    re.I,
)
_WEIGHT_CUE = re.compile(r"^\s*(?:i\s+)?(?:weigh|weighed|weigh-in|my\s+(?:body\s*)?weight|bw|scale|i'?m\s+at)", re.I)


def _match_weight(text: str, _a: list[Attachment]) -> WeightArgs | None:
    text = words_to_digits(text)  # "one hundred seventy pounds"
    if _WEIGHT_CUE.match(text) and (st := _STONE.search(text)):
        pounds = round(Mass.of(int(st.group("st")), "st").lb, 6) + float((st.group("lb") or "0").replace(",", "."))
        day = "yesterday" if re.search(r"\byesterday\b", text, re.I) else None
        return WeightArgs(weight=pounds, unit="lb", day=day)
    if (b := _WEIGHT_BARE.match(text)) and not re.search(r"\b(bar|barbell|plates?|squat|bench|deadlift)\b", text, re.I):
        u = (b.group("u1") or b.group("u2") or "").lower()
        day = "yesterday" if "yesterday" in b.group("rest").lower() else None
        value = float((b.group("v1") or b.group("v2")).replace(",", "."))
        return WeightArgs.model_validate({"weight": value, "unit": "kg" if u.startswith("k") else "lb" if u else None,
                                          "day": day})  # fmt: skip
    m = _WEIGHT_RE.match(text) or _WEIGHT_SAID.match(text)
    if not m or re.search(r"\b(bar|barbell|plates?|squat|bench|deadlift|press|set|reps?)\b", text, re.I):
        return None
    u = (m.group("u") or "").lower()
    unit = "kg" if u.startswith("k") else "lb" if u else None
    rest = m.group("rest") or ""
    day = "yesterday" if re.search(r"\byesterday\b", rest, re.I) else None
    return WeightArgs.model_validate({"weight": float(m.group("v").replace(",", ".")), "unit": unit, "day": day})


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
    try:
        got = log_weight(_who(ctx), WeightInput(args.weight, args.unit, _day(ctx, args.day)), ctx.engine)
    except (EnergyError, UnitError) as e:
        raise ToolError(str(e)) from e
    show, day, trend, week = got.unit, got.day, got.trend_kg, got.change_7d_kg
    md = f"Logged **{got.shown(got.kg):.1f} {show}** for {day.isoformat()}."
    if got.has_trend and trend is not None:
        md += f" Trend weight: {got.shown(trend):.1f} {show}"
        md += f" ({got.shown(week):+.1f} {show} over 7 days)." if week is not None else "."
    return ToolOutput(
        summary=md.replace("**", ""),
        markdown=md,
        data={
            "day": day.isoformat(),
            "weight_kg": round(got.kg, 2),
            "trend_kg": None if trend is None else round(trend, 2),
            "change_7d_kg": None if week is None else round(week, 2),
        },
        final=True,
    )


class WeightTrendArgs(BaseModel):
    """Show body-weight history with the smoothed trend (chart) and its weekly rate of change."""

    days: int = Field(default=90, ge=7, le=3650)


_TREND_RE = re.compile(
    r"\b(weight (trend|chart|history|graph|progress)|trend weight|show (me )?my weight|how('s| is) my weight|"
    r"how'?s my (?:body ?)?weight)\b",
    re.I,
)
# the word "weight" misspelt in a trend question: one letter swapped, doubled or missing
_WEIGHT_TYPO = re.compile(r"\b(?:wieght|weigth|wight|weght|weigt|wheight)\b", re.I)


_SPAN = re.compile(
    r"\b(?:(?P<n>\d{1,2})\s+)?(?P<u>years?|months?|weeks?)\b|\b(?P<all>all[- ]time|ever|since i started)\b", re.I
)


def _trend_days(text: str) -> int:
    """The span asked for ('for the year', 'last 6 months', 'all time') in days; 90 when none is said."""
    m = _SPAN.search(words_to_digits(text))
    if m is None:
        return 90
    if m.group("all"):
        return 3650
    n, unit = int(m.group("n") or 1), m.group("u").lower().rstrip("s")
    return max(7, min(3650, n * {"year": 365, "month": 30, "week": 7}[unit]))


@tool(
    name="body_weight_trend",
    outranks=("ask",),  # the weight trend has its own smoothed table; the chart tool is generic
    description=WeightTrendArgs.__doc__ or "",
    args=WeightTrendArgs,
    domain=DOMAIN,
    examples=["show my weight trend", "how is my weight going"],
    match=lambda text, _a: (
        WeightTrendArgs(days=_trend_days(text)) if _TREND_RE.search(_WEIGHT_TYPO.sub("weight", text)) else None
    ),
)
def body_weight_trend(ctx: ToolContext, args: WeightTrendArgs) -> ToolOutput:
    who = _who(ctx)
    got = weight_trend(who, args.days, ctx.engine)
    if got.latest is None or got.trend_kg is None:
        return ToolOutput(
            summary="No weigh-ins yet.", markdown="No weigh-ins yet — tell me e.g. “weighed 82.4 kg”.", final=True
        )
    unit, report = got.unit, got.report
    chart = ctx.output_dir / f"weight-{who.today.isoformat()}.png"
    path = render.weight_chart(report.weights, report.trend, chart, unit)
    day, last = got.latest
    trend, week, month = got.trend_kg, got.change_kg(7), got.change_kg(28)
    md = f"Latest weigh-in {got.shown(last):.1f} {unit} ({day.isoformat()}); trend {got.shown(trend):.1f} {unit}."
    if week is not None:
        md += f" 7-day change {got.shown(week):+.2f} {unit}."
    if month is not None:
        md += f" 28-day change {got.shown(month):+.2f} {unit}."
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
