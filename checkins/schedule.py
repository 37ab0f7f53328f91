"""When a check-in fires: a wall-clock time in the person's timezone, computed the same way everywhere.

A rule is "daily at 20:00 Europe/London", "Sundays at 18:00" or "once at <instant>". Next and previous
runs are computed on local calendar days and converted to UTC per day, so "8pm" stays 8pm local on
both sides of a DST change (the UTC instant moves instead). A wall time that does not exist (the
spring-forward gap) fires at the same distance after the gap opens, as cron does; a wall time that
exists twice (fall back) fires once, on its first occurrence. The confirmation a person sees, the
timer and the catch-up after a restart all use these functions, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Rule = Literal["daily", "weekly", "once"]
Kind = Literal["reminder", "missing_meals", "workout", "weekly_review", "readiness"]
RULES: tuple[Rule, ...] = ("daily", "weekly", "once")
KINDS: tuple[Kind, ...] = ("reminder", "missing_meals", "workout", "weekly_review", "readiness")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)
KIND_LABELS: dict[str, str] = {
    "reminder": "Reminder",
    "missing_meals": "Missing-meals check",
    "workout": "Today's workout",
    "weekly_review": "Weekly review",
    "readiness": "Readiness check",
}


class CheckinError(ValueError):
    """A check-in request the person has to correct; the message says how."""


class InvalidTimezone(CheckinError):
    pass


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`, or a readable InvalidTimezone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as e:
        raise InvalidTimezone(
            f"'{name}' is not a timezone I know; use a name like 'Europe/London' or 'America/New_York'."
        ) from e


@dataclass(frozen=True)
class Recurrence:
    """A firing rule. `weekdays` (Mon=0) applies to weekly rules; `run_at` (UTC) to one-off rules."""

    rule: Rule
    hour: int = 0
    minute: int = 0
    tz: str = "UTC"
    weekdays: tuple[int, ...] = ALL_DAYS
    run_at: datetime | None = None

    def __post_init__(self) -> None:
        zone(self.tz)
        if self.rule == "once":
            if self.run_at is None or self.run_at.tzinfo is None:
                raise CheckinError("A one-off check-in needs a timezone-aware instant.")
            return
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise CheckinError(f"{self.hour}:{self.minute:02d} is not a time of day.")
        if self.rule == "weekly" and (not self.weekdays or any(d not in ALL_DAYS for d in self.weekdays)):
            raise CheckinError("A weekly check-in needs at least one day of the week.")

    @property
    def days(self) -> tuple[int, ...]:
        return ALL_DAYS if self.rule == "daily" else tuple(sorted(set(self.weekdays)))

    def local_fire(self, day: date) -> datetime:
        """The UTC instant of this rule's wall-clock time on local `day`.

        fold=0 maps a wall time inside a spring-forward gap with the pre-gap offset (so it fires that
        far after the gap opens) and a repeated wall time to its first occurrence.
        """
        return datetime.combine(day, time(self.hour, self.minute), tzinfo=zone(self.tz)).astimezone(UTC)

    def next_run(self, after: datetime) -> datetime | None:
        """The first fire instant strictly after `after` (UTC), or None when a one-off has passed."""
        if self.rule == "once":
            assert self.run_at is not None
            return self.run_at.astimezone(UTC) if self.run_at > after else None
        start = after.astimezone(zone(self.tz)).date() - timedelta(days=1)
        for offset in range(0, 9):
            day = start + timedelta(days=offset)
            if day.weekday() in self.days:
                instant = self.local_fire(day)
                if instant > after:
                    return instant
        return None  # unreachable for a valid rule

    def previous_run(self, at_or_before: datetime) -> datetime | None:
        """The latest fire instant at or before `at_or_before` (UTC), or None."""
        if self.rule == "once":
            assert self.run_at is not None
            return self.run_at.astimezone(UTC) if self.run_at <= at_or_before else None
        start = at_or_before.astimezone(zone(self.tz)).date() + timedelta(days=1)
        for offset in range(0, 9):
            day = start - timedelta(days=offset)
            if day.weekday() in self.days:
                instant = self.local_fire(day)
                if instant <= at_or_before:
                    return instant
        return None

    def describe(self) -> str:
        """'Daily at 20:00', 'Sundays at 18:00', 'Once on Tue 25 Nov at 20:31' (in the rule's timezone)."""
        hm = f"{self.hour:02d}:{self.minute:02d}"
        if self.rule == "once":
            assert self.run_at is not None
            local = self.run_at.astimezone(zone(self.tz))
            return f"Once on {local:%a %-d %b} at {local:%H:%M}"
        if self.rule == "daily" or set(self.days) == set(ALL_DAYS):
            return f"Daily at {hm}"
        if self.days == (0, 1, 2, 3, 4):
            return f"Weekdays at {hm}"
        if self.days == (5, 6):
            return f"Weekends at {hm}"
        names = [DAY_NAMES[d] + "s" for d in self.days]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"{joined} at {hm}"


@dataclass(frozen=True)
class CheckinSpec:
    """What to send and when: the unit a person confirms and the store saves."""

    kind: Kind
    recurrence: Recurrence
    text: str = ""
    notes: tuple[str, ...] = field(default=(), compare=False)  # what the parser assumed, shown before saving

    @property
    def label(self) -> str:
        if self.kind == "reminder":
            return f"Reminder: {self.text}" if self.text else "Reminder"
        return KIND_LABELS[self.kind]

    def with_recurrence(self, rec: Recurrence) -> CheckinSpec:
        return replace(self, recurrence=rec)

    def to_args(self) -> dict[str, object]:
        """JSON-safe form (for a Save button's fixed arguments)."""
        r = self.recurrence
        return {
            "kind": self.kind,
            "text": self.text,
            "rule": r.rule,
            "hour": r.hour,
            "minute": r.minute,
            "tz": r.tz,
            "weekdays": list(r.days) if r.rule == "weekly" else [],
            "run_at": r.run_at.astimezone(UTC).isoformat() if r.run_at else None,
        }

    @classmethod
    def from_args(cls, data: dict[str, object]) -> CheckinSpec:
        run_at = data.get("run_at")
        days = data.get("weekdays")
        rec = Recurrence(
            rule=as_rule(data.get("rule")),
            hour=_int(data.get("hour")),
            minute=_int(data.get("minute")),
            tz=str(data.get("tz") or "UTC"),
            weekdays=tuple(_int(d) for d in days) if isinstance(days, list | tuple) and days else ALL_DAYS,
            run_at=datetime.fromisoformat(str(run_at)) if run_at else None,
        )
        return cls(kind=as_kind(data.get("kind") or "reminder"), recurrence=rec, text=str(data.get("text") or ""))


def as_kind(value: object) -> Kind:
    """`value` as a check-in kind (stored rows and button arguments carry it as a plain string)."""
    for kind in KINDS:
        if value == kind:
            return kind
    raise CheckinError(f"'{value}' is not a kind of check-in ({', '.join(KINDS)}).")


def as_rule(value: object) -> Rule:
    for rule in RULES:
        if value == rule:
            return rule
    raise CheckinError(f"'{value}' is not a check-in rule ({', '.join(RULES)}).")


def _int(value: object) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, int | float | str):
        try:
            return int(value)
        except ValueError:
            pass
    raise CheckinError(f"'{value}' is not a whole number.")


def format_local(instant: datetime, tz: str) -> str:
    """'Tue 25 Nov 20:00' in `tz`: how next runs are shown."""
    return f"{instant.astimezone(zone(tz)):%a %-d %b %H:%M}"
