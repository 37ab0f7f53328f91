"""Requests to the model server go through a queue that knows its length; busy is told from dead.

A small CPU model answers one request at a time (one slot). Before, a second person's request waited
inside the HTTP client and a 60 s timeout turned "busy" into "I can't reach the language model". Now:

- every chat-completion request takes a slot from a per-process FIFO (`SlotQueue`); while it waits,
  the turn is told how many messages are ahead ("2 messages ahead of you"). Requests of a turn that
  already started go before new turns, so a started answer finishes first;
- waiting in the queue has no timeout; a request in flight has no read timeout either: a watchdog asks
  the server's `/health` (answered even while it generates) and only a server that refuses
  connections, or stops answering health checks, is called dead;
- a dead server under `powerforge serve`'s supervisor is waited for: the turn hears "the model is
  restarting" and the same request is sent again once the server is back (the user resends nothing).
  Without a supervisor, dead means down and the caller's error says so at once;
- tool schemas are made grammar-safe on the way out (`grammar_safe`): llama.cpp builds a grammar from
  each forced call's schema and a long `maxLength` made it reject the grammar; the full limits stay in
  pydantic, which validates the arguments anyway.

Everything is plain httpx (`QueuedTransport`), so every client built on httpx shares it.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import json
import logging
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)

StatusFn = Callable[[str], Any]  # called with a one-line status ("" clears it); may be async

STRING_CAP = 100  # longest maxLength/minLength kept in a schema sent to the model
ITEMS_CAP = 20  # most maxItems/minItems (and properties) kept
_CAPPED = {"maxLength": STRING_CAP, "minLength": STRING_CAP, "maxItems": ITEMS_CAP, "minItems": ITEMS_CAP,
           "maxProperties": ITEMS_CAP, "minProperties": ITEMS_CAP}  # fmt: skip

RESTARTING = "The model is restarting — your message will be answered in a moment."


def ahead_text(n: int) -> str:
    return f"⏳ {n} message{'s' if n != 1 else ''} ahead of you — yours will be answered in a moment."


def grammar_safe(schema: Any) -> Any:
    """A copy of a JSON schema without length/count limits above the caps (which grammars expand into
    hundreds of rules); limits within the caps are kept. Validation of the real limits stays in pydantic."""
    if isinstance(schema, list):
        return [grammar_safe(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        cap = _CAPPED.get(key)
        if cap is not None and isinstance(value, int) and not isinstance(value, bool):
            if value > cap:
                continue
            out[key] = value
        elif key in ("properties", "$defs", "definitions", "patternProperties") and isinstance(value, dict):
            out[key] = {k: grammar_safe(v) for k, v in value.items()}  # names are not keywords
        else:
            out[key] = grammar_safe(value)
    return out


def grammar_safe_request(body: dict[str, Any]) -> dict[str, Any]:
    """The chat-completion body with every tool's parameters and any response schema made grammar-safe."""
    body = dict(body)
    if isinstance(body.get("tools"), list):
        tools = []
        for t in body["tools"]:
            fn = t.get("function") if isinstance(t, dict) else None
            if isinstance(fn, dict) and isinstance(fn.get("parameters"), dict):
                t = {**t, "function": {**fn, "parameters": grammar_safe(fn["parameters"])}}
            tools.append(t)
        body["tools"] = tools
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and isinstance(fmt.get("json_schema"), dict):
        js = fmt["json_schema"]
        if isinstance(js.get("schema"), dict):
            body["response_format"] = {**fmt, "json_schema": {**js, "schema": grammar_safe(js["schema"])}}
    return body


# --------------------------------------------------------------------------- turns and their status
_turn_seq = itertools.count(1)


@dataclass
class TurnTicket:
    """Who is asking: requests of one chat turn share a place in the queue and one status line."""

    status: StatusFn | None = None
    seq: int = field(default_factory=lambda: next(_turn_seq))
    shown: str = ""

    async def say(self, text: str) -> None:
        if self.status is None or text == self.shown:
            return
        self.shown = text
        try:
            result = self.status(text)
            if asyncio.iscoroutine(result):
                await result
        except Exception:  # a status line must never break the turn
            log.warning("status callback failed", exc_info=True)


_current: ContextVar[TurnTicket | None] = ContextVar("pf_llm_turn", default=None)


@contextlib.contextmanager
def llm_turn(status: StatusFn | None = None) -> Iterator[TurnTicket]:
    """Mark the model calls made inside (tasks started inside inherit it) as one turn with one status."""
    ticket = TurnTicket(status)
    token = _current.set(ticket)
    try:
        yield ticket
    finally:
        _current.reset(token)


def current_ticket() -> TurnTicket:
    return _current.get() or TurnTicket()


# --------------------------------------------------------------------------- the queue
@dataclass(order=True)
class _Entry:
    turn: int
    seq: int
    ticket: TurnTicket = field(compare=False)
    fut: asyncio.Future[None] = field(compare=False)


class SlotQueue:
    """FIFO over `slots` concurrent requests (one event loop); earlier turns go first."""

    def __init__(self, slots: int = 1) -> None:
        self.slots = max(1, slots)
        self.holders: list[_Entry] = []
        self.waiting: list[_Entry] = []
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self.holders) + len(self.waiting)

    def ahead(self, entry: _Entry) -> int:
        """Other turns served before this entry: those holding a slot and those queued before it."""
        turns = {e.turn for e in self.holders}
        turns |= {e.turn for e in self.waiting if e < entry}
        turns.discard(entry.turn)
        return len(turns)

    async def acquire(self, ticket: TurnTicket) -> _Entry:
        loop = asyncio.get_running_loop()
        entry = _Entry(ticket.seq, next(self._seq), ticket, loop.create_future())
        if len(self.holders) < self.slots and not self.waiting:
            self.holders.append(entry)
            return entry
        bisect.insort(self.waiting, entry)
        try:
            while True:
                n = self.ahead(entry)
                await ticket.say(ahead_text(n) if n else "")
                try:
                    await asyncio.wait_for(asyncio.shield(entry.fut), 0.5)
                    break
                except TimeoutError:
                    continue
        except BaseException:
            if entry.fut.done():
                self.release(entry)
            else:
                entry.fut.cancel()
                with contextlib.suppress(ValueError):
                    self.waiting.remove(entry)
            raise
        await ticket.say("")
        return entry

    def release(self, entry: _Entry) -> None:
        if entry not in self.holders:
            return
        self.holders.remove(entry)
        while self.waiting and len(self.holders) < self.slots:
            nxt = self.waiting.pop(0)
            if nxt.fut.done():  # cancelled while waiting
                continue
            self.holders.append(nxt)
            nxt.fut.set_result(None)


_QUEUES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, SlotQueue]] = weakref.WeakKeyDictionary()


def queue_for(base_url: str, slots: int = 1) -> SlotQueue:
    """The process's queue for a server (per event loop: futures cannot cross loops)."""
    per_loop = _QUEUES.setdefault(asyncio.get_running_loop(), {})
    if base_url not in per_loop:
        per_loop[base_url] = SlotQueue(slots)
    return per_loop[base_url]


# --------------------------------------------------------------------------- health
def health_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}/health"


async def server_alive(base_url: str, timeout_s: float = 5.0) -> bool | None:
    """True: the server answers (any HTTP answer, busy or not); False: it refuses connections (dead);
    None: no answer within the timeout (overloaded or hung: the caller decides after a few)."""
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            await client.get(health_url(base_url))
        return True
    except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
        return False
    except httpx.TimeoutException:
        return None


class ServerDown(httpx.ConnectError):
    """The model server is down (refuses connections or stopped answering) and nothing restarts it."""


class ServerRestarting(httpx.ReadError):
    """The server died while its answer was being read (a streamed reply) and its supervisor is restarting
    it: part of the answer is lost, so the caller asks again (`restarted_during`); that request waits for the
    restart in the transport, where no stream-chunk timeout can cut the wait short."""


def restarted_during(exc: BaseException) -> bool:
    """Whether `exc` (or what it wraps: the OpenAI client and LangChain wrap transport errors) is a
    `ServerRestarting`."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        if isinstance(e, ServerRestarting):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


# --------------------------------------------------------------------------- the transport
_DEAD_ERRORS = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


@dataclass
class QueuePolicy:
    slots: int = 1
    watch_every_s: float = 5.0  # health checks while a request is in flight
    hung_after: int = 4  # consecutive unanswered health checks that make a silent server dead
    restart_wait_s: float = 300.0  # how long a supervised restart is waited for
    supervised: Callable[[], bool] = lambda: False  # is a supervisor restarting the server?


class QueuedTransport(httpx.AsyncBaseTransport):
    """httpx transport: queue, watchdog and restart-wait around chat-completion requests."""

    def __init__(self, base_url: str, policy: QueuePolicy | None = None, inner: httpx.AsyncBaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self.policy = policy or QueuePolicy()
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST" or not request.url.path.endswith("/chat/completions"):
            return await self.inner.handle_async_request(request)
        request = _safe_request(request)
        ticket = current_ticket()
        queue = queue_for(self.base_url, self.policy.slots)
        entry = await queue.acquire(ticket)
        try:
            response = await self._send(request, ticket)
        except BaseException:
            queue.release(entry)
            raise
        response.stream = _Releasing(response.stream, lambda: queue.release(entry),  # type: ignore[arg-type]
                                     self.policy.supervised)  # fmt: skip
        return response

    async def _send(self, request: httpx.Request, ticket: TurnTicket) -> httpx.Response:
        """Send until answered; a server that died is waited for when it is being restarted."""
        while True:
            try:
                return await self._watched(request)
            except _DEAD_ERRORS as exc:
                if not await self._wait_for_restart(ticket):
                    raise ServerDown(f"the model server at {self.base_url} is down ({type(exc).__name__})") from exc
                log.info("model server back; sending the request again")

    async def _watched(self, request: httpx.Request) -> httpx.Response:
        """The request with no read timeout, raced against a health watchdog (busy ≠ dead)."""
        timeout = dict(request.extensions.get("timeout") or {})
        timeout.update(read=None, pool=None)
        request.extensions["timeout"] = timeout
        send = asyncio.ensure_future(self.inner.handle_async_request(request))
        silent = 0
        try:
            while True:
                done, _ = await asyncio.wait({send}, timeout=self.policy.watch_every_s)
                if done:
                    return send.result()
                alive = await server_alive(self.base_url, timeout_s=self.policy.watch_every_s)
                silent = 0 if alive else silent + 1
                if alive is False or silent >= self.policy.hung_after:
                    raise httpx.ConnectError("the model server stopped answering")
        finally:
            if not send.done():
                send.cancel()
                with contextlib.suppress(BaseException):
                    await send

    async def _wait_for_restart(self, ticket: TurnTicket) -> bool:
        if not self.policy.supervised():
            return False
        await ticket.say(RESTARTING)
        deadline = time.monotonic() + self.policy.restart_wait_s
        try:
            while time.monotonic() < deadline:
                if await server_alive(self.base_url, timeout_s=2.0) and await _models_ready(self.base_url):
                    return True
                if not self.policy.supervised():
                    return False
                await asyncio.sleep(1.0)
            return False
        finally:
            await ticket.say("")


async def _models_ready(base_url: str) -> bool:
    """The model is loaded once `/models` answers (health answers earlier with some servers)."""
    try:
        async with httpx.AsyncClient(timeout=10.0) as client:
            return (await client.get(base_url + "/models")).status_code < 500
    except httpx.HTTPError:
        return False


def _safe_request(request: httpx.Request) -> httpx.Request:
    try:
        body = json.loads(request.content)
    except (ValueError, httpx.RequestNotRead):
        return request
    if not isinstance(body, dict) or not (body.get("tools") or body.get("response_format")):
        return request
    content = json.dumps(grammar_safe_request(body)).encode()
    headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
    return httpx.Request(request.method, request.url, headers=headers, content=content,
                         extensions=request.extensions)  # fmt: skip


class _Releasing(httpx.AsyncByteStream):
    """A response body that frees the queue slot once it is read to the end or closed. When the server dies
    while the body is read (a streamed reply cut off) and a supervisor is restarting it, the reader hears
    `ServerRestarting` (ask again) instead of a dead connection ("down")."""

    def __init__(self, inner: httpx.AsyncByteStream, release: Callable[[], None],
                 supervised: Callable[[], bool] = lambda: False) -> None:  # fmt: skip
        self.inner = inner
        self._release: Callable[[], None] | None = release
        self._supervised = supervised

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.inner:
                yield chunk
        except _DEAD_ERRORS as exc:
            if self._supervised():
                raise ServerRestarting("the model server died while answering and is being restarted") from exc
            raise
        finally:
            self._free()

    async def aclose(self) -> None:
        try:
            await self.inner.aclose()
        finally:
            self._free()

    def _free(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


__all__ = [
    "RESTARTING",
    "QueuePolicy",
    "QueuedTransport",
    "ServerDown",
    "ServerRestarting",
    "SlotQueue",
    "TurnTicket",
    "ahead_text",
    "grammar_safe",
    "grammar_safe_request",
    "llm_turn",
    "queue_for",
    "restarted_during",
    "server_alive",
]
