"""`GET /health` of the embedded server is answered at its HTTP edge, before the model's lock: a busy
server says it is alive, which is how clients tell busy from dead."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "llm_server"))

from pf_llm.serve import NormaliseChatRequests


def test_health_is_answered_without_the_app():
    reached: list[str] = []

    async def busy_app(scope, receive, send) -> None:  # stands for a server whose model lock is held
        reached.append(scope["path"])
        await asyncio.sleep(3600)

    async def main() -> httpx.Response:
        transport = httpx.ASGITransport(app=NormaliseChatRequests(busy_app))
        async with httpx.AsyncClient(transport=transport, base_url="http://llm") as client:
            return await asyncio.wait_for(client.get("/health"), 5)

    response = asyncio.run(main())
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert reached == []
