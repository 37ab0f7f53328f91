"""The chat stays up on the REAL embedded server (llama.cpp, SmolLM2-135M): every tool's forced-call
schema compiles into a grammar without a failure or a death; a server killed with SIGKILL mid-chat is
restarted by the supervisor and the pending message is answered without being sent again; two turns
at once are both answered and the second is told its place, never "down"."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.llm import behaviour_threads, env_missing_reason, llm_server, pull_model

from agent.llm_queue import RESTARTING, ahead_text
from agent.runner import Coach
from agent.tools.base import load_tools
from models.llm_server import Supervisor, supervisor_running
from powerforge.config import Settings, override_settings
from storage.accounts import create_account
from storage.engine import dispose_all, make_engine
from storage.migrate import upgrade

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SMOL = "smollm2-135m-instruct"


@pytest.fixture(scope="module")
def smol(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    reason = env_missing_reason()
    if reason:
        pytest.skip(reason)
    pull_model(SMOL)
    with llm_server(SMOL, tmp_path_factory.mktemp("llm"), threads=behaviour_threads()) as running:
        yield running


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    yield
    override_settings(None)
    dispose_all()


def _app_settings(server_settings: Settings, tmp_path: Path) -> Settings:
    """The app's settings on the test server, with a fresh database of its own."""
    s = server_settings.model_copy(update={"data_dir": tmp_path / "var", "database_url": "", "llm_max_tokens": 48})
    s.ensure_dirs()
    override_settings(s)  # tools use the test's database (reset by `_reset` after each test)
    return s


@pytest.mark.timeout(3600)  # 60+ requests; on a loaded 2-core machine each can take 15 s
def test_every_tool_forced_call_schema_compiles_on_the_real_server(smol):
    """Each tool's schema exactly as pydantic makes it (no client-side caps): the server must cap and
    compile it itself. Before, `remember_note.text` (maxLength 2000) made llama.cpp refuse the grammar
    and the process died."""
    tools = load_tools()
    failures: dict[str, str] = {}
    with httpx.Client(timeout=300) as client:
        for name, tool in sorted(tools.items(), key=lambda kv: (kv[0] != "remember_note", kv[0])):
            r = client.post(smol.settings.llm_base_url + "/chat/completions", json={
                "model": smol.settings.llm_model, "max_tokens": 2, "temperature": 0,
                "messages": [{"role": "user", "content": "go"}],
                "tools": [tool.schema()], "tool_choice": {"type": "function", "function": {"name": name}},
            })  # fmt: skip
            if r.status_code != 200:
                failures[name] = f"{r.status_code} {r.text[:200]}"
            assert smol.server.alive(), f"the server died on {name}'s schema:\n{smol.server.log_tail()}"
    assert not failures, failures
    assert "schema grammar failed" not in smol.log()  # no schema fell back to plain JSON either
    assert len(tools) >= 40


def test_a_grammar_llama_cpp_refuses_is_an_error_answer_not_a_death(smol):
    r = httpx.post(smol.settings.llm_base_url + "/chat/completions", timeout=120, json={
        "model": smol.settings.llm_model, "max_tokens": 8,
        "messages": [{"role": "user", "content": "hi"}], "grammar": 'root ::= "a"{2500}',
    })  # fmt: skip
    assert r.status_code == 400, r.text
    assert smol.server.alive()
    assert httpx.get(smol.settings.llm_base_url + "/models", timeout=60).status_code == 200


def test_two_turns_at_once_are_both_answered_and_never_down(smol, tmp_path: Path):
    settings = _app_settings(smol.settings, tmp_path)
    engine = make_engine(settings.db_url)
    upgrade(engine=engine)
    a, b = (create_account(n, "queue-pass-123", engine=engine).id for n in ("ann", "bob"))
    statuses: dict[int, list[str]] = {a: [], b: []}

    async def main() -> list:
        async with Coach.open(settings) as coach:
            first = asyncio.create_task(coach.turn(account_id=a, thread_id="t", text="hello coach, how are you?",
                                                   on_status=statuses[a].append))  # fmt: skip
            await asyncio.sleep(0.3)
            second = asyncio.create_task(coach.turn(account_id=b, thread_id="t", text="good evening, anything new?",
                                                    on_status=statuses[b].append))  # fmt: skip
            return list(await asyncio.gather(first, second))

    try:
        results = asyncio.run(main())
    finally:
        dispose_all()
    for r in results:
        assert r.llm_error is None and "can't reach" not in r.text, r.text
        assert r.text.strip()
    assert ahead_text(1) in statuses[b], statuses


def test_a_killed_server_comes_back_and_the_pending_message_is_answered(smol, tmp_path: Path):
    settings = _app_settings(smol.settings, tmp_path)
    engine = make_engine(settings.db_url)
    upgrade(engine=engine)
    account = create_account("kim", "restart-pass-123", engine=engine).id
    supervisor = Supervisor(smol.server, check_every_s=0.5).start()
    statuses: list[str] = []
    killed: list[int] = []

    async def main():
        async with Coach.open(settings) as coach:
            transport = coach.model.http_async_client._transport  # the app's real queue transport
            send = transport.inner.handle_async_request

            async def kill_mid_request(request: httpx.Request) -> httpx.Response:
                # The turn's first model request is on its way: the server dies now (SIGKILL, like the
                # grammar crash did). Killed before the request reaches it, so the test does not depend
                # on timing; a connection cut mid-request is tested with a fake server in
                # tests/unit/test_llm_queue.py.
                if not killed and request.method == "POST":
                    proc = smol.server.process
                    os.killpg(proc.pid, signal.SIGKILL)
                    await asyncio.to_thread(proc.wait, 30)
                    killed.append(proc.pid)
                return await send(request)

            transport.inner.handle_async_request = kill_mid_request
            return await coach.turn(account_id=account, thread_id="t", text="hi there, coach",
                                    on_status=statuses.append)  # fmt: skip

    try:
        assert supervisor_running(settings)
        result = asyncio.run(main())
        assert killed, "the server was never killed"
        seen = (result.route, result.routed_by, result.text[:300], statuses, smol.server.log_tail())
        assert supervisor.restarts == 1 and smol.server.alive() and smol.server.process.pid != killed[0], seen
        assert result.llm_error is None and "can't reach" not in result.text, result.text
        assert result.text.strip()
        assert RESTARTING in statuses and statuses[-1] == ""
    finally:
        supervisor._stop.set()  # stop watching; the module fixture stops the server
        dispose_all()
