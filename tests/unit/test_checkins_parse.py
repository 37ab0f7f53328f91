"""Plain English → check-in specs: times, recurrences, defaults, and the questions asked back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from checkins.parse import AmbiguousTime, MissingTime, PastTime, parse_change, parse_request
from checkins.schedule import CheckinError, CheckinSpec, InvalidTimezone, Recurrence

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # a Tuesday; London is on GMT (UTC+0)
LONDON = "Europe/London"


def one(text: str, tz: str = LONDON, now: datetime = NOW, **kw) -> CheckinSpec:
    specs = parse_request(text, now, tz, **kw)
    assert len(specs) == 1, specs
    return specs[0]


@pytest.mark.parametrize(
    ("text", "kind", "words", "described"),
    [
        ("remind me to log dinner at 8pm every day", "reminder", "log dinner", "Daily at 20:00"),
        ("Remind me to log dinner at 20:00 daily", "reminder", "log dinner", "Daily at 20:00"),
        ("send me a weekly review every Sunday at 6pm", "weekly_review", "", "Sundays at 18:00"),
        ("ask me how I slept every morning at 7", "readiness", "", "Daily at 07:00"),
        ("remind me to take the dog out at 8pm every night", "reminder", "take the dog out", "Daily at 20:00"),
        (
            "remind me to weigh in every monday and thursday at 07:30",
            "reminder",
            "weigh in",
            "Mondays and Thursdays at 07:30",
        ),
        ("remind me to take creatine on weekdays at 9am", "reminder", "take creatine", "Weekdays at 09:00"),
        ("remind me to meal prep on sundays at 4.30pm", "reminder", "meal prep", "Sundays at 16:30"),
        ("tell me if I missed meals every day at 9pm", "missing_meals", "", "Daily at 21:00"),
        ("send me today's workout every morning at 6:15", "workout", "", "Daily at 06:15"),
        ("every night at 11 remind me to go to bed", "reminder", "go to bed", "Daily at 23:00"),
        ("remind me to stretch every day at noon", "reminder", "stretch", "Daily at 12:00"),
    ],
)
def test_recurring_requests(text, kind, words, described):
    spec = one(text)
    assert spec.kind == kind
    assert spec.text == words
    assert spec.recurrence.describe() == described
    assert spec.recurrence.tz == LONDON


def test_one_offs_relative_and_dated():
    spec = one("remind me to drink water in 1 minute")
    assert spec.recurrence.rule == "once" and spec.recurrence.run_at == NOW + timedelta(minutes=1)
    assert spec.text == "drink water"
    assert one("remind me to check the oven in half an hour").recurrence.run_at == NOW + timedelta(minutes=30)
    assert one("remind me in 45 seconds to breathe").recurrence.run_at == NOW + timedelta(seconds=45)
    tomorrow = one("remind me to stretch tomorrow at 7am").recurrence.run_at
    assert tomorrow == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    xmas = one("remind me to pack my bag on 25 December at 10am").recurrence
    assert xmas.run_at == datetime(2026, 12, 25, 10, 0, tzinfo=UTC)
    friday = one("remind me to deload on Friday at 6pm").recurrence.run_at
    assert friday == datetime(2026, 11, 27, 18, 0, tzinfo=UTC)


def test_bare_time_today_or_tomorrow():
    assert one("remind me at 9pm to call mum").recurrence.run_at == datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
    late = one("remind me at 9am to call mum")  # 09:00 has passed today: tomorrow, and it says so
    assert late.recurrence.run_at == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert any("tomorrow" in n for n in late.notes)


def test_times_are_in_the_persons_timezone():
    spec = one("remind me to eat at 8pm every day", tz="America/New_York")
    nxt = spec.recurrence.next_run(NOW)
    assert nxt == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 20:00 EST = 01:00 UTC next day
    other = one("remind me to eat at 11am in Asia/Tokyo every day")
    assert other.recurrence.tz == "Asia/Tokyo"


def test_ambiguous_hour_asks_am_or_pm():
    with pytest.raises(AmbiguousTime) as e:
        parse_request("remind me to log dinner at 8", NOW, LONDON)
    assert (e.value.hour, e.value.minute) == (8, 0)
    assert "8:00 am or 8:00 pm" in str(e.value)
    with pytest.raises(AmbiguousTime):
        parse_request("remind me to stretch at 7:30 every day", NOW, LONDON)
    assert one("remind me to log dinner at 8", ampm="pm").recurrence.run_at == datetime(2026, 11, 24, 20, tzinfo=UTC)
    # a word of the day settles it; 24-hour clocks never ask
    assert one("every morning at 7 remind me to weigh in").recurrence.hour == 7
    assert one("remind me tonight at 9 to stretch").recurrence.run_at == datetime(2026, 11, 24, 21, tzinfo=UTC)
    assert one("remind me at 08:00 every day to weigh in").recurrence.hour == 8


def test_past_and_impossible_times_are_refused():
    with pytest.raises(PastTime, match="already passed"):
        parse_request("remind me to pack my bag today at 9am", NOW, LONDON)
    with pytest.raises(PastTime):
        parse_request("remind me yesterday at 5pm", NOW, LONDON)
    with pytest.raises(PastTime, match="too soon"):
        parse_request("remind me in 2 seconds", NOW, LONDON)
    with pytest.raises(CheckinError, match="not a time"):
        parse_request("remind me at 13pm every day", NOW, LONDON)
    with pytest.raises(MissingTime, match="When should I send it"):
        parse_request("remind me to log dinner", NOW, LONDON)


def test_invalid_timezones():
    with pytest.raises(InvalidTimezone, match="Mars/Olympus"):
        parse_request("remind me at 8pm Mars/Olympus time", NOW, LONDON)
    with pytest.raises(InvalidTimezone, match="Europe/London"):
        parse_request("remind me at 8pm", NOW, "Not/AZone")


def test_defaults_turned_on_in_one_sentence():
    specs = parse_request("turn on the morning readiness check and the Sunday review", NOW, LONDON)
    assert [s.kind for s in specs] == ["readiness", "weekly_review"]
    assert specs[0].recurrence.describe() == "Daily at 07:00"
    assert specs[1].recurrence.describe() == "Sundays at 18:00"
    assert all(s.notes for s in specs)  # the picked times are shown before saving


def test_moving_keeps_the_half_of_the_day():
    dinner = CheckinSpec("reminder", Recurrence("daily", 20, 0, LONDON), "log dinner")
    assert parse_change("move the dinner one to 8:30", dinner, NOW).recurrence.describe() == "Daily at 20:30"
    assert parse_change("move it to 6:30am", dinner, NOW).recurrence.describe() == "Daily at 06:30"
    assert parse_change("make it weekdays", dinner, NOW).recurrence.describe() == "Weekdays at 20:00"
    assert parse_change("change it to every Sunday at 9am", dinner, NOW).recurrence.describe() == "Sundays at 09:00"
    with pytest.raises(MissingTime):
        parse_change("move the dinner one", dinner, NOW)


def test_spec_round_trips_through_button_args():
    for text in ["remind me to log dinner at 8pm every day", "remind me in 10 minutes to stretch",
                 "send me a weekly review every Sunday at 6pm"]:  # fmt: skip
        spec = one(text)
        again = CheckinSpec.from_args(spec.to_args())
        assert again == spec
