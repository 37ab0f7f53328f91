"""The model factory: every LLM the app talks to is an OpenAI-compatible server at `LLM_BASE_URL`.

The embedded llama.cpp server, vLLM, Ollama or a hosted endpoint are interchangeable by `.env`.
LangChain's `ChatOpenAI` is the one client: the chat graph uses it, and so does every structured call
(`agent.structured`: the graph's arguments, analytics queries, program drafting). It sends its
requests through `agent.llm_queue.QueuedTransport`: one queue per server that knows its length, a
watchdog that tells a busy server from a dead one, a wait while a supervised server restarts, and
grammar-safe tool schemas.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
from langchain_openai import ChatOpenAI

from agent.llm_queue import QueuedTransport, QueuePolicy
from powerforge.config import Settings, get_settings


def queue_policy(settings: Settings) -> QueuePolicy:
    """How requests to `settings.llm_base_url` are queued and when a dead server is waited for."""

    def supervised() -> bool:
        from models.llm_server import supervisor_running

        return supervisor_running(settings)

    return QueuePolicy(slots=parallel_slots(settings), supervised=supervised)


def parallel_slots(settings: Settings) -> int:
    """Requests sent to the server at once. The embedded llama-cpp-python server has one model behind one
    lock (no parallel slots: a second request only waits inside the server), so 1; a server of one's own
    (vLLM, Ollama, hosted) batches requests: LLM_PARALLEL, default 8."""
    value = os.environ.get("LLM_PARALLEL") or ("1" if settings.llm_embedded else "8")
    try:
        return max(1, int(value))
    except ValueError:
        return 1


def http_client(settings: Settings) -> httpx.AsyncClient:
    """An httpx client whose chat-completion requests go through the server's queue."""
    transport = QueuedTransport(settings.llm_base_url, queue_policy(settings))
    return httpx.AsyncClient(transport=transport, timeout=settings.llm_timeout_s)


def chat_model(settings: Settings | None = None, **overrides: Any) -> ChatOpenAI:
    """The chat model for the agent graph (tool calling through the OpenAI API)."""
    s = settings or get_settings()
    params: dict[str, Any] = {
        "base_url": s.llm_base_url,
        "api_key": s.llm_api_key,
        "model": s.llm_model,
        "timeout": s.llm_timeout_s,
        "max_retries": s.llm_max_retries,
        "temperature": s.llm_temperature,
        "max_tokens": s.llm_max_tokens,
        # Forced tool calls arrive whole; only plain replies are worth streaming to the user.
        "disable_streaming": "tool_calling",
        # Between two streamed tokens; waiting for a slot and for the first token is the queue's job.
        "stream_chunk_timeout": s.llm_timeout_s,
        "http_async_client": http_client(s),
    }
    params.update(overrides)
    return ChatOpenAI(**params)


async def server_ready(settings: Settings | None = None, timeout_s: float = 2.0) -> bool:
    """True when the LLM server answers `GET /models` (used for health checks and clear errors)."""
    s = settings or get_settings()
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            r = await client.get(s.llm_base_url.rstrip("/") + "/models",
                                 headers={"Authorization": f"Bearer {s.llm_api_key}"})  # fmt: skip
            return r.status_code == 200
    except httpx.HTTPError:
        return False
