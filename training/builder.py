"""From a sentence to a program request: days, weeks, level, maxes and the template that fits.

"4-day upper/lower for 8 weeks, intermediate, squat 140 bench 100 deadlift 180" and "a 12-week
powerlifting peaking block, 3 days a week" carry everything needed; code reads them so the common
requests work without any model. When the words name no known program style, `sure` is False and
the caller may ask a model to choose (its answer is validated against the same templates).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from powerforge.units import Mass
from training.library import library, normalise
from training.loads import Max
from training.model import Program
from training.plates import Equipment
from training.templates import TemplateError, expand, get_template, templates

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "eighteen": 18, "twenty": 20, "twice": 2, "thrice": 3,
}  # fmt: skip
_N = r"(\d{1,2}|" + "|".join(_WORDS) + r")"
_DAYS = [
    re.compile(rf"\b{_N}\s*(?:-|\s)?\s*days?\b(?!\s*(?:rest|off|break))", re.I),
    re.compile(rf"\b{_N}\s*(?:x|times)\s*(?:a|per|/|each)?\s*week\b", re.I),
    re.compile(r"\b(twice|thrice)\s+(?:a|per)\s+week\b", re.I),
]
_WEEKS = re.compile(rf"\b{_N}\s*(?:-|\s)?\s*(?:weeks?|wks?)\b(?!\s*(?:a|per)\b)", re.I)
_MONTHS = re.compile(rf"\b{_N}\s*(?:-|\s)?\s*months?\b", re.I)
_LEVEL = re.compile(r"\b(beginner|novice|intermediate|advanced|experienced|elite|new to (?:lifting|the gym))\b", re.I)
_LEVEL_WORDS = ("beginner", "novice", "intermediate", "advanced", "experienced")
_NEAR_LEVEL_WORDS = {"advance", "advances", "advancing", "experience", "experiences", "beginning"}
_NUMBER = re.compile(r"(?<![\d/.])(\d{2,4}(?:[.,]\d+)?)\s*(kg|kgs|kilos?|lbs?|pounds?)?\b", re.I)
_SLASH = re.compile(
    r"\b(?P<names>[a-z]+(?:\s*/\s*[a-z]+){1,3})\s*(?:of|at|:|=|is|are)?\s*"
    r"(?P<nums>\d{2,4}(?:\.\d+)?(?:\s*/\s*\d{2,4}(?:\.\d+)?){1,3})\s*(?P<u>kg|lbs?)?",
    re.I,
)
_MAX_FILLER = {
    "max",
    "maxes",
    "1rm",
    "rm",
    "pr",
    "prs",
    "is",
    "of",
    "at",
    "my",
    "e1rm",
    "a",
    "about",
    "around",
    "with",
    # 'squat tm 140', 'deadlift 1rm went up to 210', 'bench one rep max is now 100'
    "tm",
    "training",
    "one",
    "rep",
    "now",
    "went",
    "gone",
    "has",
    "up",
    "to",
    "jumped",
    "moved",
    "new",
}
_BUILD = re.compile(
    r"\b(build|make|create|design|write|draft|plan|program(?:me)?|routine|split|block|template|set me up|start)\b",
    re.I,
)
_PROGRAM_NOUN = re.compile(r"\b(program(?:me)?s?|routine|split|block|plan|template|cycle)\b", re.I)
_STYLE = re.compile(
    r"\b(upper\s*/?\s*lower|5/3/1|531|wendler|bbb|boring but big|gzclp|gzcl|peak(?:ing)?|dup|undulating|"
    r"powerlifting|hypertrophy|bodybuilding|linear progression|starting strength|stronglifts|"
    r"push\s*/?\s*pull\s*/?\s*(?:and\s+)?legs?|ppl|full[\s-]?body)\b",
    re.I,
)

# Keywords → template, most specific first.
_RULES: list[tuple[str, str]] = [
    (r"\bbbb\b|boring but big", "wendler_531_bbb"),
    (r"5\s*/\s*3\s*/\s*1|\b531\b|wendler|training max", "wendler_531"),
    (r"\bgzcl", "gzclp"),
    (r"\bpeak(ing)?\b|\bmeet\b|competition|\bcomp prep\b|\btaper\b|max test", "peaking_block"),
    (r"\bdup\b|undulating", "dup_powerlifting"),
    (r"upper\s*/?\s*-?\s*lower", "upper_lower_hypertrophy"),
    (r"push\s*/?\s*-?\s*pull\s*/?\s*-?\s*(?:and\s+)?legs?|\bppl\b", "push_pull_legs"),
    (r"full[\s-]?body|whole[\s-]body|total[\s-]body", "full_body"),
    (r"powerlift|\bsbd\b|big (?:3|three)", "dup_powerlifting"),
    (r"hypertroph|bodybuild|\bmuscle\b|\bsize\b|\bmass\b|aesthetic", "upper_lower_hypertrophy"),
    (r"beginner|novice|linear|starting strength|stronglifts|\b5x5\b|new to (?:lifting|the gym)|first program",
     "linear_beginner"),
]  # fmt: skip


def _num(tok: str) -> int:
    tok = tok.lower()
    return _WORDS[tok] if tok in _WORDS else int(tok)


@dataclass
class ProgramRequest:
    """What a sentence asks for; None fields were not said."""

    text: str
    days: int | None = None
    weeks: int | None = None
    level: str | None = None
    maxes_kg: dict[str, float] = field(default_factory=dict)
    template: str | None = None
    reason: str = ""
    sure: bool = False

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def looks_like_program_request(text: str) -> bool:
    """A request to build a program (not to log a set or edit one)."""
    t = text.lower()
    if re.search(r"\b(swap|replace|deload week|make week|remove|delete)\b", t):
        return False
    has_noun = bool(_PROGRAM_NOUN.search(t)) or bool(_STYLE.search(t))
    return has_noun and bool(_BUILD.search(t) or _STYLE.search(t) or re.search(r"\bweeks?\b", t))


def _spans(text: str, patterns: list[re.Pattern[str]]) -> list[tuple[int, int]]:
    return [m.span() for p in patterns for m in p.finditer(text)]


def _lift_before(text: str, end: int) -> str | None:
    """The exercise named by the words just before position `end` ('squat', 'bench press', 'my ohp max')."""
    words = re.findall(r"[a-z][a-z'\-]*|\d+rm", text[:end].lower())[-5:]
    while words and words[-1] in _MAX_FILLER:
        words.pop()
    for n in (3, 2, 1):
        if len(words) >= n:
            ex = library().lookup(" ".join(words[-n:]))
            if ex is not None:
                return ex.id
    # a lift name with a typo ('dealift 200'): only a sure fuzzy match of the one word before the number
    if words and len(words[-1]) >= 5 and (sure := library().resolve(words[-1])).how == "fuzzy" and sure.exercise:
        return sure.exercise.id
    return None


def parse_maxes(text: str, default_unit: str = "kg") -> dict[str, float]:
    """'squat 140 bench 100 deadlift 180', 'squat/bench/dead 140/100/180 kg', 'bench max is 225 lb' → kg."""
    found: dict[str, tuple[float, str | None]] = {}
    t = text.replace("×", "x")
    used: list[tuple[int, int]] = []
    for m in _SLASH.finditer(t):
        names = [n.strip() for n in m["names"].split("/")]
        nums = [n.strip() for n in m["nums"].split("/")]
        if len(names) != len(nums):
            continue
        looked_up = [library().lookup(n) for n in names]
        ids = [ex for ex in looked_up if ex is not None]
        if len(ids) == len(looked_up):
            for ex, v in zip(ids, nums, strict=True):
                found[ex.id] = (float(v), m["u"])
            used.append(m.span())
    skip = _spans(t, [*_DAYS, _WEEKS, _MONTHS]) + used
    for m in _NUMBER.finditer(t):
        if any(a <= m.start() < b for a, b in skip):
            continue
        ex_id = _lift_before(t, m.start())
        if ex_id and ex_id not in found:
            found[ex_id] = (float(m[1].replace(",", ".")), m[2])
    units = {unit for _, u in found.values() if (unit := _unit(u))}
    fallback = units.pop() if len(units) == 1 else default_unit
    return {k: round(Mass.of(v, _unit(u) or fallback).kg, 3) for k, (v, u) in found.items()}


def _unit(u: str | None) -> str | None:
    if not u:
        return None
    return "lb" if u.lower().startswith(("lb", "pound")) else "kg"


def choose_template(text: str, level: str | None) -> tuple[str | None, str, bool]:
    """(template id, why, named): `named` is True when the words name a program style outright."""
    t = text.lower()
    for pattern, tid in _RULES:
        if m := re.search(pattern, t):
            return tid, f"you asked for {m.group(0)}", True
    if re.search(r"\bstrength|stronger\b", t):
        if level == "beginner":
            return "linear_beginner", "strength as a beginner: linear progression", False
        return "gzclp", "strength: GZCLP's tiered linear progression", False
    if level == "beginner":
        return "linear_beginner", "you're a beginner: linear progression", False
    return None, "", False


def _level_word(text: str) -> str | None:
    """The experience level said, misspelt too ("begginer", "intermidiate"): a typo must not lose the level."""
    if m := _LEVEL.search(text):
        return m.group(1).lower()
    for token in re.findall(r"[a-z]{6,}", text.lower()):
        if token in _NEAR_LEVEL_WORDS:  # real words a level is one letter away from
            continue
        if close := difflib.get_close_matches(token, _LEVEL_WORDS, n=1, cutoff=0.8):
            return close[0]
    return None


def parse_request(text: str, default_unit: str = "kg") -> ProgramRequest:
    """Read days, weeks, level, maxes and a template choice from `text`."""
    req = ProgramRequest(text=text)
    for p in _DAYS:
        if m := p.search(text):
            req.days = _num(m.group(1))
            break
    if m := _WEEKS.search(text):
        req.weeks = _num(m.group(1))
    elif m := _MONTHS.search(text):
        req.weeks = round(_num(m.group(1)) * 4.33)
    if word := _level_word(text):
        req.level = {"novice": "beginner", "experienced": "advanced", "elite": "advanced"}.get(word, word)
        if word.startswith("new to"):
            req.level = "beginner"
    req.maxes_kg = parse_maxes(text, default_unit)
    req.template, req.reason, named = choose_template(text, req.level)
    if req.template:
        t = get_template(req.template)
        req.sure = named and (req.days is None or req.days in t.schedule)
    return req


def fit_days(template_id: str, days: int | None) -> tuple[int, str]:
    """The template's day count closest to the request, with a note when it differs."""
    t = get_template(template_id)
    if days is None:
        return t.default_days, ""
    if days in t.schedule:
        return days, ""
    best = min(t.days, key=lambda d: (abs(d - days), -d))
    return best, f"{t.name} runs {' or '.join(map(str, t.days))} days a week, so this is the {best}-day version"


def fit_weeks(template_id: str, weeks: int | None) -> tuple[int, str]:
    t = get_template(template_id)
    if weeks is None:
        return t.default_weeks, ""
    lo, hi = t.weeks_range
    if lo <= weeks <= hi:
        return weeks, ""
    clamped = min(max(weeks, lo), hi)
    return clamped, f"{t.name} runs {lo}-{hi} weeks, so this is {clamped} weeks"


def build(
    req: ProgramRequest,
    *,
    maxes: dict[str, Max],
    equipment: Equipment,
    template_id: str | None = None,
) -> tuple[Program, list[str]]:
    """The program for `req` (template from the request or `template_id`) and notes on what was adapted."""
    tid = template_id or req.template
    if tid is None:
        raise TemplateError("Which kind of program? " + "; ".join(t.describe() for t in templates().values()))
    days, n1 = fit_days(tid, req.days)
    weeks, n2 = fit_weeks(tid, req.weeks)
    program = expand(get_template(tid), days=days, weeks=weeks, maxes=maxes, equipment=equipment, level=req.level)
    return program, [n for n in (n1, n2) if n]


def describe_request(req: ProgramRequest) -> str:
    parts = []
    if req.days:
        parts.append(f"{req.days} days/week")
    if req.weeks:
        parts.append(f"{req.weeks} weeks")
    if req.level:
        parts.append(req.level)
    if req.maxes_kg:
        parts.append(", ".join(f"{library().get(k).name} {v:g} kg" for k, v in req.maxes_kg.items()))
    return "; ".join(parts)


__all__ = [
    "ProgramRequest", "build", "choose_template", "describe_request", "fit_days", "fit_weeks",
    "looks_like_program_request", "normalise", "parse_maxes", "parse_request",
]  # fmt: skip
