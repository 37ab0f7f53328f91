"""The outbox: written before delivery, one row per occurrence however often it is fired, claims that
survive a crash, the per-person limit, readiness answers — on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from checkins import service
from checkins.parse import parse_request
from checkins.schedule import CheckinError
from storage import checkins as repo
from storage.accounts import create_account
from storage.engine import make_engine
from storage.migrate import current_heads, upgrade

T0 = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)


def _daily_8pm(account_id: int, engine, now: datetime = T0) -> int:
    specs = parse_request("remind me to log dinner at 8pm every day", now, "Europe/London")
    rows, created = service.save(account_id, specs, now=now, engine=engine)
    assert created
    return rows[0].id


def test_fire_writes_one_pending_row_per_occurrence(engine, account):
    sid = _daily_8pm(account.id, engine)
    assert service.fire(sid, now=T0 + timedelta(minutes=30), engine=engine) is None  # not due yet
    due = T0 + timedelta(hours=1, seconds=1)
    row = service.fire(sid, now=due, engine=engine)
    assert row is not None and row.status == "pending" and "log dinner" in row.text
    assert row.idempotency_key == f"{sid}@2026-11-24T20:00:00+00:00"
    assert not row.late
    # the timer, the catch-up and a second process all firing the same occurrence: still one row
    assert service.fire(sid, now=due, engine=engine) is None
    assert service.fire(sid, now=due + timedelta(minutes=10), engine=engine) is None
    assert [m.scheduled_for for m in repo.messages(account.id, engine=engine)] == [
        datetime(2026, 11, 24, 20, tzinfo=UTC)
    ]
    # the next day's occurrence is a new row
    assert service.fire(sid, now=due + timedelta(days=1), engine=engine) is not None
    assert repo.unread_count(account.id, engine) == 2


def test_concurrent_fires_yield_one_row(engine, account):
    sid = _daily_8pm(account.id, engine)
    due = T0 + timedelta(hours=1, seconds=5)
    results: list[object] = []

    def go() -> None:
        results.append(service.fire(sid, now=due, engine=engine))

    threads = [threading.Thread(target=go) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1
    assert len(repo.messages(account.id, engine=engine)) == 1


def test_downtime_coalesces_to_the_latest_missed_run_marked_late(engine, account):
    sid = _daily_8pm(account.id, engine)
    back = T0 + timedelta(days=3, hours=3)  # down for three evenings
    row = service.fire(sid, now=back, engine=engine)
    assert row is not None and row.late and "sent late" in row.text
    assert row.scheduled_for == datetime(2026, 11, 27, 20, tzinfo=UTC)
    assert service.fire(sid, now=back, engine=engine) is None
    assert len(repo.messages(account.id, engine=engine)) == 1


def test_a_move_or_restore_never_fires_the_past(engine, account):
    sid = _daily_8pm(account.id, engine)
    later = T0 + timedelta(hours=2)  # 21:00, after today's 20:00 which was never fired
    spec = parse_request("remind me to log dinner at 8:30pm every day", later, "Europe/London")[0]
    service.change(account.id, sid, spec, now=later, engine=engine)
    assert service.fire(sid, now=later, engine=engine) is None
    service.cancel(account.id, sid, now=later, engine=engine)
    assert service.fire(sid, now=later + timedelta(days=1), engine=engine) is None  # cancelled: nothing
    service.restore(account.id, sid, now=later + timedelta(days=1), engine=engine)
    assert service.fire(sid, now=later + timedelta(days=1), engine=engine) is None  # restored after 20:30
    assert service.fire(sid, now=later + timedelta(days=2), engine=engine) is not None


def test_claim_deliver_and_crash_recovery(engine, account):
    sid = _daily_8pm(account.id, engine)
    a = service.fire(sid, now=T0 + timedelta(hours=2), engine=engine)
    b = service.fire(sid, now=T0 + timedelta(days=1, hours=2), engine=engine)
    assert a and b
    now = T0 + timedelta(days=2)
    assert repo.claim(a.id, "s1", now=now, engine=engine)
    assert not repo.claim(a.id, "s2", now=now, engine=engine)  # one delivery wins
    assert repo.mark_delivered([a.id], "s1", now=now, engine=engine) == 1
    assert repo.mark_delivered([a.id], "s1", now=now, engine=engine) == 0
    # a process dies after claiming b: at the next start b is pending again (the chat never got it) ...
    assert repo.claim(b.id, "s1", now=now, engine=engine)
    assert repo.recover_sending(now + timedelta(minutes=5), engine) == (0, 1)
    assert [m.id for m in repo.pending_messages(account.id, engine)] == [b.id]
    # ... unless the chat history already holds the message under its deterministic id
    assert repo.claim(b.id, "s1", now=now, engine=engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO threads (\"id\", \"name\") VALUES ('t1', 'chat')"))
        conn.execute(
            text('INSERT INTO steps ("id", "name", "type", "threadId", "streaming") VALUES (:id, :n, :t, :th, :s)'),
            {"id": repo.message_step_id(b.id), "n": "Coach", "t": "assistant_message", "th": "t1", "s": False},
        )
    assert repo.recover_sending(now + timedelta(minutes=5), engine) == (1, 0)
    assert repo.pending_messages(account.id, engine) == []


def test_limit_of_active_checkins_has_a_clear_message(engine, account):
    now = T0
    saved = 0
    with pytest.raises(CheckinError, match=r"20 is the most I keep"):
        for i in range(100):
            specs = parse_request(f"remind me to drink water {i} at 8pm every day", now, "UTC")
            service.save(account.id, specs, now=now, engine=engine)
            saved += 1
    assert saved == service.MAX_ACTIVE
    assert repo.count_active(account.id, engine) == service.MAX_ACTIVE
    service.cancel(account.id, repo.list_schedules(account.id, engine=engine)[0].id, now=now, engine=engine)
    service.save(account.id, parse_request("remind me at 9pm every day", now, "UTC"), now=now, engine=engine)


def test_the_same_save_button_twice_saves_once(engine, account):
    specs = parse_request("turn on the morning readiness check and the Sunday review", T0, "UTC")
    rows, created = service.save(account.id, specs, now=T0, token="tok-123456", engine=engine)
    again, created2 = service.save(account.id, specs, now=T0, token="tok-123456", engine=engine)
    assert created and not created2
    assert sorted(r.id for r in again) == sorted(r.id for r in rows)
    assert repo.count_active(account.id, engine) == 2


def test_rows_are_per_person(engine, account):
    other = create_account("boxer", "correct-horse-2", engine=engine)
    sid = _daily_8pm(account.id, engine)
    assert repo.get_schedule(other.id, sid, engine) is None
    with pytest.raises(CheckinError):
        service.cancel(other.id, sid, now=T0, engine=engine)
    row = service.fire(sid, now=T0 + timedelta(hours=2), engine=engine)
    assert repo.get_message(other.id, row.id, engine) is None
    assert repo.pending_messages(other.id, engine) == []


def test_readiness_answers_one_per_day(engine, account):
    day = T0.date()
    repo.save_readiness(account.id, day, 2, now=T0, engine=engine)
    repo.save_readiness(account.id, day, 4, now=T0, engine=engine)
    assert repo.readiness_on(account.id, day, engine) == 4
    with pytest.raises(ValueError):
        repo.save_readiness(account.id, day, 6, now=T0, engine=engine)


@pytest.mark.integration
def test_outbox_on_postgres(pg_settings):
    engine = make_engine(pg_settings.db_url)
    upgrade(engine=engine)
    assert "checkins_0001" in current_heads(engine)
    account = create_account("pg-athlete", "correct-horse-1", engine=engine)
    sid = _daily_8pm(account.id, engine)
    due = T0 + timedelta(hours=1, seconds=5)
    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(service.fire(sid, now=due, engine=engine))) for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1
    [row] = repo.pending_messages(account.id, engine)
    assert row.scheduled_for == datetime(2026, 11, 24, 20, tzinfo=UTC)
    assert repo.claim(row.id, "s", now=due, engine=engine)
    assert repo.mark_delivered([row.id], "s", now=due, engine=engine) == 1
    engine.dispose()
