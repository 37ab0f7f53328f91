"""The embedded server's pure parts: native tool-call extraction, request normalisation, tool plans.

They live in llm_server/pf_llm (its own environment) but import only the standard library, so they
are tested here without llama.cpp.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "llm_server"))

from pf_llm.messages import (
    hermes_tools_block,
    normalise_request,
    prepare_messages,
    template_supports_tools,
)
from pf_llm.plan import ToolChoiceError, plan_tools
from pf_llm.toolcalls import ToolCall, call_schema, looks_like_tool_call_start, parse_tool_calls

NAMES = ["log_set", "convert_units"]
TOOLS = [
    {"type": "function", "function": {"name": "log_set", "parameters": {
        "type": "object", "properties": {"load_kg": {"type": "number"}, "item": {"$ref": "#/$defs/Item"}},
        "$defs": {"Item": {"type": "string", "enum": ["squat", "bench"]}}}}},
    {"type": "function", "function": {"name": "convert_units", "parameters": {
        "type": "object", "properties": {"value": {"type": "number"}, "to": {"$ref": "#/$defs/Item"}},
        "$defs": {"Item": {"type": "string"}}}}},
]  # fmt: skip


# --------------------------------------------------------------------------- parsing
@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ('<tool_call>\n{"name": "log_set", "arguments": {"load_kg": 100}}\n</tool_call>', "log_set", {"load_kg": 100}),
        ('<tool_call>{"name":"log_set","arguments":{"load_kg":100}}</tool_call>', "log_set", {"load_kg": 100}),
        ('<tool_call>\n{"name": "log_set", "arguments": {"load_kg": 100}}', "log_set", {"load_kg": 100}),  # cut
        ('{"name": "log_set", "arguments": {"load_kg": 100}}', "log_set", {"load_kg": 100}),  # bare object
        ('  {"name": "log_set", "parameters": {"load_kg": 1}} ', "log_set", {"load_kg": 1}),  # llama-style key
        ('```json\n{"name": "log_set", "arguments": {"load_kg": 2}}\n```', "log_set", {"load_kg": 2}),  # fenced
        ('{"name": "log_set", "arguments": "{\\"load_kg\\": 3}"}', "log_set", {"load_kg": 3}),  # double-encoded
        ('{"type": "function", "function": {"name": "log_set", "arguments": {}}}', "log_set", {}),  # OpenAI-ish
        ('<tool_call>\n{"name": "log_set", "arguments": {"note": "a\nb"}}\n</tool_call>', "log_set", {"note": "a\nb"}),
    ],
)
def test_native_call_shapes_become_tool_calls(text: str, name: str, args: dict) -> None:
    content, calls = parse_tool_calls(text, NAMES)
    assert content == ""
    assert calls == [ToolCall(name, args)]


def test_text_before_a_call_is_kept_and_several_calls_are_all_returned() -> None:
    text = (
        'Logging both.\n<tool_call>\n{"name": "log_set", "arguments": {"load_kg": 1}}\n</tool_call>\n'
        '<tool_call>\n{"name": "convert_units", "arguments": {"value": 2}}\n</tool_call>'
    )
    content, calls = parse_tool_calls(text, NAMES)
    assert content == "Logging both."
    assert [c.name for c in calls] == ["log_set", "convert_units"]


def test_a_list_of_calls_is_accepted() -> None:
    _content, calls = parse_tool_calls('[{"name": "log_set", "arguments": {}}, {"name": "convert_units", '
                                       '"arguments": {"value": 1}}]', NAMES)  # fmt: skip
    assert [c.name for c in calls] == ["log_set", "convert_units"]


@pytest.mark.parametrize(
    "text",
    [
        "Paris is the capital of France.",
        '{"name": "Ann", "age": 30}',  # JSON that is an answer, not a call
        '{"name": "launch_rocket", "arguments": {}}',  # a tool that was not offered
        '<tool_call>\n{"name": "log_set", "arguments": {"load_kg": 1</tool_call>',  # malformed
        "<tool_call>not json at all</tool_call>",
        '{"name": "log_set", "arguments": [1, 2]}',  # arguments not an object
        "{ this is not json",
        "",
    ],
)
def test_anything_else_stays_text(text: str) -> None:
    content, calls = parse_tool_calls(text, NAMES)
    assert calls == []
    assert content == text.strip()


@given(st.text(max_size=200))
def test_parsing_never_raises(text: str) -> None:
    content, calls = parse_tool_calls(text, NAMES)
    assert isinstance(content, str) and isinstance(calls, list)


def test_openai_shape_of_a_call() -> None:
    call = ToolCall("log_set", {"load_kg": 102.5, "note": "é"}).to_openai()
    assert call["type"] == "function" and call["id"].startswith("call_")
    assert json.loads(call["function"]["arguments"]) == {"load_kg": 102.5, "note": "é"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", None), ("  ", None), ("<tool", None), ("<tool_call>", True), (' {"name"', True), ("Sure", False),
     ("<b>hi", False), ("[1]", False), ("```json\n", None), ("```json\n{", True), ("```python\nx = 1", False)],
)  # fmt: skip
def test_stream_decision_on_the_first_characters(text: str, expected: bool | None) -> None:
    assert looks_like_tool_call_start(text) is expected


# --------------------------------------------------------------------------- schemas
def test_call_schema_admits_only_offered_tools_and_hoists_defs_apart() -> None:
    schema = call_schema(TOOLS)
    variants = schema["anyOf"]
    assert [v["properties"]["name"]["const"] for v in variants] == NAMES
    assert set(schema["$defs"]) == {"t0_Item", "t1_Item"}
    assert variants[0]["properties"]["arguments"]["properties"]["item"] == {"$ref": "#/$defs/t0_Item"}
    assert variants[1]["properties"]["arguments"]["properties"]["to"] == {"$ref": "#/$defs/t1_Item"}
    assert "$defs" not in variants[0]["properties"]["arguments"]


def test_call_schema_validates_real_calls() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = call_schema(TOOLS)
    jsonschema.validate({"name": "log_set", "arguments": {"load_kg": 1, "item": "squat"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "log_set", "arguments": {"item": "curl"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "other", "arguments": {}}, schema)


# --------------------------------------------------------------------------- plans
def test_tool_plans_follow_openai_semantics() -> None:
    assert plan_tools(None).mode == "text"
    assert plan_tools(TOOLS).mode == "auto"
    assert plan_tools(TOOLS, "auto").mode == "auto"
    assert plan_tools(TOOLS, "none").mode == "text"
    assert plan_tools(TOOLS, "required").names == frozenset(NAMES)
    forced = plan_tools(TOOLS, {"type": "function", "function": {"name": "convert_units"}})
    assert forced.mode == "forced" and forced.names == {"convert_units"}
    legacy = plan_tools(None, None, [t["function"] for t in TOOLS], {"name": "log_set"})
    assert legacy.mode == "forced" and legacy.names == {"log_set"}


def test_forcing_a_tool_that_is_not_offered_says_which() -> None:
    with pytest.raises(ToolChoiceError, match=r"launch_rocket.*convert_units, log_set"):
        plan_tools(TOOLS, {"type": "function", "function": {"name": "launch_rocket"}})


# --------------------------------------------------------------------------- requests
def test_langchain_second_turn_request_is_normalised() -> None:
    body = {
        "messages": [
            {"role": "developer", "content": [{"type": "text", "text": "Be brief."}]},
            {"role": "user", "content": "log 100 kg"},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "log_set", "arguments": {"load_kg": 100}}}]},
            {"role": "tool", "tool_call_id": "c1", "content": None},
            {"role": "assistant", "content": "ok", "tool_calls": []},
        ],
        "max_completion_tokens": 50,
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}},
        "tools": [],
        "tool_choice": "auto",
    }  # fmt: skip
    out = normalise_request(body)
    system, _user, call, tool, plain = out["messages"]
    assert system == {"role": "system", "content": "Be brief."}
    assert call["content"] == "" and call["tool_calls"][0]["function"]["arguments"] == '{"load_kg": 100}'
    assert tool["content"] == "" and tool["tool_call_id"] == "c1"
    assert "tool_calls" not in plain
    assert out["max_tokens"] == 50
    assert out["response_format"] == {"type": "json_object", "schema": {"type": "object"}}
    assert "tools" not in out and "tool_choice" not in out
    assert body["messages"][2]["content"] is None  # the caller's request is not mutated


def test_native_template_gets_arguments_as_objects() -> None:
    msgs = [{"role": "assistant", "content": "", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "log_set", "arguments": '{"load_kg": 1}'}}]}]  # fmt: skip
    (out,) = prepare_messages(msgs, TOOLS, native_tools=True)
    assert out["tool_calls"][0]["function"]["arguments"] == {"load_kg": 1}


def test_templates_without_tools_get_them_hermes_style() -> None:
    msgs = [
        {"role": "system", "content": "You coach."},
        {"role": "user", "content": "log it"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "log_set", "arguments": '{"load_kg": 1}'}},
            {"id": "c2", "type": "function", "function": {"name": "convert_units", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "logged"},
        {"role": "tool", "tool_call_id": "c2", "content": "2.2 lb"},
    ]  # fmt: skip
    system, user, assistant, results = prepare_messages(msgs, TOOLS, native_tools=False)
    assert system["content"].startswith("You coach.\n\n# Tools")
    assert '"name": "log_set"' in system["content"] and "<tool_call>" in system["content"]
    assert user == {"role": "user", "content": "log it"}
    assert assistant["content"].count("<tool_call>") == 2
    assert parse_tool_calls(assistant["content"], NAMES)[1][0] == ToolCall("log_set", {"load_kg": 1})
    assert results["role"] == "user"
    assert results["content"] == "<tool_response>\nlogged\n</tool_response>\n<tool_response>\n2.2 lb\n</tool_response>"


def test_no_system_message_gets_one_for_the_tools() -> None:
    out = prepare_messages([{"role": "user", "content": "hi"}], TOOLS, native_tools=False)
    assert out[0]["role"] == "system" and out[0]["content"] == hermes_tools_block(TOOLS)
    assert prepare_messages([{"role": "user", "content": "hi"}], None, native_tools=False) == [
        {"role": "user", "content": "hi"}
    ]


def test_tool_support_is_read_from_the_template() -> None:
    assert template_supports_tools("{%- if tools %}{{ tools | tojson }}{% endif %}")
    assert not template_supports_tools("{% for message in messages %}{{ message['content'] }}{% endfor %}")
