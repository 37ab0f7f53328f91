"""The real APScheduler on an event loop with its job store in a real SQLite database: jobs persist
across restarts, a missed run fires once, a process killed after writing and before sending loses
nothing, and only one scheduler fires per process and per database."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from checkins import service
from checkins.parse import parse_request
from checkins.schedule import CheckinSpec, Recurrence
from checkins.scheduler import CheckinScheduler, _LeaderLock, job_id
from storage import checkins as repo

pytestmark = pytest.mark.slow


class Inbox:
    """Delivery through the outbox protocol the web app uses (claim → show → mark delivered)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.shown: list[str] = []

    async def __call__(self, account_id: int) -> None:
        for row in repo.pending_messages(account_id, self.engine):
            now = datetime.now(UTC)
            if repo.claim(row.id, "test-session", now=now, engine=self.engine):
                self.shown.append(row.text)
                repo.mark_delivered([row.id], "test-session", now=now, engine=self.engine)


def _save(account_id: int, engine, request: str, now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    rows, _ = service.save(account_id, parse_request(request, now, "UTC"), now=now, engine=engine)
    return rows[0].id


def _save_once(account_id: int, engine, words: str, seconds: float) -> int:
    """A one-off due sooner than chat allows (the parser wants at least 10 s), to keep the test short."""
    now = datetime.now(UTC)
    rec = Recurrence("once", tz="UTC", run_at=now + timedelta(seconds=seconds))
    rows, _ = service.save(account_id, [CheckinSpec("reminder", rec, words)], now=now, engine=engine)
    return rows[0].id


def _job_rows(engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT id FROM checkin_jobs"))]


async def _wait_for(predicate, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.1)


async def test_persisted_job_fires_after_a_restart(engine, account):
    sid = _save_once(account.id, engine, "stretch", 3)
    first = await CheckinScheduler(engine, deliver=Inbox(engine)).start()
    assert _job_rows(engine) == [job_id(account.id, sid)]  # keyed per user, in the app database
    await first.stop()  # the app stops before the reminder is due
    assert _job_rows(engine) == [job_id(account.id, sid)]

    inbox = Inbox(engine)
    second = await CheckinScheduler(engine, deliver=inbox).start()
    try:
        await _wait_for(lambda: inbox.shown, timeout=20)
        assert inbox.shown == ["⏰ **Reminder:** stretch"]
        assert _job_rows(engine) == []  # a one-off's job is gone once it fired
    finally:
        await second.stop()
    third = await CheckinScheduler(engine, deliver=inbox).start()
    await third.stop()
    assert len(repo.messages(account.id, engine=engine)) == 1


async def test_runs_missed_while_down_arrive_once(engine, account):
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    daily = _save(account.id, engine, "remind me to log dinner at 8pm every day", now=three_days_ago)
    once = _save(account.id, engine, "remind me to call mum in 1 hour", now=three_days_ago)
    inbox = Inbox(engine)
    sched = await CheckinScheduler(engine, deliver=inbox).start()
    await sched.stop()
    rows = {r.schedule_id: r for r in repo.messages(account.id, engine=engine)}
    assert set(rows) == {daily, once}  # one message each: no flood of three dinners
    assert rows[daily].late and rows[once].late
    assert len(inbox.shown) == 2
    again = await CheckinScheduler(engine, deliver=inbox).start()
    await again.stop()
    assert len(repo.messages(account.id, engine=engine)) == 2 and len(inbox.shown) == 2


async def test_a_new_schedule_is_picked_up_without_waiting_for_the_sweep(engine, account, settings):
    from agent.tools.base import ToolContext, load_tools

    sched = await CheckinScheduler(engine, reconcile_s=3600).start()
    try:
        tools = load_tools()
        ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, now=datetime.now(UTC))
        preview = tools["checkin_create"].run(ctx, tools["checkin_create"].args_model(request="remind me at 9pm daily"))
        save = preview.actions[0]
        await asyncio.to_thread(tools[save.tool].run, ctx, tools[save.tool].args_model(**save.args))
        await _wait_for(lambda: len(sched.jobs()) == 1, timeout=5)
        assert sched.jobs()[0].next_run_time.astimezone(UTC).hour == 21
    finally:
        await sched.stop()


async def test_killed_between_writing_and_sending_loses_nothing_and_doubles_nothing(engine, account, settings):
    due = _save(account.id, engine, "remind me to drink water in 1 hour", now=datetime.now(UTC) - timedelta(hours=2))
    script = textwrap.dedent(
        f"""
        import asyncio, os
        from checkins.scheduler import CheckinScheduler
        from storage.engine import make_engine

        async def die(account_id):  # the process is killed right after the outbox write
            os._exit(17)

        async def main():
            await CheckinScheduler(make_engine({settings.db_url!r}), deliver=die).start()
            await asyncio.sleep(30)

        asyncio.run(main())
        """
    )
    proc = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == 17, proc.stderr.decode()[-2000:]
    [row] = repo.messages(account.id, engine=engine)
    assert row.status == "pending" and row.schedule_id == due  # written, not lost

    inbox = Inbox(engine)
    sched = await CheckinScheduler(engine, deliver=inbox).start()  # the app comes back
    await sched.stop()
    again = await CheckinScheduler(engine, deliver=inbox).start()
    await again.stop()
    assert inbox.shown == [row.text]  # shown exactly once
    [after] = repo.messages(account.id, engine=engine)
    assert after.status == "delivered"


async def test_one_scheduler_per_process_and_one_leader_per_database(engine):
    first = await CheckinScheduler(engine).start()
    try:
        with pytest.raises(RuntimeError, match="already runs"):
            await CheckinScheduler(engine).start()
        other = _LeaderLock(engine)  # what a second app process on the same database would try
        assert not other.acquire()
        assert first.leader
    finally:
        await first.stop()
    later = _LeaderLock(engine)
    assert later.acquire()
    later.release()


@pytest.mark.integration
async def test_leader_lock_on_postgres(pg_settings):
    from storage.engine import make_engine
    from storage.migrate import upgrade

    engine = make_engine(pg_settings.db_url)
    upgrade(engine=engine)
    a, b = _LeaderLock(engine), _LeaderLock(engine)
    assert a.acquire()
    assert not b.acquire()
    a.release()
    assert b.acquire()
    b.release()
    engine.dispose()


@pytest.mark.integration
async def test_scheduler_persists_and_fires_on_postgres(pg_settings):
    from storage.accounts import create_account
    from storage.engine import make_engine
    from storage.migrate import upgrade

    engine = make_engine(pg_settings.db_url)
    upgrade(engine=engine)
    account = create_account("pg-athlete", "correct-horse-1", engine=engine)
    sid = _save_once(account.id, engine, "stretch", 3)
    first = await CheckinScheduler(engine).start()
    await first.stop()
    assert _job_rows(engine) == [job_id(account.id, sid)]
    inbox = Inbox(engine)
    second = await CheckinScheduler(engine, deliver=inbox).start()
    try:
        await _wait_for(lambda: inbox.shown, timeout=20)
    finally:
        await second.stop()
    assert inbox.shown == ["⏰ **Reminder:** stretch"]
    engine.dispose()
