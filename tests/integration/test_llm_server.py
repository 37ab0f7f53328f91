"""The real embedded LLM server (llama.cpp in llm_server's env) with real models, through real clients.

SmolLM2-135M is pulled with the real `powerforge models pull` in a session fixture (98 MB) and runs
every test; the default Qwen model runs the same checks when it is installed. Skipped (with the
reason) only when the llm_server environment is missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import jsonschema
import pytest
from support.llm import behaviour_threads, env_missing_reason, model_installed, pull_model, running_llm_server

from powerforge.config import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SMOL = "smollm2-135m-instruct"
QWENS = ("qwen2.5-1.5b-instruct", "qwen2.5-0.5b-instruct")

WEIGHT_SCHEMA = {
    "type": "object",
    "properties": {
        "exercise": {"type": "string", "enum": ["squat", "bench", "deadlift"]},
        "load_kg": {"type": "number"},
        "reps": {"type": "integer"},
    },
    "required": ["exercise", "load_kg", "reps"],
    "additionalProperties": False,
}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "log_set",
            "description": "Record one set of a barbell lift the user just did.",
            "parameters": WEIGHT_SCHEMA,
        },
    },
    {
        "type": "function",
        "function": {
            "name": "convert_units",
            "description": "Convert a quantity between units, e.g. pounds to kilograms.",
            "parameters": {
                "type": "object",
                "properties": {
                    "value": {"type": "number"},
                    "from_unit": {"type": "string"},
                    "to_unit": {"type": "string"},
                },
                "required": ["value", "from_unit", "to_unit"],
            },
        },
    },
]
SCHEMAS = {t["function"]["name"]: t["function"]["parameters"] for t in TOOLS}
LOG_LINE = "I just squatted 140 kg for 5 reps. Log it with the log_set tool."


@pytest.fixture(scope="session")
def llm_env() -> None:
    reason = env_missing_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def smol(llm_env: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    pull_model(SMOL)
    with running_llm_server(SMOL, tmp_path_factory.mktemp("llm"), threads=behaviour_threads()) as settings:
        yield settings


@pytest.fixture(scope="module")
def qwen(llm_env: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    name = next((q for q in QWENS if model_installed(q)), None)
    if name is None:
        pytest.skip(f"no Qwen model installed (powerforge models pull {QWENS[0]})")
    with running_llm_server(name, tmp_path_factory.mktemp("llm"), threads=behaviour_threads()) as settings:
        yield settings


@pytest.fixture(params=["smol", "qwen"])
def server(request: pytest.FixtureRequest) -> Settings:
    return request.getfixturevalue(request.param)


def chat(settings: Settings, **body: object) -> httpx.Response:
    body = {"model": settings.llm_model, "temperature": 0, "max_tokens": 120, **body}
    return httpx.post(settings.llm_base_url + "/chat/completions", json=body, timeout=600)


def assert_valid_call(call: dict) -> dict:
    assert call["type"] == "function" and call["id"]
    name = call["function"]["name"]
    assert name in SCHEMAS
    args = json.loads(call["function"]["arguments"])
    jsonschema.validate(args, SCHEMAS[name])
    return args


def assert_clean_text(content: str | None) -> None:
    """A text reply carries no tool-call markup or call JSON."""
    assert content is not None
    assert "<tool_call>" not in content and '"arguments"' not in content


def test_forced_tool_returns_schema_valid_call(server: Settings) -> None:
    r = chat(server, messages=[{"role": "user", "content": LOG_LINE}], tools=TOOLS,
             tool_choice={"type": "function", "function": {"name": "log_set"}})  # fmt: skip
    assert r.status_code == 200, r.text
    choice = r.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    (call,) = choice["message"]["tool_calls"]
    assert call["function"]["name"] == "log_set"
    assert_valid_call(call)


def test_required_tool_choice_returns_a_call_of_an_offered_tool(server: Settings) -> None:
    r = chat(server, messages=[{"role": "user", "content": LOG_LINE}], tools=TOOLS, tool_choice="required")
    assert r.status_code == 200, r.text
    choice = r.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    for call in choice["message"]["tool_calls"]:
        assert_valid_call(call)


COACH = "You are a friendly strength coach. Use a tool only when the user asks for what it does; else just reply."


def test_auto_tool_choice_gives_valid_calls_or_clean_text(server: Settings) -> None:
    for line in (LOG_LINE, "Hi coach! How are you today?"):
        messages = [{"role": "system", "content": COACH}, {"role": "user", "content": line}]
        r = chat(server, messages=messages, tools=TOOLS, tool_choice="auto")
        assert r.status_code == 200, r.text
        choice = r.json()["choices"][0]
        if choice["message"].get("tool_calls"):
            assert choice["finish_reason"] == "tool_calls"
            for call in choice["message"]["tool_calls"]:
                assert_valid_call(call)
        else:
            assert_clean_text(choice["message"]["content"])


def test_qwen_calls_the_obvious_tool_on_its_own(qwen: Settings) -> None:
    """With the model's native format parsed (Qwen2.5-Coder writes ```json fences), Qwen at temperature 0
    calls the tool on its own. (It also calls tools for greetings now and then: hence the agent routes
    first and offers tools only when a tool is wanted.)"""
    line = "Convert 225 pounds to kilograms, please."
    r = chat(qwen, messages=[{"role": "system", "content": COACH}, {"role": "user", "content": line}],
             tools=TOOLS, tool_choice="auto")  # fmt: skip
    choice = r.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls", choice
    (call,) = choice["message"]["tool_calls"]
    args = assert_valid_call(call)
    assert call["function"]["name"] == "convert_units" and args["value"] == 225


def test_second_turn_with_null_content_and_tool_message(server: Settings) -> None:
    """What langchain-openai sends on the second turn of every tool loop (the stock server answers 500)."""
    messages = [
        {"role": "system", "content": "You are a strength coach. Answer briefly."},
        {"role": "user", "content": LOG_LINE},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function",
         "function": {"name": "log_set", "arguments": '{"exercise": "squat", "load_kg": 140, "reps": 5}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "Logged: squat 140 kg x 5 (e1RM 163 kg)."},
    ]  # fmt: skip
    for extra in ({"tools": TOOLS}, {"tools": TOOLS, "tool_choice": "none"}, {}):
        r = chat(server, messages=messages, max_tokens=60, **extra)
        assert r.status_code == 200, r.text
        message = r.json()["choices"][0]["message"]
        if extra.get("tool_choice") == "none" or not extra:
            assert message.get("tool_calls") is None
            assert message["content"]


def test_streaming_text_reply(server: Settings) -> None:
    body = {"model": server.llm_model, "messages": [{"role": "user", "content": "Say hello to a new lifter."}],
            "stream": True, "max_tokens": 30, "temperature": 0}  # fmt: skip
    deltas, finish = [], None
    with httpx.stream("POST", server.llm_base_url + "/chat/completions", json=body, timeout=600) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            choice = json.loads(line[6:])["choices"][0]
            deltas.append(choice["delta"].get("content") or "")
            finish = choice["finish_reason"] or finish
    assert len([d for d in deltas if d]) > 2, deltas  # more than one piece: it really streamed
    assert "".join(deltas).strip() and finish in ("stop", "length")


def test_json_schema_response_format(server: Settings) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
              "required": ["name", "age"], "additionalProperties": False}  # fmt: skip
    r = chat(
        server,
        messages=[{"role": "user", "content": "Ann is 30 years old. Give her as JSON."}],
        response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": schema}},
    )
    assert r.status_code == 200, r.text
    jsonschema.validate(json.loads(r.json()["choices"][0]["message"]["content"]), schema)


def test_unknown_forced_tool_is_a_clear_400(smol: Settings) -> None:
    r = chat(smol, messages=[{"role": "user", "content": "hi"}], tools=TOOLS,
             tool_choice={"type": "function", "function": {"name": "launch_rocket"}})  # fmt: skip
    assert r.status_code == 400
    assert "launch_rocket" in r.text
    streamed = chat(smol, messages=[{"role": "user", "content": "hi"}], tools=TOOLS, stream=True,
                    tool_choice={"type": "function", "function": {"name": "launch_rocket"}})  # fmt: skip
    assert streamed.status_code == 400 and "convert_units, log_set" in streamed.text


def test_langchain_tool_loop_through_the_real_server(server: Settings) -> None:
    """The agent's own client: forced call, then the tool result (content=None turn) and a reply."""
    from langchain_core.messages import HumanMessage, ToolMessage
    from langchain_core.tools import tool

    from agent.llm import chat_model

    @tool
    def log_set(exercise: str, load_kg: float, reps: int) -> str:
        """Record one set of a barbell lift the user just did."""
        return f"Logged {exercise} {load_kg} kg x {reps}"

    model = chat_model(server, max_tokens=80)
    history = [HumanMessage(LOG_LINE)]
    ai = model.bind_tools([log_set], tool_choice="log_set").invoke(history)
    assert ai.tool_calls and ai.tool_calls[0]["name"] == "log_set"
    assert set(ai.tool_calls[0]["args"]) == {"exercise", "load_kg", "reps"}
    history += [ai, ToolMessage(log_set.invoke(ai.tool_calls[0]["args"]), tool_call_id=ai.tool_calls[0]["id"])]
    reply = model.invoke(history)
    assert isinstance(reply.content, str) and reply.content.strip()
    assert "<tool_call>" not in reply.content


def test_structured_call_returns_the_checked_object(smol: Settings) -> None:
    """The one structured-call helper (graph arguments, analytics, drafting) against the real server."""
    from langchain_core.messages import HumanMessage, SystemMessage
    from pydantic import BaseModel

    from agent.llm import chat_model
    from agent.structured import run_sync, structured_call

    class Set(BaseModel):
        """The set the user describes."""

        exercise: str
        load_kg: float
        reps: int

    msgs = [SystemMessage("Extract the set the user describes."), HumanMessage(LOG_LINE)]
    result = run_sync(
        lambda: structured_call(chat_model(smol), Set, msgs, Set.model_validate, retries=2), smol.llm_timeout_s * 4
    )
    assert isinstance(result, Set)


def test_broken_model_file_is_reported_with_the_server_log(llm_env: None, tmp_path: Path) -> None:
    """A corrupt weights file of the right size: the process exits and wait_ready says so, with its log."""
    from support.llm import models_settings
    from support.postgres import free_port

    from models.llm_server import EmbeddedServer, EmbeddedServerError
    from models.manifest import get_entry

    entry = get_entry(SMOL)
    s = models_settings().model_copy(update={"data_dir": tmp_path, "llm_base_url": f"http://127.0.0.1:{free_port()}/v1",
                                             "llm_embedded_model": SMOL})  # fmt: skip
    folder = s.models_dir / SMOL
    folder.mkdir(parents=True)
    with (folder / entry.file).open("wb") as f:
        f.truncate(entry.size_bytes or 0)
    server = EmbeddedServer(s)
    server.start()
    try:
        with pytest.raises(EmbeddedServerError, match="exited"):
            server.wait_ready(timeout=120)
    finally:
        server.stop()
