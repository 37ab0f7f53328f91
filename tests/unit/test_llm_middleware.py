"""The embedded server's HTTP edge (`pf_llm.serve.NormaliseChatRequests`) in front of a real ASGI app
that echoes what it received: bodies are rewritten before validation, bad tool choices are a 400."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "llm_server"))

from pf_llm.serve import NormaliseChatRequests, parse_args

TOOLS = [{"type": "function", "function": {"name": "log_set", "parameters": {"type": "object"}}}]


async def echo(scope, receive, send) -> None:
    """Answers with the body and content-length it was given."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    length = dict(scope["headers"]).get(b"content-length", b"").decode()
    payload = json.dumps({"path": scope["path"], "length": length, "body": body.decode()}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": payload})


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=NormaliseChatRequests(echo)), base_url="http://t")


async def test_chat_bodies_are_normalised_before_the_server_sees_them() -> None:
    request = {
        "model": "m",
        "messages": [
            {"role": "user", "content": "log it"},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "log_set", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "ok"},
        ],
        "tools": TOOLS,
        "max_completion_tokens": 9,
    }  # fmt: skip
    async with client() as c:
        r = await c.post("/v1/chat/completions", json=request)
    seen = r.json()
    body = json.loads(seen["body"])
    assert body["messages"][1]["content"] == "" and body["max_tokens"] == 9
    assert int(seen["length"]) == len(seen["body"].encode())  # the length header matches the new body


async def test_other_routes_and_junk_pass_through_untouched() -> None:
    async with client() as c:
        models = await c.post("/v1/completions", content=b'{"prompt": null}')
        junk = await c.post("/v1/chat/completions", content=b"not json")
    assert models.json()["body"] == '{"prompt": null}'
    assert junk.json()["body"] == "not json"  # the server's own validation answers it


async def test_unknown_forced_tool_is_a_400_before_any_generation() -> None:
    request = {"messages": [{"role": "user", "content": "hi"}], "tools": TOOLS, "stream": True,
               "tool_choice": {"type": "function", "function": {"name": "launch_rocket"}}}  # fmt: skip
    async with client() as c:
        r = await c.post("/v1/chat/completions", json=request)
    assert r.status_code == 400
    assert "launch_rocket" in r.json()["error"]["message"] and "log_set" in r.json()["error"]["message"]


def test_launcher_arguments() -> None:
    args = parse_args(["--model", "m.gguf", "--alias", "coach", "--port", "9", "--access-log"])
    assert (args.host, args.threads, args.ctx, args.access_log, args.api_key) == ("127.0.0.1", 2, 4096, True, None)
