"""Make OpenAI chat requests renderable by a model's own GGUF chat template.

Two layers, both pure (standard library only, unit-tested from the app's environment):

- `normalise_request` rewrites the raw JSON body before llama-cpp-python's server validates it. Real
  clients send shapes its types reject: langchain-openai sends `"content": null` on the assistant
  message of every tool loop (the stock server answers 500), newer clients send
  `max_completion_tokens`, `developer` roles, content as a list of parts and OpenAI's
  `response_format: {"type": "json_schema", ...}`.
- `prepare_messages` shapes the history for the template: tool-call arguments as objects (HF
  templates `tojson` them), and, for templates that know nothing of tools (SmolLM2), the tool list
  injected Hermes-style into the system prompt with calls and results written out as text.
"""

from __future__ import annotations

import json
from typing import Any

from pf_llm.toolcalls import TOOL_CALL_CLOSE, TOOL_CALL_OPEN, new_call_id

HERMES_TOOLS_INTRO = (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
)
HERMES_TOOLS_OUTRO = (
    "\n</tools>\n\nFor each function call, return a json object with function name and arguments "
    "within <tool_call></tool_call> XML tags:\n<tool_call>\n"
    '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
)


def content_text(content: Any) -> str:
    """Message content as one string: None → "", a list of parts → their text joined."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and part.get("type") in ("text", "input_text"):
                texts.append(str(part.get("text", "")))
            elif isinstance(part, dict):
                texts.append(f"[{part.get('type', 'part')} omitted]")
        return "\n".join(texts)
    return str(content)


def _normalise_tool_call(call: Any) -> dict[str, Any]:
    call = dict(call) if isinstance(call, dict) else {}
    fn = dict(call.get("function") or {})
    args = fn.get("arguments", "{}")
    if not isinstance(args, str):
        args = json.dumps(args, ensure_ascii=False)
    return {
        "id": str(call.get("id") or new_call_id()),
        "type": "function",
        "function": {"name": str(fn.get("name", "")), "arguments": args or "{}"},
    }


def normalise_message(message: dict[str, Any]) -> dict[str, Any]:
    """One message in a shape the server's request types accept, nothing of its meaning lost."""
    msg = dict(message)
    role = msg.get("role")
    if role == "developer":
        msg["role"] = role = "system"
    msg["content"] = content_text(msg.get("content"))  # text-only models: parts become text
    if role == "assistant":
        if msg.get("tool_calls"):
            msg["tool_calls"] = [_normalise_tool_call(c) for c in msg["tool_calls"]]
        else:
            msg.pop("tool_calls", None)
        if msg.get("function_call") is None:
            msg.pop("function_call", None)
    if role == "tool":
        msg["tool_call_id"] = str(msg.get("tool_call_id") or "")
    return msg


def normalise_response_format(fmt: Any) -> Any:
    """OpenAI's `json_schema` format → llama-cpp-python's `json_object` + `schema` (grammar-enforced)."""
    if not isinstance(fmt, dict):
        return fmt
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") or {}
        schema = spec.get("schema") if isinstance(spec, dict) else None
        return {"type": "json_object", "schema": schema} if schema else {"type": "json_object"}
    return fmt


def normalise_request(body: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a `/v1/chat/completions` body so that every valid OpenAI request validates here."""
    out = dict(body)
    if isinstance(out.get("messages"), list):
        out["messages"] = [normalise_message(m) if isinstance(m, dict) else m for m in out["messages"]]
    if "response_format" in out:
        out["response_format"] = normalise_response_format(out["response_format"])
    if out.get("max_tokens") is None and out.get("max_completion_tokens") is not None:
        out["max_tokens"] = out["max_completion_tokens"]
    if out.get("tools") == []:
        out.pop("tools")
        out.pop("tool_choice", None)
    stop = out.get("stop")
    if isinstance(stop, list) and not stop:
        out.pop("stop")
    return out


def template_supports_tools(template: str) -> bool:
    """Whether a chat template renders the `tools` variable itself (Qwen2.5 does, SmolLM2 does not)."""
    return "tools" in template


def hermes_tools_block(tools: list[dict[str, Any]]) -> str:
    """The tool list written out the way Hermes/Qwen-trained models expect it in the system prompt."""
    lines = "".join("\n" + json.dumps(t, ensure_ascii=False) for t in tools)
    return HERMES_TOOLS_INTRO + lines + HERMES_TOOLS_OUTRO


def _args_obj(arguments: Any) -> Any:
    if isinstance(arguments, str):
        try:
            return json.JSONDecoder(strict=False).decode(arguments) if arguments.strip() else {}
        except json.JSONDecodeError:
            return arguments
    return arguments


def _call_text(call: dict[str, Any]) -> str:
    fn = call.get("function") or {}
    payload = {"name": fn.get("name", ""), "arguments": _args_obj(fn.get("arguments", "{}"))}
    return f"{TOOL_CALL_OPEN}\n{json.dumps(payload, ensure_ascii=False)}\n{TOOL_CALL_CLOSE}"


def prepare_messages(
    messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None, native_tools: bool
) -> list[dict[str, Any]]:
    """Messages ready for the template.

    `native_tools`: the template renders `tools`, assistant `tool_calls` and `tool` messages itself;
    only arguments are decoded. Otherwise tool calls become `<tool_call>` text, tool results become a
    user turn of `<tool_response>` blocks, and the tool list (when given) joins the system prompt.
    """
    out: list[dict[str, Any]] = []
    for raw in messages:
        msg = normalise_message(raw)
        role = msg["role"]
        if role == "function":  # legacy function result
            msg = {"role": "tool", "content": msg["content"], "tool_call_id": msg.get("name", "")}
            role = "tool"
        if native_tools:
            if role == "assistant" and msg.get("tool_calls"):
                calls = []
                for c in msg["tool_calls"]:
                    fn = dict(c["function"])
                    fn["arguments"] = _args_obj(fn["arguments"])
                    calls.append({**c, "function": fn})
                msg["tool_calls"] = calls
            out.append(msg)
            continue
        if role == "assistant" and msg.get("tool_calls"):
            parts = [msg["content"]] if msg["content"] else []
            parts += [_call_text(c) for c in msg["tool_calls"]]
            out.append({"role": "assistant", "content": "\n".join(parts)})
        elif role == "tool":
            block = f"<tool_response>\n{msg['content']}\n</tool_response>"
            prev = out[-1] if out else None
            if prev is not None and prev.get("_tool_results"):
                prev["content"] += "\n" + block
            else:
                out.append({"role": "user", "content": block, "_tool_results": True})
        else:
            out.append({"role": role, "content": msg["content"]})
    for msg in out:
        msg.pop("_tool_results", None)
    if tools and not native_tools:
        block = hermes_tools_block(tools)
        if out and out[0]["role"] == "system":
            out[0] = {**out[0], "content": (out[0]["content"] + "\n\n" + block).strip()}
        else:
            out.insert(0, {"role": "system", "content": block})
    return out


__all__ = [
    "content_text",
    "hermes_tools_block",
    "normalise_message",
    "normalise_request",
    "normalise_response_format",
    "prepare_messages",
    "template_supports_tools",
]
