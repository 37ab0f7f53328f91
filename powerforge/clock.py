"""Local time from an IANA timezone name, the one rule every layer uses (core: imports nothing of the app).

A name that is empty or unknown reads as UTC, so a bad stored value never breaks a turn; code that must refuse
a bad name (scheduling a check-in) validates it itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The IANA zone `name`, or UTC when it is empty or not a zone."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return ZoneInfo("UTC")


def local_now(tz: str | None, now: datetime | None = None) -> datetime:
    """`now` (default: the current instant) on the clock of `tz`."""
    return (now or datetime.now(UTC)).astimezone(zone_or_utc(tz))


def local_today(tz: str | None, now: datetime | None = None) -> date:
    """The calendar day it is in `tz` at `now`."""
    return local_now(tz, now).date()
