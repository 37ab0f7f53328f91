"""The check-in timer: APScheduler 3.11 on the app's event loop, jobs persisted in the app database.

How the pieces keep "never lost, never twice":
- `checkin_schedules` is the truth; APScheduler's persistent job store (`checkin_jobs`) is the timer.
  `reconcile` (at start, when a tool changes a schedule, and every `RECONCILE_S`) makes the jobs match
  the table, so schedules added by the CLI or another process are picked up too.
- A job fires `fire_job(schedule_id)`, which writes the due occurrence to the outbox (idempotency key
  = schedule id + scheduled instant) before anyone delivers it, then asks the app to deliver.
- Coalescing and a generous misfire grace make a restart or a sleep produce one message per
  schedule, not a flood; the catch-up in `reconcile` writes the latest missed occurrence if the timer
  lost it (process killed after APScheduler advanced the job but before the outbox write).
- Exactly one scheduler per process (`start` refuses a second), and one per database: a leader lock
  (a file lock beside a SQLite database, a Postgres advisory lock) lets only one process fire jobs;
  others only deliver what the outbox holds. On Postgres a standby tries the lock at every reconcile
  and takes over when the leader's session ends (a killed leader's lock goes with its connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import Engine, text

from checkins import service
from checkins.schedule import ALL_DAYS, Recurrence
from storage import checkins as repo
from storage.locks import session_engine
from storage.tables.checkins import CheckinSchedule

log = logging.getLogger(__name__)

JOB_TABLE = "checkin_jobs"
MISFIRE_GRACE_S = 7 * 24 * 3600  # a run missed by up to a week still fires (once: coalesced)
RECONCILE_S = 30.0
STALE_CLAIM = timedelta(minutes=2)  # a claim older than this belongs to a dead process
ADVISORY_KEY = 0x50464348  # "PFCH": the Postgres advisory lock of the check-in scheduler

Deliver = Callable[[int], Awaitable[Any]]


def job_id(account_id: int, schedule_id: int) -> str:
    """Jobs are keyed per user: one job per schedule, named by its account."""
    return f"checkin:{account_id}:{schedule_id}"


class CheckinTrigger(BaseTrigger):
    """An APScheduler trigger that asks `Recurrence` when to fire: one rule for display and timer."""

    def __init__(self, recurrence: Recurrence) -> None:
        self.recurrence = recurrence

    @classmethod
    def for_schedule(cls, row: CheckinSchedule) -> CheckinTrigger:
        return cls(service.spec_of(row).recurrence)

    @property
    def signature(self) -> str:
        r = self.recurrence
        run_at = r.run_at.isoformat() if r.run_at else ""
        return f"{r.rule}|{r.hour}|{r.minute}|{r.tz}|{','.join(map(str, r.days))}|{run_at}"

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        after = previous_fire_time if previous_fire_time is not None else now - timedelta(microseconds=1)
        return self.recurrence.next_run(after.astimezone(UTC))

    def __getstate__(self) -> dict[str, Any]:
        r = self.recurrence
        return {"version": 1, "rule": r.rule, "hour": r.hour, "minute": r.minute, "tz": r.tz,
                "weekdays": list(r.days), "run_at": r.run_at}  # fmt: skip

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.recurrence = Recurrence(
            state["rule"], state["hour"], state["minute"], state["tz"], tuple(state["weekdays"] or ALL_DAYS),
            state["run_at"],
        )  # fmt: skip

    def __str__(self) -> str:
        return f"checkin[{self.signature}]"


class _LeaderLock:
    """One firing scheduler per database: a file lock for SQLite, an advisory lock for Postgres."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._fd: int | None = None
        self._conn: Any = None

    def acquire(self) -> bool:
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            db = url.database or ""
            path = Path(db + ".checkins.lock") if db and db != ":memory:" else None
            if path is None:
                return True
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
            self._fd = fd
            return True
        if url.get_backend_name() == "postgresql":
            conn = session_engine(self.engine).connect()  # never through a transaction pooler
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar())
            conn.commit()
            if not got:
                conn.close()
                return False
            self._conn = conn
            return True
        return True

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                self._conn.close()
            self._conn = None


class _Current:
    scheduler: CheckinScheduler | None = None


async def fire_job(schedule_id: int) -> None:
    """The function every persisted job calls (a module-level reference, so jobs survive restarts)."""
    current = _Current.scheduler
    if current is None:
        log.warning("check-in %s fired with no scheduler running; the catch-up will write it", schedule_id)
        return
    await current.fire(schedule_id)


class CheckinScheduler:
    """Owns the AsyncIOScheduler of this process; `deliver(account_id)` pushes pending messages."""

    def __init__(
        self,
        engine: Engine,
        *,
        deliver: Deliver | None = None,
        reconcile_s: float = RECONCILE_S,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        can_lead: bool = True,
    ) -> None:
        self.engine = engine
        self.can_lead = can_lead  # False: only deliver (cluster app processes; the scheduler processes lead)
        self.deliver = deliver
        self.reconcile_s = reconcile_s
        self.clock = clock
        self.leader = False
        self._lock = _LeaderLock(engine)
        self._scheduler: AsyncIOScheduler | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._fire_locks: dict[int, asyncio.Lock] = {}
        self._reconciling = asyncio.Lock()

    # ------------------------------------------------------------------ life cycle
    async def start(self) -> CheckinScheduler:
        """Start on the running loop; the leader fires jobs, any other process only delivers."""
        if _Current.scheduler is not None and _Current.scheduler is not self:
            raise RuntimeError("a check-in scheduler already runs in this process")
        self._loop = asyncio.get_running_loop()
        self.leader = self.can_lead and await asyncio.to_thread(self._lock.acquire)
        stores: dict[str, Any] = {"memory": MemoryJobStore()}
        if self.leader:
            stores["default"] = SQLAlchemyJobStore(engine=self.engine, tablename=JOB_TABLE)
        else:
            log.warning("another process runs the check-in scheduler for this database; this one only delivers")
        self._scheduler = AsyncIOScheduler(
            jobstores=stores,
            job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_S, "max_instances": 1},
            timezone=UTC,
            event_loop=self._loop,
        )
        _Current.scheduler = self
        if self.leader:
            delivered, released = await asyncio.to_thread(repo.recover_sending, self.clock() - STALE_CLAIM, self.engine)
            if delivered or released:
                log.warning("settled %d interrupted deliveries (%d already shown, %d pending again)",
                            delivered + released, delivered, released)  # fmt: skip
        self._scheduler.start()
        self._scheduler.add_job(
            self.reconcile, "interval", seconds=self.reconcile_s, id="checkins:reconcile", jobstore="memory",
            replace_existing=True, next_run_time=datetime.now(UTC) + timedelta(seconds=self.reconcile_s),
        )  # fmt: skip
        await self.reconcile()
        return self

    async def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
        await asyncio.to_thread(self._lock.release)
        if _Current.scheduler is self:
            _Current.scheduler = None

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def jobs(self) -> list[Any]:
        """The persisted jobs (for tests and `powerforge checkin list`)."""
        if self._scheduler is None or not self.leader:
            return []
        return list(self._scheduler.get_jobs(jobstore="default"))

    # ------------------------------------------------------------------ work
    def notify(self) -> None:
        """Schedules changed (any thread): reconcile soon on the scheduler's loop."""
        if self._loop is None or self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self.reconcile()))

    async def _try_lead(self) -> None:
        """A standby on Postgres takes the advisory lock once the leader is gone, then fires jobs itself."""
        if self.leader or not self.can_lead or self._scheduler is None:
            return
        if self.engine.url.get_backend_name() != "postgresql":
            return
        if not await asyncio.to_thread(self._lock.acquire):
            return
        try:
            with contextlib.suppress(KeyError):  # the standby's placeholder (APScheduler adds a memory store)
                self._scheduler.remove_jobstore("default")
            self._scheduler.add_jobstore(SQLAlchemyJobStore(engine=self.engine, tablename=JOB_TABLE), "default")
        except Exception:
            await asyncio.to_thread(self._lock.release)  # let another standby try
            raise
        self.leader = True
        log.warning("the check-in scheduler's leader is gone; this process (pid %d) fires check-ins now", os.getpid())
        await asyncio.to_thread(repo.recover_sending, self.clock() - STALE_CLAIM, self.engine)

    async def reconcile(self) -> None:
        """Make the persisted jobs match the active schedules, write missed occurrences, deliver."""
        async with self._reconciling:
            try:
                await self._try_lead()
                if self.leader and self._scheduler is not None:
                    rows = await asyncio.to_thread(repo.active_schedules, self.engine)
                    self._sync_jobs(rows)
                    now = self.clock()
                    for row in rows:
                        if service.due(row, now) is not None:
                            await self.fire(service.schedule_id(row))
                if self.deliver is not None:
                    for account_id in await asyncio.to_thread(repo.accounts_with_pending, self.engine):
                        await self.deliver(account_id)
            except Exception:
                log.exception("check-in reconcile failed; it runs again in %.0f s", self.reconcile_s)

    def _sync_jobs(self, rows: list[CheckinSchedule]) -> None:
        assert self._scheduler is not None
        existing = {j.id: j for j in self._scheduler.get_jobs(jobstore="default")}
        wanted: set[str] = set()
        for row in rows:
            jid = job_id(row.account_id, service.schedule_id(row))
            wanted.add(jid)
            trigger = CheckinTrigger.for_schedule(row)
            job = existing.get(jid)
            if job is not None and getattr(job.trigger, "signature", None) == trigger.signature:
                continue
            if trigger.get_next_fire_time(None, self.clock()) is None:
                if job is not None:
                    self._scheduler.remove_job(jid, jobstore="default")
                continue  # a one-off whose time has passed: the catch-up writes it
            self._scheduler.add_job(
                fire_job, trigger, args=[row.id], id=jid, name=f"checkin {row.kind} #{row.id}",
                jobstore="default", replace_existing=True,
            )  # fmt: skip
        for jid in set(existing) - wanted:
            self._scheduler.remove_job(jid, jobstore="default")

    async def fire(self, schedule_id: int) -> None:
        """Write the due occurrence (at most once) and hand its account to delivery."""
        lock = self._fire_locks.setdefault(schedule_id, asyncio.Lock())
        async with lock:
            row = await asyncio.to_thread(service.fire, schedule_id, now=self.clock(), engine=self.engine)
        if row is not None:
            log.info("check-in %s #%s written to the outbox for %s (pid %d)", row.kind, row.schedule_id,
                     row.scheduled_for.isoformat(), os.getpid())  # fmt: skip
            if self.deliver is not None:
                try:
                    await self.deliver(row.account_id)
                except Exception:
                    log.exception("delivering check-in %s failed; it stays pending", row.id)


def current() -> CheckinScheduler | None:
    """This process's scheduler, if one runs."""
    return _Current.scheduler


def notify_changed() -> None:
    """Called after a schedule was saved, moved or cancelled (from any thread)."""
    sched = _Current.scheduler
    if sched is not None:
        sched.notify()
