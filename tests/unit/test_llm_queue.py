"""The model request queue (agent.llm_queue) against a fake one-slot server: busy is never "down",
the queue says how many messages are ahead, a dead server is "down" at once unless a supervisor is
restarting it (then the same request is answered once it is back), and schemas are grammar-safe."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from langchain_core.messages import HumanMessage
from support.fake_llm import FakeLLM

from agent.llm import chat_model, parallel_slots
from agent.llm_queue import (
    ITEMS_CAP,
    RESTARTING,
    STRING_CAP,
    QueuedTransport,
    QueuePolicy,
    ServerDown,
    SlotQueue,
    TurnTicket,
    ahead_text,
    grammar_safe,
    llm_turn,
)
from agent.tools.base import load_tools
from powerforge.config import Settings


@pytest.fixture
def fake():
    server = FakeLLM(delay_s=1.0).start()
    yield server
    server.stop()


def _settings(base_url: str, timeout_s: float = 0.3) -> Settings:
    # A request timeout far below the fake's answer time: only the queue can make these turns succeed.
    # llm_embedded: the fake plays the embedded server, whose one model serves one request at a time.
    return Settings(_env_file=None, llm_base_url=base_url, llm_timeout_s=timeout_s, llm_max_retries=0,
                    llm_embedded=True)  # fmt: skip


async def _turn(model, text: str, statuses: list[str]) -> str:
    with llm_turn(statuses.append):
        msg = await model.ainvoke([HumanMessage(text)])
    return msg.content


def test_three_concurrent_turns_are_all_answered_and_told_their_place(fake: FakeLLM):
    model = chat_model(_settings(fake.base_url))
    statuses: list[list[str]] = [[], [], []]

    async def main() -> list[str]:
        first = asyncio.create_task(_turn(model, "a", statuses[0]))
        await asyncio.sleep(0.2)
        second = asyncio.create_task(_turn(model, "b", statuses[1]))
        await asyncio.sleep(0.2)
        third = asyncio.create_task(_turn(model, "c", statuses[2]))
        return list(await asyncio.gather(first, second, third))

    answers = asyncio.run(main())
    assert sorted(answers) == ["answer 1", "answer 2", "answer 3"]
    assert statuses[0] == []  # served at once
    assert ahead_text(1) in statuses[1]
    assert ahead_text(2) in statuses[2] and ahead_text(1) in statuses[2]  # the queue moved
    assert all(s[-1] == "" for s in statuses[1:])  # the status is cleared when the answer starts
    assert ahead_text(2) == "⏳ 2 messages ahead of you — yours will be answered in a moment."


def test_streamed_replies_wait_their_turn_too(fake: FakeLLM):
    model = chat_model(_settings(fake.base_url))

    async def stream(text: str) -> str:
        return "".join([c.content async for c in model.astream([HumanMessage(text)])])

    async def main() -> list[str]:
        return list(await asyncio.gather(stream("a"), stream("b")))

    assert sorted(asyncio.run(main())) == ["answer 1", "answer 2"]


def test_a_server_that_refuses_connections_is_down_at_once():
    """No supervisor restarts it: "down" at once, without a "restarting" wait."""
    fake = FakeLLM()  # never started: the port refuses
    transport = QueuedTransport(fake.base_url, QueuePolicy(supervised=lambda: False))
    statuses: list[str] = []

    async def main() -> None:
        with llm_turn(statuses.append):
            async with httpx.AsyncClient(transport=transport) as client:
                await client.post(fake.base_url + "/chat/completions", json={"messages": []})

    with pytest.raises(ServerDown):
        asyncio.run(main())
    assert RESTARTING not in statuses


def test_a_killed_server_that_is_restarted_answers_the_pending_request(fake: FakeLLM):
    restarted: list[FakeLLM] = []

    def restart_later() -> None:  # what the supervisor does: a new process on the same port
        time.sleep(1.5)
        restarted.append(FakeLLM(delay_s=0.2, port=fake.port).start())

    fake.die_on_next = True
    threading.Thread(target=restart_later, daemon=True).start()
    policy = QueuePolicy(supervised=lambda: True, restart_wait_s=30)
    transport = QueuedTransport(fake.base_url, policy)
    statuses: list[str] = []

    async def main() -> httpx.Response:
        with llm_turn(statuses.append):
            async with httpx.AsyncClient(transport=transport, timeout=0.3) as client:
                return await client.post(fake.base_url + "/chat/completions",
                                         json={"messages": [{"role": "user", "content": "hi"}]})  # fmt: skip

    try:
        response = asyncio.run(main())
        assert response.status_code == 200
        assert response.json()["choices"][0]["message"]["content"] == "answer 1"
        assert statuses[0] == RESTARTING and statuses[-1] == ""
        assert len(restarted[0].seen) == 1  # the same request, sent again by the client, not the user
    finally:
        for r in restarted:
            r.stop()


def test_a_hung_server_is_told_from_a_busy_one(fake: FakeLLM):
    """Busy: health answers, the request waits as long as it takes. Hung: health stops answering too."""
    fake.delay_s = 2.5
    policy = QueuePolicy(watch_every_s=0.3, hung_after=3)
    transport = QueuedTransport(fake.base_url, policy)

    async def ask() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, timeout=0.3) as client:
            return await client.post(fake.base_url + "/chat/completions", json={"messages": []})

    assert asyncio.run(ask()).status_code == 200  # busy for 2.5 s with a 0.3 s timeout: still answered
    fake.health_hangs = True
    fake.delay_s = 30
    with pytest.raises(ServerDown):
        asyncio.run(ask())


def test_a_started_turn_goes_before_newer_turns():
    async def main() -> list[int]:
        queue = SlotQueue(1)
        first, second, third = TurnTicket(), TurnTicket(), TurnTicket()
        order: list[int] = []
        held = await queue.acquire(first)

        async def take(ticket: TurnTicket) -> None:
            entry = await queue.acquire(ticket)
            order.append(ticket.seq)
            queue.release(entry)

        newer = asyncio.create_task(take(second))
        await asyncio.sleep(0.05)
        again = asyncio.create_task(take(first))  # the first turn's next call
        await asyncio.sleep(0.05)
        third_task = asyncio.create_task(take(third))
        await asyncio.sleep(0.05)
        queue.release(held)
        await asyncio.gather(newer, again, third_task)
        return [order.index(first.seq), order.index(second.seq), order.index(third.seq)]

    assert asyncio.run(main()) == [0, 1, 2]


def test_a_waiter_that_gives_up_leaves_the_queue():
    async def main() -> int:
        queue = SlotQueue(1)
        held = await queue.acquire(TurnTicket())
        waiter = asyncio.create_task(queue.acquire(TurnTicket()))
        await asyncio.sleep(0.05)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        queue.release(held)
        return len(queue)

    assert asyncio.run(main()) == 0


def _limits(schema, found: list[tuple[str, int]]) -> list[tuple[str, int]]:
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k in ("maxLength", "minLength", "maxItems", "minItems") and isinstance(v, int):
                found.append((k, v))
            elif k != "properties":
                _limits(v, found)
            else:
                for sub in v.values():
                    _limits(sub, found)
    elif isinstance(schema, list):
        for v in schema:
            _limits(v, found)
    return found


def test_grammar_safe_drops_only_the_limits_above_the_caps():
    schema = {"type": "object", "properties": {
        "text": {"type": "string", "minLength": 2, "maxLength": 2000},
        "token": {"type": "string", "maxLength": 40},
        "items": {"type": "array", "items": {"type": "string"}, "maxItems": 500},
        "maxLength": {"type": "integer"},  # a field with a keyword's name stays a field
    }}  # fmt: skip
    safe = grammar_safe(schema)
    assert safe["properties"]["text"] == {"type": "string", "minLength": 2}
    assert safe["properties"]["token"]["maxLength"] == 40
    assert "maxItems" not in safe["properties"]["items"]
    assert safe["properties"]["maxLength"] == {"type": "integer"}
    assert schema["properties"]["text"]["maxLength"] == 2000  # the original is untouched


def test_every_tool_schema_sent_to_the_model_is_within_the_caps(fake: FakeLLM):
    """What reaches the server (through the real client and transport) for every registered tool."""
    tools = load_tools()
    model = chat_model(_settings(fake.base_url, timeout_s=30))
    fake.delay_s = 0.0

    async def main() -> None:
        for tool in tools.values():
            await model.bind_tools([tool.schema()], tool_choice=tool.name).ainvoke([HumanMessage("x")])

    asyncio.run(main())
    sent = [t for body in fake.seen for t in body["tools"]]
    assert {t["function"]["name"] for t in sent} == set(tools)
    limits = _limits([t["function"]["parameters"] for t in sent], [])
    assert all(v <= (STRING_CAP if "Length" in k else ITEMS_CAP) for k, v in limits), limits
    remember = next(t for t in sent if t["function"]["name"] == "remember_note")
    assert "maxLength" not in remember["function"]["parameters"]["properties"]["text"]


def test_slots_one_for_the_embedded_server_and_configurable_for_others(monkeypatch):
    monkeypatch.delenv("LLM_PARALLEL", raising=False)
    assert parallel_slots(Settings(_env_file=None, llm_embedded=True)) == 1
    assert parallel_slots(Settings(_env_file=None, llm_embedded=False)) == 8
    monkeypatch.setenv("LLM_PARALLEL", "3")
    assert parallel_slots(Settings(_env_file=None, llm_embedded=False)) == 3


def test_a_reply_cut_off_by_a_restart_is_asked_again_not_called_down(fake: FakeLLM, monkeypatch):
    """SIGKILL while a reply streams (its headers already came): the supervisor brings the server back and
    the reply is asked for again, whole; nothing says the model is down. Seen in the cluster load bench:
    the request waiting behind was resent, the one streaming was told "I can't reach the language model"."""
    from agent.graphs.reply import Evidence, checked_reply

    restarted: list[FakeLLM] = []

    def restart_when_dead() -> None:  # the supervisor: a new process on the same port once the old one is gone
        while fake._httpd is not None:
            time.sleep(0.05)
        time.sleep(0.5)
        restarted.append(FakeLLM(delay_s=0.2, port=fake.port).start())

    monkeypatch.setattr("models.llm_server.supervisor_running", lambda _s: True)
    fake.delay_s = 0.2
    fake.die_mid_stream = True
    threading.Thread(target=restart_when_dead, daemon=True).start()
    model = chat_model(_settings(fake.base_url))
    shown: list[dict] = []
    ev = Evidence(allowed={1.0, 2.0}, datas=[], has_output=False)  # the fake says "answer N"

    async def main() -> str:
        with llm_turn():
            return await checked_reply(model, [HumanMessage("hi")], ev, shown.append)

    try:
        assert asyncio.run(main()) == "answer 1"  # the restarted server's whole answer
        assert len(restarted[0].seen) == 1
    finally:
        for r in restarted:
            r.stop()


def test_a_reply_cut_off_with_no_supervisor_is_down(fake: FakeLLM, monkeypatch):
    from agent.graphs.reply import Evidence, checked_reply
    from agent.structured import LLMUnavailable

    monkeypatch.setattr("models.llm_server.supervisor_running", lambda _s: False)
    fake.delay_s = 0.2
    fake.die_mid_stream = True
    model = chat_model(_settings(fake.base_url))
    ev = Evidence(allowed={1.0, 2.0}, datas=[], has_output=False)  # the fake says "answer N"

    async def main() -> str:
        with llm_turn():
            return await checked_reply(model, [HumanMessage("hi")], ev, lambda _d: None)

    with pytest.raises(LLMUnavailable):
        asyncio.run(main())
