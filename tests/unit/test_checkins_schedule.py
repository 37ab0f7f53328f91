"""Next-run arithmetic in the person's timezone, across DST changes, and agreement with the timer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from checkins.schedule import Recurrence
from checkins.scheduler import CheckinTrigger

LONDON = ZoneInfo("Europe/London")


def local(dt: datetime, tz: ZoneInfo = LONDON) -> datetime:
    return dt.astimezone(tz)


def runs(rec: Recurrence, start: datetime, n: int) -> list[datetime]:
    out, at = [], start
    for _ in range(n):
        nxt = rec.next_run(at)
        assert nxt is not None
        out.append(nxt)
        at = nxt
    return out


@pytest.mark.parametrize(
    ("start", "utc_hours"),
    [
        # last Sunday of March 2026 (29th): GMT → BST; 20:00 local is 20:00 UTC before, 19:00 UTC after
        (datetime(2026, 3, 27, 12, tzinfo=UTC), [20, 20, 19, 19]),
        # last Sunday of October 2026 (25th): BST → GMT; 20:00 local is 19:00 UTC before, 20:00 UTC after
        (datetime(2026, 10, 23, 12, tzinfo=UTC), [19, 19, 20, 20]),
    ],
)
def test_8pm_stays_8pm_local_across_dst(start, utc_hours):
    rec = Recurrence("daily", 20, 0, "Europe/London")
    fired = runs(rec, start, 4)
    assert [local(f).hour for f in fired] == [20, 20, 20, 20]
    assert [f.hour for f in fired] == utc_hours
    assert [f.day for f in fired] == [start.day + i for i in range(4)]


def test_wall_time_in_the_spring_gap_fires_once_after_it_opens():
    rec = Recurrence("daily", 1, 30, "Europe/London")  # 01:30 does not exist on 29 Mar 2026
    fired = runs(rec, datetime(2026, 3, 28, 12, tzinfo=UTC), 3)
    assert [f.isoformat() for f in fired] == [
        "2026-03-29T01:30:00+00:00",  # = 02:30 BST, the first minute after the gap plus 30 min
        "2026-03-30T00:30:00+00:00",
        "2026-03-31T00:30:00+00:00",
    ]


def test_repeated_wall_time_in_autumn_fires_once():
    rec = Recurrence("daily", 1, 30, "Europe/London")  # 01:30 happens twice on 25 Oct 2026
    fired = runs(rec, datetime(2026, 10, 24, 12, tzinfo=UTC), 3)
    assert [f.date().isoformat() for f in fired] == ["2026-10-25", "2026-10-26", "2026-10-27"]
    assert fired[0] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 01:30 (BST)


def test_weekly_and_previous_run():
    rec = Recurrence("weekly", 18, 0, "Europe/London", (6,))
    tue = datetime(2026, 11, 24, 12, tzinfo=UTC)
    assert rec.next_run(tue) == datetime(2026, 11, 29, 18, tzinfo=UTC)
    assert rec.previous_run(tue) == datetime(2026, 11, 22, 18, tzinfo=UTC)
    assert rec.previous_run(datetime(2026, 11, 29, 18, tzinfo=UTC)) == datetime(2026, 11, 29, 18, tzinfo=UTC)
    once = Recurrence("once", tz="UTC", run_at=tue)
    assert once.next_run(tue - timedelta(seconds=1)) == tue
    assert once.next_run(tue) is None
    assert once.previous_run(tue) == tue


@pytest.mark.parametrize("tz", ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"])
def test_agrees_with_apscheduler_cron_for_a_year(tz):
    """The confirmation's "next:" and the timer must agree on every day of a year with two DST changes."""
    rec = Recurrence("weekly", 20, 15, tz, (0, 2, 4, 6))
    cron = CronTrigger(day_of_week="mon,wed,fri,sun", hour=20, minute=15, timezone=ZoneInfo(tz))
    ours = CheckinTrigger(rec)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    prev_ours = prev_cron = None
    for _ in range(210):
        a = ours.get_next_fire_time(prev_ours, at)
        b = cron.get_next_fire_time(prev_cron, at)
        assert a is not None and b is not None
        assert a == b.astimezone(UTC)
        prev_ours, prev_cron, at = a, b, a


def test_trigger_survives_pickling():
    import pickle

    trig = CheckinTrigger(Recurrence("weekly", 7, 0, "Europe/London", (0, 3)))
    again = pickle.loads(pickle.dumps(trig))
    assert again.signature == trig.signature
    now = datetime(2026, 11, 24, tzinfo=UTC)
    assert again.get_next_fire_time(None, now) == trig.get_next_fire_time(None, now)
