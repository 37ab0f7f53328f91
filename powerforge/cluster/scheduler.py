"""The check-in scheduler as its own process (`python -m powerforge.cluster.scheduler`).

Run two: the one holding the Postgres advisory lock fires check-ins into the outbox, the other waits
and takes over when the leader dies. Neither holds a chat socket: after a write they publish a
"check-in pending" event on Redis, and the app process with the person's open chat delivers it from
the outbox (a claim there makes it exactly once); a person with no open chat gets it on the next visit.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal

from powerforge.cluster import events
from powerforge.config import get_settings

log = logging.getLogger("powerforge.scheduler")


async def run(reconcile_s: float) -> None:
    from checkins.scheduler import CheckinScheduler
    from storage.engine import engine_for

    settings = get_settings()
    conn = events.client(settings.redis_url)

    async def announce(account_id: int) -> None:
        await asyncio.to_thread(events.publish, conn, account_id, {"type": "checkin", "status": "pending"})

    sched = CheckinScheduler(engine_for(settings.db_url), deliver=announce, reconcile_s=reconcile_s)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await sched.start()
    log.warning("check-in scheduler pid %d started as %s", os.getpid(), "leader" if sched.leader else "standby")
    try:
        await stop.wait()
    finally:
        await sched.stop()
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reconcile-s", type=float, default=10.0, help="how often a standby tries to lead")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(run(args.reconcile_s))


if __name__ == "__main__":
    main()
