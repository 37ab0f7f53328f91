"""One structured call: a forced tool call whose arguments code checks, with the problem fed back.

Every place that wants a typed answer from the model (the chat graph's argument step, the analytics
`ask` query, program drafting and editing) goes through `structured_call`: one client stack
(`agent.llm.chat_model`, so one queue per server), the schema made grammar-safe, a retry that shows
the model why its last answer was rejected, and one error for "the model could not be reached"
(`LLMUnavailable`) that `llm_error_message` turns into one sentence for the athlete.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ValidationError

from agent.llm_queue import grammar_safe
from powerforge.config import Settings

T = TypeVar("T")

LLM_ERRORS: tuple[type[BaseException], ...]
try:  # the OpenAI SDK's error family covers connection refused, timeouts and 5xx answers
    import httpx
    import openai

    LLM_ERRORS = (openai.APIError, httpx.HTTPError, ConnectionError, TimeoutError, asyncio.TimeoutError)
except ImportError:  # pragma: no cover
    LLM_ERRORS = (ConnectionError, TimeoutError)


class LLMUnavailable(Exception):
    """The language model could not be reached or answered with an error."""


class StructuredCallFailed(ValueError):
    """Every attempt was rejected; `problem` is the last reason (what the athlete is told)."""

    def __init__(self, problem: str):
        self.problem = problem
        super().__init__(problem)


def llm_error_message(settings: Settings, exc: BaseException) -> str:
    """The one sentence the athlete reads when the model is unreachable: what is safe and what to do."""
    from models.llm_server import installing_message  # a first start: the embedded server is still installing

    if (installing := installing_message(settings)) is not None:
        return installing
    kind = type(exc.__cause__ or exc).__name__ if isinstance(exc, LLMUnavailable) else type(exc).__name__
    return (
        f"I can't reach the language model at {settings.llm_base_url} right now ({kind}). "
        "Your data is safe and logging by plain commands still works; start the model server "
        "(`powerforge serve` starts the embedded one) or try again in a moment."
    )


async def invoke(model: Runnable[LanguageModelInput, BaseMessage], messages: list[BaseMessage]) -> AIMessage:
    """One model call; any failure to reach the model becomes `LLMUnavailable`."""
    try:
        result = await model.ainvoke(messages)
    except LLM_ERRORS as e:
        raise LLMUnavailable(str(e)) from e
    if not isinstance(result, AIMessage):
        raise LLMUnavailable("the model returned no message")
    return result


def function_schema(schema: dict[str, Any] | type[BaseModel]) -> dict[str, Any]:
    """An OpenAI function schema (a tool's own, or one made from a pydantic model), grammar-safe."""
    fn = schema if isinstance(schema, dict) else convert_to_openai_tool(schema)
    body = fn.get("function", fn)
    return {"type": "function", "function": {**body, "parameters": grammar_safe(body.get("parameters", {}))}}


def validation_text(e: ValidationError) -> str:
    """A validation error as a short sentence the model can correct (the first few problems)."""
    parts = []
    for err in e.errors()[:4]:
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def message_text(m: BaseMessage) -> str:
    if isinstance(m.content, str):
        return m.content
    return " ".join(p.get("text", "") for p in m.content if isinstance(p, dict))


async def structured_call(
    model: BaseChatModel,
    schema: dict[str, Any] | type[BaseModel],
    messages: list[BaseMessage],
    check: Callable[[dict[str, Any]], T],
    *,
    retries: int,
    problem: str | None = None,
) -> T:
    """Force a call of `schema` and return `check(arguments)`.

    `check` raises ValueError (a pydantic ValidationError included) with what is wrong; the model then
    sees that reason and answers again, up to `retries` more times. A text answer instead of a call
    counts as a rejected attempt. `problem` is a reason carried in from an earlier attempt made
    elsewhere (arguments code or another call chose). Raises `StructuredCallFailed` with the last
    reason, or `LLMUnavailable`.
    """
    fn = function_schema(schema)
    name = fn["function"]["name"]
    bound = model.bind_tools([fn], tool_choice=name)
    for _ in range(retries + 1):
        msgs = list(messages)
        if problem:
            msgs.append(HumanMessage(f"Your previous arguments were rejected: {problem}. Call `{name}` again."))
        msg = await invoke(bound, msgs)
        call = next((c for c in msg.tool_calls if c["name"] == name), None)
        if call is None:
            problem = f"no call of `{name}` was made (the reply was text: {message_text(msg)[:300]!r})"
            continue
        try:
            return check(call.get("args") or {})
        except ValidationError as e:
            problem = validation_text(e)
        except ValueError as e:
            problem = str(e)
    raise StructuredCallFailed(problem or "no usable answer")


def run_sync(coro_factory: Callable[[], Coroutine[Any, Any, T]], timeout_s: float) -> T:
    """Run a model call from sync tool code (tools run in a worker thread), in this context (the turn's
    place in the model queue); a call that outlives `timeout_s` is `LLMUnavailable`."""
    ctx = contextvars.copy_context()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(ctx.run, lambda: asyncio.run(coro_factory()))
        try:
            return future.result(timeout=timeout_s)
        except (concurrent.futures.TimeoutError, TimeoutError) as e:
            raise LLMUnavailable("the language model took too long") from e
