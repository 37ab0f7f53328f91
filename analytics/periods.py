"""Periods in words → calendar dates, in code, so "the last 6 months" means the same thing every time.

The model (or the fast path) only copies the person's words ("last 12 weeks", "since March", "in
October"); this module turns them into an inclusive `[start, end]` date range in the person's own
timezone. A period that lies wholly in the future is refused with a sentence rather than answered
with an empty chart; one that runs past today is cut at today.
"""

from __future__ import annotations

import calendar
import difflib
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


@dataclass(frozen=True)
class Anchors:
    """Dates that only the person's own data knows: when their program and its current block began.

    `block_weeks` is the program's length in weeks (a block repeats it); None fields mean "no program".
    """

    program: date | None = None
    block_weeks: int | None = None
    first: date | None = None  # the first day anything was logged (all time starts there when known)

    def block(self, today: date, back: int = 0) -> tuple[date, date] | None:
        """The block `back` blocks before the current one, as (start, end)."""
        if self.program is None or not self.block_weeks or self.program > today:
            return None
        length = 7 * self.block_weeks
        k = (today - self.program).days // length - back
        if k < 0:
            return None
        start = self.program + timedelta(days=k * length)
        return start, start + timedelta(days=length - 1)


def scoring_anchors(today: date) -> Anchors:
    """Fixed anchors for scoring question sets (a program that began 10 weeks ago in 4-week blocks)."""
    return Anchors(program=today - timedelta(weeks=10), block_weeks=4)


def parse_period(text: str | None, today: date, default: str | None = None, anchors: Anchors | None = None) -> Period:
    """The date range that `text` names (or `default` when it names none); raises PeriodError.

    Periods tied to the person's program ("this block", "since the program started") need `anchors`;
    without them (or with no program) the error asks for a date rather than guessing a window.
    """
    raw = (text or "").strip()
    if not raw:
        if default is None:
            return Period(EARLIEST, today, "all time")
        raw = default
    period = _anchored(raw, today, anchors or Anchors()) or _parse(raw, today)
    if period is None:
        raise PeriodError(
            f"I can't read the period '{raw}'. Try 'last 12 weeks', 'this year', 'Q1 2025', 'since March', "
            "'in October' or 'all time'."
        )
    if period.start > today:
        raise PeriodError(f"'{raw}' is in the future ({period.start:%d %b %Y}); I can only chart what has happened.")
    if period.end > today:
        period = Period(period.start, today, period.label)
    if period.end < period.start:
        raise PeriodError(f"'{raw}' ends before it starts.")
    return period


_BLOCK = r"(?:block|meso(?:cycle)?|cycle|phase)"
_PROGRAM = r"(?:program(?:me)?|plan|routine)"
_BEGAN = r"(?:started|start|began|begun|kicked off)"


def _anchored(raw: str, today: date, a: Anchors) -> Period | None:
    """'this block', 'last block', 'since the program started': dates from the person's program."""
    t = _clean(raw)
    which = None
    if re.fullmatch(rf"(?:this|the current|current|my current|the) {_BLOCK}|since (?:this|the|my) {_BLOCK} {_BEGAN}"
                    rf"|so far this {_BLOCK}", t):  # fmt: skip
        which = 0
    elif re.fullmatch(rf"(?:last|previous|the last|the previous|my last) {_BLOCK}", t):
        which = 1
    if which is not None:
        span = a.block(today, which)
        if span is None:
            raise PeriodError(_no_program(raw, a))
        label = "this block" if which == 0 else "the previous block"
        return Period(span[0], min(span[1], today), f"{label} ({span[0]:%d %b %Y} – {min(span[1], today):%d %b %Y})")
    if re.fullmatch(rf"(?:since|from) (?:i {_BEGAN} |the start of )?(?:the|this|my) {_PROGRAM}(?: {_BEGAN})?"
                    rf"|(?:during |on |over )?(?:this|the|my|my current) {_PROGRAM}", t):  # fmt: skip
        if a.program is None or a.program > today:
            raise PeriodError(_no_program(raw, a))
        return Period(a.program, today, f"since the program began ({a.program:%d %b %Y})")
    return None


def _no_program(raw: str, a: Anchors) -> str:
    if a.program is None:
        return (f"You have no training program here, so I can't tell when '{raw}' began. "
                "Say a date instead, e.g. 'since 3 March' or 'the last 4 weeks'.")  # fmt: skip
    return f"Your program began on {a.program:%d %b %Y}, so there is no '{raw}' yet. Say a date instead."


def _clean(raw: str) -> str:
    return clean_text(raw.lower().replace(",", " ").replace("?", " "))


_VOCAB = [m.lower() for m in calendar.month_name if m] + ["program", "mesocycle", "fortnight", "quarter", "christmas"]


def _fix_month(word: str) -> str:
    """A misspelt period word ('novemeber', 'progam') read as meant; short words are left alone."""
    if len(word) < 6 or word in MONTHS or not word.isalpha():
        return word
    close = difflib.get_close_matches(word, _VOCAB, n=1, cutoff=0.8)
    return close[0] if close else word


def clean_text(text: str) -> str:
    """The text with misspelt period words fixed (what `find_period` searches)."""
    return " ".join(_fix_month(w) if w.isalpha() else w for w in text.split())


def _quarter(q: int, year: int) -> tuple[date, date]:
    start = date(year, 3 * (q - 1) + 1, 1)
    return start, _month_range(year, 3 * q)[1]


_QWORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": 4}
_ALL_TIME = re.compile(
    r"(?:all[- ]time|ever|overall|all|all my history|forever|the whole time|(?:from )?the (?:start|beginning)|"
    r"since (?:the (?:start|beginning)|day one|forever|ever)|"
    r"since i (?:started|began|joined|signed up)(?: (?:logging|tracking|training|lifting|using (?:the|this) app|"
    r"here|the app|with you))?|since i've been (?:logging|tracking|training|lifting))"
)
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}


def _season(name: str, today: date, last: bool) -> tuple[date, date]:
    """The latest season of that name that has started ('last summer': the one before, when this one is on)."""
    m1, m2 = _SEASONS[name]
    year = today.year
    start = date(year, m1, 1)
    if start > today:
        year -= 1
    start = date(year, m1, 1)
    end_year = year + 1 if m2 < m1 else year
    end = _month_range(end_year, m2)[1]
    if last and end >= today:
        start, end = date(year - 1, m1, 1), _month_range(end_year - 1, m2)[1]
    return start, end


def _holiday(t: str, today: date) -> date | None:
    days = {"christmas": (12, 25), "xmas": (12, 25), "new year's": (1, 1), "new years": (1, 1),
            "halloween": (10, 31), "thanksgiving": (11, 27)}  # fmt: skip
    for word, (m, d) in days.items():
        if t in (word, f"{word} day", f"last {word}"):
            y = today.year if date(today.year, m, d) <= today else today.year - 1
            if t.startswith("last ") and y == today.year and date(y, m, d) == today:
                y -= 1
            return date(y, m, d)
    return None


def _parse(raw: str, today: date) -> Period | None:
    t = _clean(raw)
    t = re.sub(r"^(?:over|during|for|in|from|within|across|throughout)\s+(?=the\s|this\s|last\s|past\s|my\s)", "", t)
    t = re.sub(r"^(?:over|during|for|in|across|throughout)\s+(?=all\b)", "", t)
    t = re.sub(
        r"^(?:over |during |for |in |across |throughout |within )?(?:the )?(?:last|past|previous) (?:half(?: a)? "
        r"year|6 months?)$",
        "last 6 months",
        t,
    )
    t = re.sub(rf"\b{_N} fortnights?\b", lambda m: f"{2 * _n(m['n'])} weeks", t)
    t = re.sub(r"^(?:the |a |this |one )?(?:(?:last|past|previous) )?fortnight$", "last 2 weeks", t)
    if _ALL_TIME.fullmatch(t):
        return Period(EARLIEST, today, "all time")
    # "since I started cutting in February" → since February (the person gave the date)
    if m := re.fullmatch(
        r"since (?:i|we) (?:started|began|switched to|went on|started my) [a-z' ]+? (?:in|on|at) (.+)", t
    ):
        start = _point(m[1], today)
        return Period(start, today, f"since {start:%d %b %Y}") if start else None
    if m := re.fullmatch(r"(?:in |during |for |across |throughout |over )?(?:the )?(?:q([1-4])|(first|1st|second|"
                         r"2nd|third|3rd|fourth|4th|last) quarter)(?: (?:of )?(\d{4}))?", t):  # fmt: skip
        q = int(m[1]) if m[1] else _QWORD[m[2]]
        if m[2] == "last" and not m[3]:
            return Period(_span_back(3, "months", today), today, "the last 3 months")
        year = int(m[3]) if m[3] else today.year
        if not m[3] and _quarter(q, year)[0] > today:
            year -= 1
        s, e = _quarter(q, year)
        return Period(s, e, f"Q{q} {year}")
    if t in ("this quarter", "the quarter", "quarter to date", "so far this quarter"):
        q = (today.month - 1) // 3 + 1
        return Period(_quarter(q, today.year)[0], today, f"Q{q} {today.year} so far")
    if t in ("previous quarter",):
        q = (today.month - 1) // 3
        year = today.year if q else today.year - 1
        s, e = _quarter(q or 4, year)
        return Period(s, e, f"Q{q or 4} {year}")
    if m := re.fullmatch(r"(?:in |during |over )?(?:(last|this) )?(spring|summer|autumn|fall|winter)", t):
        s, e = _season(m[2], today, m[1] == "last")
        return Period(s, e, f"{m[2]} {s.year}")
    if m := re.fullmatch(r"since (?:(last|this) )?(spring|summer|autumn|fall|winter)", t):
        s, _ = _season(m[2], today, m[1] == "last")
        return Period(s, today, f"since {s:%d %b %Y}")
    if (m := re.fullmatch(r"since (.+)", t)) and (h := _holiday(m[1], today)) is not None:
        return Period(h, today, f"since {h:%d %b %Y}")
    if m := re.fullmatch(
        r"(?:across|throughout|for|over|in|during|the year|all of|all through) ?(?:the year )?(\d{4})", t
    ):
        y = int(m[1])
        return Period(date(y, 1, 1), date(y, 12, 31), str(y))
    if _FUTURE.search(t):
        ahead = {"week": 7, "month": 31, "year": 366}
        m = re.search(r"(week|month|year)", t)
        start = today + timedelta(days=ahead[m[1]] if m else 1)
        return Period(start, start, raw)
    if t in ("lately", "recently", "of late", "these days", "in recent weeks"):  # a coach reads "lately" as a month
        return Period(_span_back(4, "weeks", today), today, "the last 4 weeks")
    if t in ("last quarter", "the last quarter", "past quarter", "the past quarter"):
        return Period(_span_back(3, "months", today), today, "the last 3 months")
    if t == "today":
        return Period(today, today, "today")
    if t == "yesterday":
        yday = today - timedelta(days=1)
        return Period(yday, yday, "yesterday")
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
    # "protein trend 60 days", "calories over 3 weeks": a span back from today without 'last'
    rf"(?:(?<=\bover )|(?<=\bfor )|(?<=\bacross )|(?<=\bwithin )){_NF} {_UF}\b(?! ago| from now)|"
    rf"(?<!\bin )(?<!\bnext )\b{_NF} {_UF}(?=\W*$)",
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
    r"\bsince (?:i|we) (?:started|began|switched to|went on|started my) [a-z' ]{2,30}? (?:in|on) (?:"
    + _MONTH_RE
    + r")(?: \d{4})?\b",
    r"\b(?:since|from) (?:i (?:started|began) |the start of )?(?:the|this|my) program(?:me)?(?: (?:started|start|began|"
    r"begun|kicked off))?\b|\b(?:during|on|over) (?:this|the|my) program(?:me)?\b",
    r"\b(?:since )?(?:this|the current|current|my current|last|previous|the last|the previous|my last) "
    r"(?:block|meso(?:cycle)?|cycle|phase)\b(?: (?:started|began|start))?",
    r"\bsince (?:this|the|my) (?:block|meso(?:cycle)?|cycle|phase) (?:started|began|start)\b",
    r"\ball[- ]time\b|\bever\b|\boverall\b|\bsince (?:the (?:start|beginning)|day one)\b|"
    r"\bsince i(?:'ve been| (?:started|began|joined|signed up))(?: (?:logging|tracking|training|lifting|using "
    r"(?:the|this) app|the app|here))?\b|\bfrom the (?:start|beginning)\b|\ball (?:my )?history\b",
    r"\b(?:in |during |for |across |throughout |over )?(?:the )?(?:q[1-4]|(?:first|1st|second|2nd|third|3rd|fourth|4th)"
    r" quarter)(?: (?:of )?\d{4})?\b|\b(?:this|the) quarter\b",
    r"\b(?:the )?(?:last|past|previous) (?:half(?: a)? year|quarter)\b|\blately\b|\brecently\b|\bthese days\b",
    rf"\b(?:the )?(?:last|past|previous|this) (?:{_NF} )?fortnights?\b|\b(?:a|one) fortnight\b",
    r"\bsince (?:(?:last|this) )?(?:spring|summer|autumn|fall|winter|christmas|xmas|halloween|thanksgiving|"
    r"new year'?s?)\b",
    r"\b(?:last|this) (?:spring|summer|autumn|fall|winter)\b",
    r"\b(?:across|throughout|for|over|during|in) \d{4}\b|^\d{4}$|\bsince \d{4}\b",
    r"\btoday\b|\byesterday\b",
]
PERIOD_RE = re.compile("|".join(f"(?:{p})" for p in PERIOD_PATTERNS), re.I)


def find_period(text: str) -> str | None:
    """The period phrase inside a question, as written (misspellings fixed; None when it names none)."""
    m = PERIOD_RE.search(clean_text(" ".join(text.split())))
    return m.group(0).strip() if m else None


_SESSIONS_RE = re.compile(
    r"\b(?:last|past|previous|recent)\s+" + _N + r"\s+(?:[a-z-]+\s+){0,2}?(?:sessions?|rounds?|workouts?|classes|"
    r"trainings?|times? i (?:trained|lifted|boxed))\b",
    re.I,
)


def sessions_in(text: str) -> int | None:
    """N in 'the last N sessions / rounds / workouts' (words between allowed: 'my last 5 sparring rounds')."""
    m = _SESSIONS_RE.search(" ".join(text.split()))
    if not m:
        return None
    return _n(m["n"])
