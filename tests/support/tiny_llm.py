"""A stand-in model server process for supervisor tests: answers every GET with `{}` on its port, so the
supervisor's start, health check, kill and restart run on a real process without llama.cpp."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from models.llm_server import EmbeddedServer

SERVER = """
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        self.send_response(200); self.send_header("content-length", "2"); self.end_headers(); self.wfile.write(b"{}")
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


class TinyServer(EmbeddedServer):
    def command(self) -> list[str]:
        return [sys.executable, "-c", SERVER, str(self.port)]


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False
