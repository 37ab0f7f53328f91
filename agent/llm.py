"""The model factory: every LLM the app talks to is an OpenAI-compatible server at `LLM_BASE_URL`.

The embedded llama.cpp server, vLLM, Ollama or a hosted endpoint are interchangeable by `.env`.
LangChain's `ChatOpenAI` drives the chat graph; a pydantic-ai model on the same URL does structured
extraction (a typed object out of a sentence, validated and retried by pydantic-ai).
"""

from __future__ import annotations

from typing import Any

import httpx
from langchain_openai import ChatOpenAI
from pydantic_ai import Agent
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider
from pydantic_ai.settings import ModelSettings

from powerforge.config import Settings, get_settings


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
        # A slow CPU model can be silent for a while before its first token: wait as long as a request.
        "stream_chunk_timeout": s.llm_timeout_s,
    }
    params.update(overrides)
    return ChatOpenAI(**params)


def pydantic_model(settings: Settings | None = None) -> OpenAIChatModel:
    """A pydantic-ai model on the same server, for structured output."""
    s = settings or get_settings()
    http = httpx.AsyncClient(timeout=s.llm_timeout_s)
    provider = OpenAIProvider(base_url=s.llm_base_url, api_key=s.llm_api_key, http_client=http)
    return OpenAIChatModel(s.llm_model, provider=provider)


def structured_agent(
    output_type: Any,
    instructions: str,
    settings: Settings | None = None,
    retries: int = 2,
) -> Agent:
    """A pydantic-ai agent that returns `output_type`, re-asking the model on validation errors."""
    s = settings or get_settings()
    return Agent(
        pydantic_model(s),
        output_type=output_type,
        instructions=instructions,
        retries=retries,
        model_settings=ModelSettings(temperature=s.llm_temperature, max_tokens=max(s.llm_max_tokens, 1024)),
    )


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
