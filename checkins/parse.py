"""Plain English → check-in specs, in code: "remind me to log dinner at 8pm every day".

The model never computes a time. Times of day, recurrences, relative offsets ("in 10 minutes") and
weekdays are read with patterns; calendar dates ("on 25 December") with dateparser. An hour that could
be morning or evening ("at 8") is never guessed: `AmbiguousTime` makes the caller ask am/pm, unless a
word settles it ("every morning at 7", "tonight at 9"). Anything that would fire in the past is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from checkins.schedule import (
    ALL_DAYS,
    DAY_NAMES,
    CheckinError,
    CheckinSpec,
    Kind,
    Recurrence,
    Rule,
    format_local,
    zone,
)

AmPm = Literal["am", "pm"]


class AmbiguousTime(CheckinError):
    """'At 8' could be 08:00 or 20:00: the person must choose."""

    def __init__(self, hour: int, minute: int) -> None:
        self.hour, self.minute = hour, minute
        super().__init__(f"Did you mean {hour}:{minute:02d} am or {hour}:{minute:02d} pm?")


class PastTime(CheckinError):
    pass


class MissingTime(CheckinError):
    pass


# --------------------------------------------------------------------------- patterns
_AP = r"(?P<ap>a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z])"
_TIME_HM = re.compile(rf"\b(?P<h>\d{{1,2}}):(?P<m>[0-5]\d)(?!\d)\s*(?:{_AP})?", re.I)
_TIME_DOT_AP = re.compile(rf"\b(?P<h>\d{{1,2}})\.(?P<m>[0-5]\d)\s*{_AP}", re.I)
_TIME_H_AP = re.compile(rf"\b(?P<h>\d{{1,2}})\s*{_AP}", re.I)
_TIME_OCLOCK = re.compile(r"\b(?P<h>\d{1,2})\s*o'?\s?clock\b", re.I)
_NOT_A_TIME = (
    r"(?![\d:.,/]|\s*(?:minutes?|mins?|hours?|hrs?|h\b|days?|weeks?|months?|%|kg|kgs|lbs?|x\b|reps?|sets?|g\b))"
)
_TIME_AT_H = re.compile(rf"\b(?:at|@|around|by|for)\s+(?P<h>\d{{1,2}}){_NOT_A_TIME}", re.I)
_TIME_TO_H = re.compile(rf"\b(?:to|till|until)\s+(?P<h>\d{{1,2}}){_NOT_A_TIME}", re.I)
_TIME_HALF_PAST = re.compile(r"\bhalf\s+past\s+(?P<h>\d{1,2})\b", re.I)
_NOON = re.compile(r"\b(?:at\s+)?(?P<w>noon|midday|midnight)\b", re.I)

_MORNING = re.compile(r"\bmornings?\b|\bbreakfast\b|\bwake\s*up\b", re.I)
_EVENING = re.compile(r"\b(?:afternoons?|evenings?|nights?|tonight|nightly|bedtime)\b", re.I)
_NIGHT = re.compile(r"\b(?:nights?|tonight|nightly|bedtime)\b", re.I)

_NUM_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10, "fifteen": 15,
              "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "sixty": 60}  # fmt: skip
_RELATIVE = re.compile(
    r"\bin\s+(?P<n>\d+|an?|one|two|three|four|five|ten|fifteen|twenty|thirty|forty|forty-five|sixty|half\s+an?)\s*"
    r"(?P<u>seconds?|secs?|minutes?|mins?|hours?|hrs?|days?)\b",
    re.I,
)
_DAY = r"(?:mon|tue|tues|wed|wednes|weds|thu|thur|thurs|fri|sat|satur|sun)(?:day)?"
_FULL_DAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DAY_LIST = rf"{_DAY}s?(?:\s*(?:,|and|&|or)\s*{_DAY}s?)*"
_EVERY_DAYS = re.compile(rf"\b(?:every|each|on|on\s+the)\s+(?P<days>{_DAY_LIST})\b", re.I)
_PLURAL_DAYS = re.compile(rf"\b(?P<days>{_FULL_DAY}s(?:\s*(?:,|and|&)\s*{_FULL_DAY}s)*)\b", re.I)
_DAY_THEN_PARTS = re.compile(rf"\b(?P<day>{_DAY})\s+(?:mornings|afternoons|evenings|nights)\b", re.I)
_ONE_DAY = re.compile(rf"\b(?:on|next|this|coming|for)\s+(?P<day>{_DAY})\b", re.I)  # "a check-in for sunday"
_WEEKDAYS = re.compile(
    r"\b(?:every\s+|on\s+)?week\s?days\b|\bevery\s+weekday\b|\bmonday\s+(?:to|through|-)\s+friday\b", re.I
)
_WEEKENDS = re.compile(r"\b(?:every\s+|on\s+|at\s+)?(?:the\s+)?weekends?\b", re.I)
_DAILY = re.compile(
    r"\b(?:every\s*day|everyday|daily|each\s+day|every\s+single\s+day|"
    r"(?:every|each)\s+(?:morning|afternoon|evening|night)|nightly|mornings|evenings)\b",
    re.I,
)
_WEEKLY = re.compile(r"\b(?:weekly|every\s+week|once\s+a\s+week)\b", re.I)
_TODAY = re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b", re.I)
_TOMORROW = re.compile(r"\b(?:tomorrow|tmrw|tmr)(?:\s+(?:morning|afternoon|evening|night))?\b", re.I)
_YESTERDAY = re.compile(r"\byesterday\b", re.I)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_DATE = re.compile(
    rf"\b(?:on\s+)?(?P<date>\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:\s+\d{{4}})?"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?)\b",
    re.I,
)
_TZ = re.compile(r"\b(?:in\s+)?(?P<tz>[A-Z][A-Za-z]+/[A-Z][A-Za-z_-]+(?:/[A-Z][A-Za-z_-]+)?|UTC|GMT)\b(?:\s+time)?")

_KIND_PATTERNS: list[tuple[Kind, re.Pattern[str]]] = [
    ("readiness", re.compile(
        r"\breadiness\b|\bhow\s+(?:i|I)(?:'ve|\s+have)?\s+slept\b|\bhow\s+(?:did\s+)?i\s+sleep\b|\bhow\s+i\s+feel\b"
        r"|\bhow\s+ready\b|\bsleep\s+(?:check|question)\b", re.I)),
    ("weekly_review", re.compile(
        r"\b(?:weekly|week(?:'s)?|sunday|end[- ]of[- ]week)\s+(?:review|summary|recap|report)\b"
        r"|\breview\s+(?:of\s+)?(?:my|the)\s+week\b", re.I)),
    ("workout", re.compile(
        r"\b(?:today'?s|the\s+day'?s|daily|my)\s+(?:workout|training|session)\b|\bworkout\s+(?:of\s+the\s+day|plan)\b",
        re.I)),
    ("missing_meals", re.compile(
        r"\bmissing\s+meals?\b|\bunlogged\s+meals?\b|\bmeals?\s+i\s+(?:haven'?t|have\s+not|didn'?t)\s+log"
        r"|\bmeal\s+check\b|\bif\s+i\s+(?:forgot|forget|missed|miss)\s+(?:to\s+log\s+)?(?:a\s+|any\s+)?meals?\b",
        re.I)),
]  # fmt: skip

# Times used when a kind is named without one ("turn on the morning readiness check").
KIND_DEFAULTS: dict[str, tuple[Rule, tuple[int, ...], int, int]] = {
    "readiness": ("daily", ALL_DAYS, 7, 0),
    "workout": ("daily", ALL_DAYS, 7, 0),
    "missing_meals": ("daily", ALL_DAYS, 20, 0),
    "weekly_review": ("weekly", (6,), 18, 0),
}
PART_OF_DAY_DEFAULT = {"morning": (7, 0), "evening": (19, 0)}
_REMIND = re.compile(
    r"\b(?:remind(?:er)?|nudge|ping|tell|ask)(?:\s+me)?(?:\s+(?:to|about|that|of))?\b|\bset\s+(?:up\s+)?a\s+reminder\b"
    r"(?:\s+(?:to|for))?",
    re.I,
)


@dataclass
class _Scan:
    """One pass over a clause: what was found and which characters it used."""

    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)

    def take(self, m: re.Match[str]) -> re.Match[str]:
        self.spans.append(m.span())
        return m

    def free(self, m: re.Match[str]) -> bool:
        a, b = m.span()
        return all(b <= s or a >= e for s, e in self.spans)

    def find(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        for m in pattern.finditer(self.text):
            if self.free(m):
                return self.take(m)
        return None


@dataclass(frozen=True)
class TimeOfDay:
    hour: int
    minute: int
    explicit: bool  # False when a default was used (shown as a note before saving)


def _day_index(word: str) -> int:
    w = word.lower().rstrip("s")
    for i, name in enumerate(DAY_NAMES):
        if name.lower().startswith(w[:3]):
            return i
    raise CheckinError(f"'{word}' is not a day of the week.")


def _days_in(text: str) -> tuple[int, ...]:
    return tuple(sorted({_day_index(w) for w in re.findall(_DAY + "s?", text, re.I)}))


def _apply_ampm(hour: int, ap: str) -> int:
    if hour < 1 or hour > 12:
        raise CheckinError(f"{hour} {ap} is not a time; use 1-12 with am/pm, or 24-hour time like 20:00.")
    pm = ap.lower().startswith("p")
    return (hour % 12) + (12 if pm else 0)


def read_time(
    scan: _Scan, ampm: AmPm | None = None, default_half: AmPm | None = None, loose: bool = False
) -> TimeOfDay | None:
    """The time of day in the clause (24-hour), or None. Raises AmbiguousTime rather than guess."""
    text = scan.text
    if m := scan.find(_NOON):
        return TimeOfDay(0 if m.group("w").lower() == "midnight" else 12, 0, True)
    m = scan.find(_TIME_HM) or scan.find(_TIME_DOT_AP) or scan.find(_TIME_H_AP) or scan.find(_TIME_OCLOCK)
    m = m or scan.find(_TIME_HALF_PAST) or scan.find(_TIME_AT_H) or (scan.find(_TIME_TO_H) if loose else None)
    if m is None:
        return None
    raw_h = m.group("h")
    hour = int(raw_h)
    minute = 30 if m.re is _TIME_HALF_PAST else int(m.groupdict().get("m") or 0)
    if hour > 23:
        raise CheckinError(f"{hour}:{minute:02d} is not a time of day.")
    ap = (m.groupdict().get("ap") or "").replace(".", "").replace(" ", "")
    if ap:
        return TimeOfDay(_apply_ampm(hour, ap), minute, True)
    if hour == 0 or hour >= 13 or (len(raw_h) == 2 and raw_h.startswith("0")):
        return TimeOfDay(hour, minute, True)  # 24-hour clock: no doubt
    if ampm:
        return TimeOfDay(_apply_ampm(hour, ampm), minute, True)
    if _MORNING.search(text) and not _EVENING.search(text):
        return TimeOfDay(_apply_ampm(hour, "am"), minute, True)
    if _EVENING.search(text) and not _MORNING.search(text):
        night_small_hours = _NIGHT.search(text) and hour <= 4
        return TimeOfDay(_apply_ampm(hour, "am" if night_small_hours else "pm"), minute, True)
    if default_half:
        return TimeOfDay(_apply_ampm(hour, default_half), minute, True)
    raise AmbiguousTime(hour, minute)


def _read_tz(scan: _Scan, default: str) -> str:
    for m in _TZ.finditer(scan.text):
        name = m.group("tz")
        scan.take(m)
        zone(name)  # raises InvalidTimezone with a readable message
        return "UTC" if name.upper() in ("UTC", "GMT") else name
    zone(default)
    return default


def _relative(scan: _Scan) -> timedelta | None:
    m = scan.find(_RELATIVE)
    if m is None:
        return None
    n_raw = m.group("n").lower()
    unit = m.group("u").lower()
    n: float = 0.5 if n_raw.startswith("half") else float(_NUM_WORDS.get(n_raw, 0) or int(n_raw))
    if unit.startswith("s"):
        return timedelta(seconds=n)
    if unit.startswith("m"):
        return timedelta(minutes=n)
    if unit.startswith("h"):
        return timedelta(hours=n)
    return timedelta(days=n)


def _calendar_date(scan: _Scan, local_now: datetime) -> tuple[date, bool] | None:
    """(date, explicit) for today/tomorrow/weekday/calendar words in the clause, or None."""
    if scan.find(_YESTERDAY):
        raise PastTime("Yesterday has passed; pick a time from now on, e.g. 'tomorrow at 8pm'.")
    if scan.find(_TOMORROW):
        return (local_now.date() + timedelta(days=1), True)
    if scan.find(_TODAY):
        return (local_now.date(), True)
    if m := scan.find(_ONE_DAY):
        target = _day_index(m.group("day"))
        ahead = (target - local_now.weekday()) % 7 or 7
        if m.group(0).lower().startswith("next") and ahead < 7:
            ahead = ahead if ahead > 0 else 7
        return (local_now.date() + timedelta(days=ahead), True)
    if m := scan.find(_DATE):
        import dateparser

        parsed = dateparser.parse(
            m.group("date"),
            languages=["en"],
            settings={
                "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": local_now.replace(tzinfo=None),
                "DATE_ORDER": "DMY",
                "REQUIRE_PARTS": ["day", "month"],
            },
        )
        if parsed is None:
            raise CheckinError(f"I couldn't read the date '{m.group('date')}'; try '25 December' or 2026-12-25.")
        return (parsed.date(), True)
    return None


def _recurrence_days(scan: _Scan) -> tuple[Rule, tuple[int, ...]] | None:
    """('daily'|'weekly', days) when the clause repeats, else None."""
    if scan.find(_WEEKDAYS):
        return ("weekly", (0, 1, 2, 3, 4))
    if scan.find(_WEEKENDS):
        return ("weekly", (5, 6))
    m = scan.find(_EVERY_DAYS)
    if m is not None:
        plural_or_every = not m.group(0).lower().startswith("on") or re.search(r"s\b", m.group("days"), re.I)
        # "on thursday evenings": the part of the day in the plural makes the day repeat
        every_part = re.match(r"\s+(?:mornings|afternoons|evenings|nights)\b", scan.text[m.end() :], re.I)
        if plural_or_every or every_part:
            return ("weekly", _days_in(m.group("days")))
        scan.spans.remove(m.span())  # "on sunday": a one-off date, read later
    if m := scan.find(_PLURAL_DAYS):
        return ("weekly", _days_in(m.group("days")))
    if m := scan.find(_DAY_THEN_PARTS):  # "thursday evenings", "sunday mornings"
        return ("weekly", _days_in(m.group("day")))
    if scan.find(_DAILY):
        return ("daily", ALL_DAYS)
    if scan.find(_WEEKLY):
        return ("weekly", ())
    return None


def detect_kinds(text: str) -> list[tuple[Kind, int]]:
    """Kinds of check-in named in `text` with their positions (reminders are the default, not listed)."""
    found: list[tuple[Kind, int]] = []
    for kind, pattern in _KIND_PATTERNS:
        for m in pattern.finditer(text):
            found.append((kind, m.start()))
    return sorted(found, key=lambda kp: kp[1])


def _clauses(text: str) -> list[tuple[Kind, str]]:
    """Split "the morning readiness check and the Sunday review" into one clause per kind."""
    kinds = detect_kinds(text)
    if len({k for k, _ in kinds}) < 2:
        return [(kinds[0][0] if kinds else "reminder", text)]
    parts = re.split(r"\s*(?:,|;|\band\b|\balso\b|\bplus\b)\s*", text, flags=re.I)
    out: list[tuple[Kind, str]] = []
    for part in parts:
        if not part.strip():
            continue
        here = detect_kinds(part)
        if here:
            out.append((here[0][0], part))
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + " and " + part)
        else:
            out.append(("reminder", part))
    merged: list[tuple[Kind, str]] = []
    for kind, part in out:  # keep one clause per kind, in order
        if any(k == kind for k, _ in merged):
            continue
        merged.append((kind, part))
    return merged


_DANGLING = re.compile(r"\b(?:at|on|every|each|by|for|from|starting|around)\s*\x00", re.I)
_EDGE_FILLER = re.compile(
    r"^(?:(?:please|pls|can you|could you|would you|will you|to|about|that|me|and|also|then|at|on|in|every)\b\s*)+"
    r"|(?:\s*\b(?:please|pls|at|on|every|each|and|then|by|for|from|starting)\b)+$",
    re.I,
)


def _reminder_text(scan: _Scan) -> str:
    """What to remind about: the clause without the remind verb and the words that said when."""
    out, pos = [], 0
    for s, e in sorted(scan.spans):
        if s >= pos:
            out.append(scan.text[pos:s] + "\x00")
            pos = e
        else:
            pos = max(pos, e)
    out.append(scan.text[pos:])
    rest = _DANGLING.sub("\x00", "".join(out))
    m = _REMIND.search(rest)
    if m:
        rest = rest[m.end() :]
    rest = " ".join(rest.replace("\x00", " ").split())
    for _ in range(3):
        rest = _EDGE_FILLER.sub("", rest).strip(" ,.;:!?-")
    return rest[:120]


def parse_request(
    text: str, now: datetime, tz: str, ampm: AmPm | None = None, require_time: bool = True
) -> list[CheckinSpec]:
    """Every check-in asked for in `text`, with times in `tz`; raises CheckinError subclasses to ask back."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    specs = [_parse_clause(kind, clause, now, tz, ampm) for kind, clause in _clauses(text)]
    return specs


def _parse_clause(kind: Kind, clause: str, now: datetime, tz: str, ampm: AmPm | None) -> CheckinSpec:
    scan = _Scan(clause)
    tz_name = _read_tz(scan, tz)
    local_now = now.astimezone(zone(tz_name))
    for kind_name, pattern in _KIND_PATTERNS:
        if kind_name == kind and (m := pattern.search(clause)):
            scan.take(m)
    notes: list[str] = []
    delta = _relative(scan)
    if delta is not None:
        if delta < timedelta(seconds=10):
            raise PastTime("That is too soon for me to schedule; give me at least 10 seconds.")
        run_at = (now + delta).astimezone(UTC).replace(microsecond=0)
        rec = Recurrence("once", tz=tz_name, run_at=run_at)
        return CheckinSpec(kind, rec, _text_for(kind, scan), tuple(notes))
    repeat = _recurrence_days(scan)
    day = None if repeat else _calendar_date(scan, local_now)
    tod = read_time(scan, ampm)
    if tod is None:
        tod = _default_time(kind, scan.text, repeat is not None or kind != "reminder")
        if tod is None:
            raise MissingTime(
                "When should I send it? Say a time, e.g. 'at 8pm every day', 'every Sunday at 18:00' "
                "or 'in 20 minutes'."
            )
        notes.append(f"I picked {tod.hour:02d}:{tod.minute:02d}; say another time if you prefer.")
    if repeat is None and kind in KIND_DEFAULTS:
        default_rule, default_days, _, _ = KIND_DEFAULTS[kind]
        if day is None:
            repeat = (default_rule, default_days)
    if repeat is not None:
        rule, days = repeat
        if rule == "weekly" and not days:
            days = KIND_DEFAULTS.get(kind, ("weekly", (local_now.weekday(),), 0, 0))[1]
            if kind not in KIND_DEFAULTS:
                days = (local_now.weekday(),)
        rec = Recurrence(rule, tod.hour, tod.minute, tz_name, days if rule == "weekly" else ALL_DAYS)
        return CheckinSpec(kind, rec, _text_for(kind, scan), tuple(notes))
    # One-off at a wall time on a day.
    explicit_day = day is not None
    the_day = day[0] if day else local_now.date()
    wall = datetime.combine(the_day, datetime.min.time(), tzinfo=zone(tz_name)).replace(
        hour=tod.hour, minute=tod.minute
    )
    run_at = wall.astimezone(UTC)
    if run_at <= now:
        if explicit_day:
            raise PastTime(
                f"{format_local(run_at, tz_name)} has already passed "
                f"(it is {format_local(now, tz_name)} in {tz_name}). Pick a later time, e.g. 'tomorrow at 8pm'."
            )
        run_at = (wall + timedelta(days=1)).astimezone(UTC)
        notes.append(f"{tod.hour:02d}:{tod.minute:02d} has passed today, so tomorrow.")
    rec = Recurrence("once", tz=tz_name, run_at=run_at)
    return CheckinSpec(kind, rec, _text_for(kind, scan), tuple(notes))


def _default_time(kind: Kind, text: str, allow: bool) -> TimeOfDay | None:
    if _MORNING.search(text):
        return TimeOfDay(*PART_OF_DAY_DEFAULT["morning"], explicit=False)
    if _EVENING.search(text) and kind == "reminder":
        return TimeOfDay(*PART_OF_DAY_DEFAULT["evening"], explicit=False)
    if allow and kind in KIND_DEFAULTS:
        _, _, h, m = KIND_DEFAULTS[kind]
        return TimeOfDay(h, m, explicit=False)
    return None


def _text_for(kind: Kind, scan: _Scan) -> str:
    return _reminder_text(scan) if kind == "reminder" else ""


def parse_change(text: str, current: CheckinSpec, now: datetime, ampm: AmPm | None = None) -> CheckinSpec:
    """`current` with the time, days or date that `text` names ("move it to 8:30", "make it Sundays").

    An hour without am/pm keeps the half of the day the check-in already uses (20:00 → "8:30" = 20:30).
    """
    rec = current.recurrence
    scan = _Scan(text)
    tz_name = _read_tz(scan, rec.tz)
    delta = _relative(scan)
    if delta is not None:
        return current.with_recurrence(Recurrence("once", tz=tz_name, run_at=(now + delta).astimezone(UTC)))
    current_hour = rec.run_at.astimezone(zone(rec.tz)).hour if rec.rule == "once" and rec.run_at else rec.hour
    half: AmPm = "pm" if current_hour >= 12 else "am"
    repeat = _recurrence_days(scan)
    local_now = now.astimezone(zone(tz_name))
    day = None if repeat else _calendar_date(scan, local_now)
    tod = read_time(scan, ampm, default_half=half, loose=True)
    if tod is None and repeat is None and day is None:
        raise MissingTime("What should change? e.g. 'move it to 8:30pm', 'make it weekdays' or 'every Sunday'.")
    if rec.rule == "once" and rec.run_at is not None:
        old_local = rec.run_at.astimezone(zone(tz_name))
        hour, minute = (tod.hour, tod.minute) if tod else (old_local.hour, old_local.minute)
    else:
        hour, minute = (tod.hour, tod.minute) if tod else (rec.hour, rec.minute)
    if repeat is not None:
        rule, days = repeat
        days = days or (rec.days if rec.rule == "weekly" else (local_now.weekday(),))
        return current.with_recurrence(Recurrence(rule, hour, minute, tz_name, days if rule == "weekly" else ALL_DAYS))
    if rec.rule != "once" and day is None:
        return current.with_recurrence(Recurrence(rec.rule, hour, minute, tz_name, rec.days))
    the_day = day[0] if day else (rec.run_at.astimezone(zone(tz_name)).date() if rec.run_at else local_now.date())
    wall = datetime.combine(the_day, datetime.min.time(), tzinfo=zone(tz_name)).replace(hour=hour, minute=minute)
    run_at = wall.astimezone(UTC)
    if run_at <= now:
        raise PastTime(
            f"{format_local(run_at, tz_name)} has already passed (it is {format_local(now, tz_name)} in {tz_name}). "
            "Pick a later time."
        )
    return current.with_recurrence(Recurrence("once", tz=tz_name, run_at=run_at))
