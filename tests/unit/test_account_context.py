"""One resolver for who is asking and when: timezone, local now/today and unit system come from the account row,
with UTC for an unset or unknown zone, and every older helper agrees with it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from storage.accounts import account_context, update_profile

# 23:30 UTC on 1 March is already 2 March in Auckland and still 1 March in Los Angeles
INSTANT = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)


def test_today_is_the_persons_local_day(engine, account):
    update_profile(account.id, {"timezone": "Pacific/Auckland", "unit_system": "imperial"}, engine)
    ctx = account_context(account.id, engine, INSTANT)
    assert (ctx.timezone, ctx.today, ctx.mass_unit) == ("Pacific/Auckland", date(2026, 3, 2), "lb")
    assert ctx.now.utcoffset() is not None and ctx.now == INSTANT
    update_profile(account.id, {"timezone": "America/Los_Angeles", "unit_system": "metric"}, engine)
    ctx = account_context(account.id, engine, INSTANT)
    assert (ctx.today, ctx.mass_unit, ctx.unit_system) == (date(2026, 3, 1), "kg", "metric")


def test_unknown_zone_or_account_reads_as_utc(engine, account):
    with engine.begin() as conn:  # a bad name stored before validation existed
        conn.exec_driver_sql("UPDATE accounts SET timezone = 'Mars/Olympus' WHERE id = ?", (account.id,))
    ctx = account_context(account.id, engine, INSTANT)
    assert (ctx.timezone, ctx.stored_timezone, ctx.today) == ("UTC", "Mars/Olympus", date(2026, 3, 1))
    missing = account_context(account.id + 999, engine, INSTANT)
    assert (missing.timezone, missing.stored_timezone, missing.mass_unit) == ("UTC", None, "kg")


def test_the_older_helpers_call_the_resolver(engine, account):
    from nutrition.diary import local_now
    from storage.analytics import account_timezone
    from storage.training import account_tz, display_unit
    from training.schedule import local_today

    update_profile(account.id, {"timezone": "Pacific/Auckland", "unit_system": "imperial"}, engine)
    assert account_tz(account.id, engine) == account_timezone(account.id, engine) == "Pacific/Auckland"
    assert display_unit(account.id, engine) == "lb"
    assert local_now(account.id, engine, INSTANT).date() == date(2026, 3, 2)
    assert local_today("Pacific/Auckland", INSTANT) == date(2026, 3, 2)
    assert local_today("", INSTANT) == local_today("Not/AZone", INSTANT) == date(2026, 3, 1)
