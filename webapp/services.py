"""The app's long-lived services, opened once on the server's event loop and closed on shutdown.

The coach (graph + checkpointer) and the job runner (process pool) are created at startup, after
the database has been migrated; handlers get them through `services()`.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass

from agent.runner import Coach
from checkins.scheduler import CheckinScheduler
from powerforge.config import Settings
from powerforge.jobs import JobRunner, make_runner
from storage.jobs import fail_interrupted
from storage.migrate import upgrade

log = logging.getLogger("powerforge.services")


@dataclass
class Services:
    coach: Coach
    jobs: JobRunner
    checkins: CheckinScheduler | None = None


class _State:
    services: Services | None = None
    stack: AsyncExitStack | None = None
    lock = asyncio.Lock()
    settings: Settings | None = None


async def startup_services(settings: Settings) -> Services:
    """Migrate, mark jobs that a crash interrupted, then open the coach and the job runner."""
    async with _State.lock:
        if _State.services is not None:
            return _State.services
        await asyncio.to_thread(upgrade, settings.db_url)
        # Cluster mode: workers own running jobs and outlive this process (a redelivery finishes them).
        interrupted = 0 if settings.jobs_backend == "celery" else await asyncio.to_thread(fail_interrupted)
        if interrupted:
            log.warning("%d job(s) were interrupted by the last shutdown; their uploads are kept", interrupted)
        await asyncio.to_thread(_warm_shortlist)
        stack = AsyncExitStack()
        jobs = make_runner(settings)  # the local pool by default; Celery workers when JOBS_BACKEND=celery
        stack.callback(jobs.shutdown)
        coach = await stack.enter_async_context(Coach.open(settings, jobs=jobs))
        from webapp.checkins import start_scheduler  # the check-in timer runs on this (the server's) loop

        checkins = await start_scheduler(settings)
        stack.push_async_callback(checkins.stop)
        if settings.jobs_backend == "celery":  # job notices and check-ins from other processes reach open chats
            from powerforge.cluster.delivery import OutboxRelay
            from webapp.checkins import push_pending

            jobs.on_account_event(OutboxRelay(push_pending, asyncio.get_running_loop()))
        _State.services, _State.stack, _State.settings = Services(coach, jobs, checkins), stack, settings
        return _State.services


def _warm_shortlist() -> None:
    """Embed the tools' examples now, not on the first message the model has to route."""
    from agent.router import routable
    from agent.shortlist import shortlist_for
    from agent.tools.base import load_tools

    try:
        shortlist_for(routable(load_tools()))
    except Exception:  # the graph falls back to the whole catalogue
        log.warning("could not build the semantic shortlist", exc_info=True)


async def services() -> Services:
    if _State.services is None:
        from powerforge.config import get_settings

        return await startup_services(_State.settings or get_settings())
    return _State.services


async def shutdown_services() -> None:
    async with _State.lock:
        if _State.stack is not None:
            await _State.stack.aclose()
        _State.services = _State.stack = None
