"""Periods in words → calendar dates, in code, so "the last 6 months" means the same thing every time.

The model (or the fast path) only copies the person's words ("last 12 weeks", "since March", "in
October"); this module turns them into an inclusive `[start, end]` date range in the person's own
timezone. A period that lies wholly in the future is refused with a sentence rather than answered
with an empty chart; one that runs past today is cut at today.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUM_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple of": 2, "few": 3,
}  # fmt: skip
_N = r"(?P<n>\d{1,3}|" + "|".join(sorted(map(re.escape, _NUM_WORDS), key=len, reverse=True)) + r")"
_UNIT = r"(?P<unit>days?|weeks?|wks?|months?|mos?|years?|yrs?)"
EARLIEST = date(1970, 1, 1)


class PeriodError(ValueError):
    """A period that can't be read, or that lies in the future."""


@dataclass(frozen=True)
class Period:
    """An inclusive date range with the words it came from."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one (for 'vs last week' comparisons)."""
        length = timedelta(days=self.days)
        return Period(self.start - length, self.start - timedelta(days=1), f"the {self.days} days before")

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label}


def _n(word: str) -> int:
    word = word.lower().strip()
    return int(word) if word.isdigit() else _NUM_WORDS[word]


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _recent_month(month: int, today: date, year: int | None) -> tuple[date, date]:
    """A month named without a year is its latest occurrence that has started."""
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    return _month_range(year, month)


def _span_back(n: int, unit: str, today: date) -> date:
    unit = unit.rstrip("s")
    if unit.startswith("d"):
        return today - timedelta(days=n - 1)
    if unit.startswith("w"):
        return today - timedelta(days=7 * n - 1)
    if unit.startswith("m"):
        return _add_months(today, -n) + timedelta(days=1)
    return _add_months(today, -12 * n) + timedelta(days=1)


_FUTURE = re.compile(
    r"\b(next|coming|upcoming)\s+(week|month|year|\d+\s+(days?|weeks?|months?))\b|\btomorrow\b|\bin\s+the\s+future\b",
    re.I,
)


def _point(text: str, today: date) -> date | None:
    """A single date in words: 'March', 'March 2025', '2025-03-04', '4 March', 'last month', 'monday'."""
    t = text.strip().lower().rstrip(".?!")
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(
        rf"(?:the\s+)?(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?)?({_MONTH_RE})(?:\s+(\d{{1,2}})(?:st|nd|rd|th)?)?,?(?:\s+(\d{{4}}))?",
        t,
    ):
        day = int(m[1] or m[3] or 1)
        start, _ = _recent_month(MONTHS[m[2]], today, int(m[4]) if m[4] else None)
        return start.replace(day=min(day, calendar.monthrange(start.year, start.month)[1]))
    if m := re.fullmatch(r"(\d{4})", t):
        return date(int(m[1]), 1, 1)
    if t in ("last month", "the last month"):
        return _month_range(*_add_months(today, -1).timetuple()[:2])[0]
    if t in ("last week",):
        return _week_start(today) - timedelta(days=7)
    if t in ("last year",):
        return date(today.year - 1, 1, 1)
    if t in ("the start of the year", "start of the year", "new year", "january 1st", "the new year"):
        return date(today.year, 1, 1)
    if t in ("yesterday",):
        return today - timedelta(days=1)
    if t in ("today",):
        return today
    days = [d.lower() for d in calendar.day_name]
    if t in days or (t.startswith("last ") and t[5:] in days):
        wd = days.index(t.split()[-1])
        back = (today.weekday() - wd) % 7 or 7
        return today - timedelta(days=back)
    return None


def parse_period(text: str | None, today: date, default: str | None = None) -> Period:
    """The date range that `text` names (or `default` when it names none); raises PeriodError."""
    raw = (text or "").strip()
    if not raw:
        if default is None:
            return Period(EARLIEST, today, "all time")
        raw = default
    period = _parse(raw, today)
    if period is None:
        raise PeriodError(
            f"I can't read the period '{raw}'. Try 'last 12 weeks', 'this year', 'since March' or 'in October'."
        )
    if period.start > today:
        raise PeriodError(f"'{raw}' is in the future ({period.start:%d %b %Y}); I can only chart what has happened.")
    if period.end > today:
        period = Period(period.start, today, period.label)
    if period.end < period.start:
        raise PeriodError(f"'{raw}' ends before it starts.")
    return period


def _parse(raw: str, today: date) -> Period | None:
    t = " ".join(raw.lower().replace(",", " ").split())
    t = re.sub(r"^(over|during|for|in|from|within)\s+(?=the\s|this\s|last\s|past\s)", "", t)
    if _FUTURE.search(t):
        ahead = {"week": 7, "month": 31, "year": 366}
        m = re.search(r"(week|month|year)", t)
        start = today + timedelta(days=ahead[m[1]] if m else 1)
        return Period(start, start, raw)
    if t in ("all time", "ever", "overall", "all", "all my history", "forever", "since i started", "since the start"):
        return Period(EARLIEST, today, "all time")
    if t in ("lately", "recently", "of late", "these days", "in recent weeks"):  # a coach reads "lately" as a month
        return Period(_span_back(4, "weeks", today), today, "the last 4 weeks")
    if t in ("last quarter", "the last quarter", "past quarter", "the past quarter"):
        return Period(_span_back(3, "months", today), today, "the last 3 months")
    if t == "today":
        return Period(today, today, "today")
    if t == "yesterday":
        y = today - timedelta(days=1)
        return Period(y, y, "yesterday")
    if t in ("this week", "the week", "so far this week", "week to date"):
        return Period(_week_start(today), today, "this week")
    if t in ("last week", "the last week", "previous week", "past week", "the past week"):
        if t in ("past week", "the past week", "the last week"):
            return Period(today - timedelta(days=6), today, "the past 7 days")
        s = _week_start(today) - timedelta(days=7)
        return Period(s, s + timedelta(days=6), "last week")
    if t in ("this month", "month to date", "so far this month"):
        return Period(today.replace(day=1), today, "this month")
    if t in ("last month", "previous month"):
        s, e = _month_range(*_add_months(today, -1).timetuple()[:2])
        return Period(s, e, "last month")
    if t in ("past month", "the past month", "the last month"):
        return Period(_span_back(1, "month", today), today, "the past month")
    if t in ("this year", "the year", "year to date", "ytd", "so far this year"):
        return Period(date(today.year, 1, 1), today, "this year")
    if t in ("last year", "previous year"):
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), "last year")
    if t in ("past year", "the past year", "the last year", "last 12 months", "the last 12 months"):
        return Period(_span_back(12, "months", today), today, "the past 12 months")
    if m := re.fullmatch(rf"(?:the\s+)?(?:last|past|previous|recent)\s+{_N}\s+{_UNIT}", t) or re.fullmatch(
        rf"{_N}\s+{_UNIT}(?:\s+ago)?", t
    ):
        n, unit = _n(m["n"]), m["unit"]
        if n < 1:
            return None
        label = f"the last {n} {_plural(unit, n)}"
        return Period(_span_back(n, unit, today), today, label)
    if m := re.fullmatch(rf"(?:the\s+)?(?:last|past)\s+{_UNIT}", t):
        return Period(_span_back(1, m["unit"], today), today, f"the past {m['unit'].rstrip('s')}")
    if m := re.fullmatch(r"(?:between|from)\s+(.+?)\s+(?:and|to|until|-)\s+(.+)", t):
        a, b = _point(m[1], today), _point(m[2], today)
        if a is None or b is None:
            return None
        b_end = _end_of(m[2], b)
        if b_end < a:  # "from November to February" spans a new year
            a = a.replace(year=a.year - 1)
        return Period(a, b_end, f"{a:%d %b %Y} to {b_end:%d %b %Y}")
    if m := re.fullmatch(r"(?:since|after|from)\s+(.+)", t):
        start = _point(m[1], today)
        return Period(start, today, f"since {start:%d %b %Y}") if start else None
    if m := re.fullmatch(rf"(?:in\s+|during\s+)?({_MONTH_RE})(?:\s+(\d{{4}}))?", t):
        s, e = _recent_month(MONTHS[m[1]], today, int(m[2]) if m[2] else None)
        return Period(s, e, f"{calendar.month_name[s.month]} {s.year}")
    if m := re.fullmatch(r"(?:in\s+|during\s+)?(\d{4})", t):
        y = int(m[1])
        return Period(date(y, 1, 1), date(y, 12, 31), str(y))
    if m := re.fullmatch(r"(\d{4}-\d{1,2}-\d{1,2})", t):
        d = _point(m[1], today)
        return Period(d, d, m[1]) if d else None
    if m := re.fullmatch(r"(?:on\s+)?(?:last\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)", t):
        d = _point(m[1], today)
        return Period(d, d, m[1]) if d else None
    return None


def _end_of(text: str, start: date) -> date:
    """The last day that a point in words covers: a month name covers the month, a year the year."""
    t = text.strip().lower()
    if re.fullmatch(rf"({_MONTH_RE})(?:\s+\d{{4}})?", t):
        return _month_range(start.year, start.month)[1]
    if re.fullmatch(r"\d{4}", t):
        return date(start.year, 12, 31)
    return start


def _plural(unit: str, n: int) -> str:
    base = {"d": "day", "w": "week", "m": "month", "y": "year"}[unit[0]]
    return base if n == 1 else base + "s"


# Phrases the fast path lifts out of a question (longest first, so "last 12 weeks" beats "last week").
_NF, _UF = _N.replace("?P<n>", "?:"), _UNIT.replace("?P<unit>", "?:")
PERIOD_PATTERNS = [
    rf"(?:over |during |for |in |within )?(?:the )?(?:last|past|previous|recent) {_NF} {_UF}\b",
    rf"\b{_NF} {_UF} ago\b",
    r"(?:between|from) [\w\- ]+? (?:and|to|until) (?:\d{4}-\d{1,2}-\d{1,2}|" + _MONTH_RE + r")(?: \d{4})?",
    r"since (?:\d{4}-\d{1,2}-\d{1,2}|(?:the )?(?:\d{1,2}(?:st|nd|rd|th)? (?:of )?)?(?:"
    + _MONTH_RE
    + r")(?: \d{1,2}(?:st|nd|rd|th)?)?(?: \d{4})?|\d{4}|last (?:month|week|year)|the start of the year|new year|"
    r"(?:last )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|yesterday)",
    r"(?:next|coming|upcoming) (?:week|month|year|\d+ (?:days?|weeks?|months?))|tomorrow",
    r"the (?:last|past) (?:week|month|year)\b",
    r"(?:this|last|previous|past) (?:week|month|year)\b|year to date|\bytd\b",
    r"(?:in |during )(?:" + _MONTH_RE + r")(?: \d{4})?\b",
    r"\b(?:in |during )\d{4}\b",
    r"\ball[- ]time\b|\bever\b|\boverall\b|\bsince i started\b",
    r"\b(?:the )?(?:last|past) quarter\b|\blately\b|\brecently\b|\bthese days\b",
    r"\btoday\b|\byesterday\b",
]
PERIOD_RE = re.compile("|".join(f"(?:{p})" for p in PERIOD_PATTERNS), re.I)


def find_period(text: str) -> str | None:
    """The period phrase inside a question, as written (None when it names none)."""
    m = PERIOD_RE.search(" ".join(text.split()))
    return m.group(0).strip() if m else None
