"""Launcher: llama-cpp-python's OpenAI server with Power Forge's chat handler and request normaliser.

    python -m pf_llm.serve --model PATH --alias NAME --host 127.0.0.1 --port N --threads 2 --ctx 4096

Started by the app (`models.llm_server.EmbeddedServer`) as a subprocess of this environment's Python,
so llama.cpp never shares a process or an environment with the app.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from pf_llm.messages import normalise_request
from pf_llm.plan import ToolChoiceError, plan_tools

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class NormaliseChatRequests:
    """ASGI middleware: rewrite chat-completion bodies with `normalise_request` before validation.

    Done at the HTTP edge because the server's pydantic request types reject valid OpenAI requests
    (assistant `content: null`, `json_schema` response formats) before any handler could see them.
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == "/health":
            # Answered here, outside the model lock: a busy server says it is alive (clients tell busy
            # from dead by it; `/v1/models` waits for the running generation).
            await _json_response(send, 200, {"status": "ok"})
            return
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("chat/completions"):
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay(message, receive), send)
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            data = json.loads(body)
            if isinstance(data, dict):
                data = normalise_request(data)
                plan_tools(data.get("tools"), data.get("tool_choice"), data.get("functions"), data.get("function_call"))
                body = json.dumps(data).encode()
        except ToolChoiceError as exc:  # answered here, so a streamed request gets a 400 too, not a cut stream
            await _json_response(send, 400, {"error": {"message": str(exc), "type": "invalid_request_error"}})
            return
        except (ValueError, TypeError, AttributeError):
            pass  # malformed: let the server answer with its own validation error
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await self.app(
            {**scope, "headers": headers},
            _replay({"type": "http.request", "body": body, "more_body": False}, receive),
            send,
        )


async def _json_response(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _replay(first: Message, receive: Receive) -> Receive:
    sent = False

    async def inner() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return first
        return await receive()

    return inner


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m pf_llm.serve", description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, type=Path, help="GGUF file")
    p.add_argument("--alias", required=True, help="model name clients send (LLM_MODEL)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--ctx", type=int, default=4096)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--api-key", default=None, help="require this bearer token (default: none)")
    p.add_argument("--access-log", action="store_true", help="log one line per HTTP request")
    p.add_argument("--verbose", action="store_true", help="llama.cpp's own logs and timings too")
    return p.parse_args(argv)


def build_app(args: argparse.Namespace) -> Any:
    """The FastAPI app: stock llama-cpp-python server, our handler as its chat format."""
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    from pf_llm.handler import register

    model = ModelSettings(
        model=str(args.model),
        model_alias=args.alias,
        n_ctx=args.ctx,
        n_batch=args.batch,
        n_threads=args.threads,
        n_threads_batch=args.threads,
        chat_format=register(),
        verbose=args.verbose,
    )
    # interrupt_requests=False: a second client waits its turn instead of cutting a stream short.
    server = ServerSettings(host=args.host, port=args.port, api_key=args.api_key, interrupt_requests=False)
    app = create_app(server_settings=server, model_settings=[model])
    app.add_middleware(NormaliseChatRequests)
    return app


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if not args.model.is_file():
        sys.exit(f"model file not found: {args.model} (install it with `powerforge models pull NAME`)")
    import uvicorn

    app = build_app(args)
    print(f"pf_llm: serving {args.alias} from {args.model} on http://{args.host}:{args.port}/v1", flush=True)
    level = "info" if args.verbose or args.access_log else "warning"
    uvicorn.run(app, host=args.host, port=args.port, log_level=level, access_log=args.access_log or args.verbose)


if __name__ == "__main__":
    main()
