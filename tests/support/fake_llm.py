"""A fake OpenAI-compatible server with ONE slot, for unit tests of the request queue.

Like the embedded llama.cpp server it answers one chat completion at a time (others wait on a lock),
answers `/health` at once even while busy, and can "die" the way a SIGKILLed server does: the
connection of the request in flight is cut without an answer and the port stops accepting.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from support.postgres import free_port


class FakeLLM:
    def __init__(self, delay_s: float = 1.0, port: int | None = None) -> None:
        self.delay_s = delay_s
        self.port = port or free_port()
        self.lock = threading.Lock()
        self.served = 0
        self.in_flight = threading.Event()
        self.die_on_next = False
        self.die_mid_stream = False  # the next streamed answer is cut after its first piece (SIGKILL mid-reply)
        self.health_hangs = False
        self.seen: list[dict[str, Any]] = []
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeLLM:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # streamed answers are chunked, as uvicorn sends them: a cut is seen

            def log_message(self, *args: Any) -> None:
                pass

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def _json(self, code: int, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.send_header("connection", "close")  # one request a connection, as before HTTP/1.1
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path == "/health":
                    if fake.health_hangs:
                        time.sleep(30)
                    self._json(200, {"status": "ok"})
                elif self.path.endswith("/models"):
                    with fake.lock:  # like llama-cpp-python: waits for the running generation
                        self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
                else:
                    self._json(404, {})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                fake.seen.append(body)
                with fake.lock:
                    fake.in_flight.set()
                    if fake.die_on_next:
                        fake.die_on_next = False
                        fake.kill()
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    time.sleep(fake.delay_s)
                    fake.served += 1
                    text = f"answer {fake.served}"
                    fake.in_flight.clear()
                if body.get("stream"):
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    self.send_header("transfer-encoding", "chunked")
                    self.send_header("connection", "close")
                    self.end_headers()
                    for i, piece in enumerate((text[:3], text[3:])):
                        if i and fake.die_mid_stream:
                            fake.die_mid_stream = False
                            fake.kill()
                            self.connection.shutdown(socket.SHUT_RDWR)
                            return
                        delta = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                        chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                                 "choices": [delta]}  # fmt: skip
                        self._chunk(f"data: {json.dumps(chunk)}\n\n".encode())
                    self._chunk(b"data: [DONE]\n\n")
                    self._chunk(b"")
                    return
                self._json(200, {
                    "id": "c", "object": "chat.completion", "created": 0, "model": "fake",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                })  # fmt: skip

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def kill(self) -> None:
        """Stop accepting connections at once (the port refuses, as after SIGKILL)."""
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.socket.close()
            threading.Thread(target=httpd.shutdown, daemon=True).start()

    def stop(self) -> None:
        self.kill()
