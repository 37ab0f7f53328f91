"""Turn a model's native tool-call text into OpenAI `tool_calls`, and describe tool calls as JSON schema.

Small instruct models (Qwen2.5, Hermes-style fine-tunes) answer a tool request with text such as
`<tool_call>{"name": ..., "arguments": {...}}</tool_call>` or a bare JSON object. OpenAI clients
(langchain-openai, pydantic-ai) only understand `message.tool_calls`, so this module extracts those
calls and leaves everything else as plain text. Pure functions, standard library only: the app's
unit tests import it without llama.cpp.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

TOOL_CALL_OPEN = "<tool_call>"
TOOL_CALL_CLOSE = "</tool_call>"

_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_FENCE_START = re.compile(r"```(?:json|tool_call)?[ \t]*\n?\s*\{")
_FENCE = re.compile(r"^```(?:json|tool_call)?\s*(.*?)\s*```$", re.DOTALL)


@dataclass(frozen=True)
class ToolCall:
    """One parsed call: the tool's name and its arguments as a JSON object."""

    name: str
    arguments: dict[str, Any]

    def to_openai(self, call_id: str | None = None) -> dict[str, Any]:
        """The OpenAI `tool_calls[i]` shape (arguments travel as a JSON string)."""
        return {
            "id": call_id or new_call_id(),
            "type": "function",
            "function": {"name": self.name, "arguments": json.dumps(self.arguments, ensure_ascii=False)},
        }


def new_call_id() -> str:
    return "call_" + uuid.uuid4().hex[:24]


def _loads(text: str) -> Any:
    """Parse JSON, tolerating a trailing remainder (a model may keep talking after the object)."""
    text = text.strip()
    decoder = json.JSONDecoder(strict=False)  # small models put raw newlines inside strings
    try:
        return decoder.decode(text)
    except json.JSONDecodeError:
        pass
    try:
        value, _end = decoder.raw_decode(text)
    except json.JSONDecodeError:
        return None
    return value


def _as_call(obj: Any, tool_names: frozenset[str] | None) -> ToolCall | None:
    """A call from one decoded object, or None when it is not a well-formed call of an offered tool."""
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("function"), dict):  # OpenAI-like {"type": "function", "function": {...}}
        obj = obj["function"]
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        return None
    if tool_names is not None and name not in tool_names:
        return None
    args = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(args, str):  # some models double-encode the arguments
        args = _loads(args) if args.strip() else {}
    if not isinstance(args, dict):
        return None
    extra = set(obj) - {"name", "arguments", "parameters", "type", "id"}
    if extra:  # a JSON answer that happens to carry a "name" key is not a call
        return None
    return ToolCall(name=name, arguments=args)


def _calls_from(value: Any, tool_names: frozenset[str] | None) -> list[ToolCall] | None:
    items = value if isinstance(value, list) else [value]
    calls = [_as_call(item, tool_names) for item in items]
    if not calls or any(c is None for c in calls):
        return None
    return [c for c in calls if c is not None]


def parse_tool_calls(text: str, tool_names: list[str] | frozenset[str] | None = None) -> tuple[str, list[ToolCall]]:
    """Split model output into (plain text, calls).

    Accepts `<tool_call>…</tool_call>` blocks (one or more, closing tag optional when generation was
    cut), and a whole answer that is a bare call object or a list of them (optionally in a ```json
    fence). With `tool_names`, calls to tools that were not offered are not calls. Anything that does
    not parse stays text; this never raises.
    """
    names = frozenset(tool_names) if tool_names is not None else None
    if not text:
        return "", []
    if TOOL_CALL_OPEN in text:
        calls: list[ToolCall] = []
        for block in _TAGGED.findall(text):
            parsed = _calls_from(_loads(_unfence(block)), names)
            if parsed is None:
                return text.strip(), []  # malformed: keep the whole answer as text, lose nothing
            calls.extend(parsed)
        before = text[: text.index(TOOL_CALL_OPEN)].strip()
        return before, calls
    stripped = _unfence(text.strip())
    if stripped[:1] in ("{", "["):
        try:
            value = json.JSONDecoder(strict=False).decode(stripped)
        except json.JSONDecodeError:
            return text.strip(), []
        parsed = _calls_from(value, names)
        if parsed:
            return "", parsed
    return text.strip(), []


def _unfence(text: str) -> str:
    m = _FENCE.match(text.strip())
    return m.group(1) if m else text


def looks_like_tool_call_start(text: str) -> bool | None:
    """For streaming: True when `text` begins a tool call, False when it is plain text, None if unsure yet."""
    head = text.lstrip()
    if not head:
        return None
    if head.startswith(TOOL_CALL_OPEN) or head[0] == "{":
        return True
    if TOOL_CALL_OPEN.startswith(head) or "```".startswith(head):
        return None
    if head.startswith("```"):  # Qwen2.5-Coder likes ```json fences around its calls
        if _FENCE_START.match(head):
            return True
        lang, newline, rest = head[3:].partition("\n")
        if not newline:
            return None if len(lang) < 12 else False
        if lang.strip() not in ("", "json", "tool_call"):
            return False
        return None if not rest.strip() else False
    return False


def tool_name(tool: dict[str, Any]) -> str:
    return str(tool.get("function", tool).get("name", ""))


def tool_parameters(tool: dict[str, Any]) -> dict[str, Any]:
    params = tool.get("function", tool).get("parameters") or {"type": "object", "properties": {}}
    return dict(params)


def _rename_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = "#/$defs/" + prefix + value[len("#/$defs/") :]
            elif key == "$ref" and isinstance(value, str) and value.startswith("#/definitions/"):
                out[key] = "#/$defs/" + prefix + value[len("#/definitions/") :]
            else:
                out[key] = _rename_refs(value, prefix)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, prefix) for v in node]
    return node


def call_schema(tools: list[dict[str, Any]]) -> dict[str, Any]:
    """A JSON schema that only admits `{"name": <an offered tool>, "arguments": <its parameters>}`.

    Each tool's `$defs` are hoisted to the root under a per-tool prefix, so several pydantic-made
    schemas can share one grammar without their definitions colliding.
    """
    defs: dict[str, Any] = {}
    variants = []
    for i, tool in enumerate(tools):
        prefix = f"t{i}_"
        params = _rename_refs(tool_parameters(tool), prefix)
        for key in ("$defs", "definitions"):
            for def_name, def_schema in (params.pop(key, None) or {}).items():
                defs[prefix + def_name] = def_schema
        params.pop("$schema", None)
        params.pop("title", None)
        variants.append(
            {
                "type": "object",
                "properties": {"name": {"const": tool_name(tool)}, "arguments": params},
                "required": ["name", "arguments"],
                "additionalProperties": False,
            }
        )
    schema: dict[str, Any] = variants[0] if len(variants) == 1 else {"anyOf": variants}
    if defs:
        schema = {**schema, "$defs": defs}
    return schema


def arguments_schema(tool: dict[str, Any]) -> dict[str, Any]:
    """The parameters schema of one tool, as the grammar for a forced call's arguments."""
    params = tool_parameters(tool)
    params.pop("$schema", None)
    return params


__all__ = [
    "TOOL_CALL_CLOSE",
    "TOOL_CALL_OPEN",
    "ToolCall",
    "arguments_schema",
    "call_schema",
    "looks_like_tool_call_start",
    "new_call_id",
    "parse_tool_calls",
    "tool_name",
    "tool_parameters",
]
