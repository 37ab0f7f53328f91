"""A stand-in app process for the cluster tests: the real CeleryJobRunner and OutboxRelay, with an
'open chat' that prints each outbox message it shows (claimed first, as the web app's push does)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from datetime import UTC, datetime

from powerforge.cluster.delivery import OutboxRelay
from powerforge.cluster.runner import CeleryJobRunner
from powerforge.config import get_settings
from storage import checkins as repo
from storage.engine import engine_for

CHAT = os.environ.get("CHAT_ID", "chat-b")


async def main() -> None:
    settings = get_settings()
    engine = engine_for(settings.db_url)
    runner = CeleryJobRunner(settings, engine=engine)
    loop = asyncio.get_running_loop()

    async def push(account_id: int) -> None:
        for row in await asyncio.to_thread(repo.pending_messages, account_id, engine):
            if await asyncio.to_thread(repo.claim, row.id, CHAT, now=datetime.now(UTC), engine=engine):
                print(json.dumps({"shown": row.text, "outbox_id": row.id, "kind": row.kind}), flush=True)
                await asyncio.to_thread(repo.mark_delivered, [row.id], CHAT, now=datetime.now(UTC), engine=engine)

    runner.on_account_event(OutboxRelay(push, loop, grace_s=float(os.environ.get("RELAY_GRACE_S", "2"))))
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()
    runner.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
