"""A real HTTP server on 127.0.0.1 that speaks enough of the Open Food Facts API for our client.

It serves recorded product responses (the project's own fixtures or `../shared/data/off`), answers
`/api/v2/product/<code>` and `/cgi/search.pl` like OFF does (404 + status 0 for unknown codes,
`fields=` honoured), counts every request with its time and User-Agent, and misbehaves on demand:

    mode = "ok" | "429" | "503" | "html" (a web page with 200) | "slow" (sleeps `slow_s`) | "reset"
    (closes the connection without answering) | "garbage" (200 with truncated JSON);
    `stop()` makes the port refuse connections, as a server that is down does.

Used by the integration tests and `bench/food_off_burst.py`; the client under test is the real SDK.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

HTML_PAGE = b"<!doctype html><html><head><title>Open Food Facts</title></head><body>Maintenance</body></html>"


@dataclass
class Hit:
    at: float
    path: str
    query: dict[str, list[str]]
    user_agent: str
    status: int


@dataclass
class OffServer:
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    mode: str = "ok"
    slow_s: float = 8.0
    retry_after: str | None = "2"
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- data -----------------------------------------------------------------------------------
    def add_product(self, product: dict[str, Any], code: str | None = None) -> None:
        self.products[str(code or product["code"])] = product

    def load_recorded(self, folder: Path) -> int:
        """Load recorded product responses (`{"status":1,"product":{...}}` or a bare product) from a folder."""
        n = 0
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            product = data.get("product", data) if isinstance(data, dict) else None
            if isinstance(product, dict) and product.get("code"):
                self.add_product(product)
                n += 1
        return n

    # --- lifecycle ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> OffServer:
        handler = _make_handler(self)
        self._httpd = _QuietServer(("127.0.0.1", self.port), handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="off-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listening socket: later connections are refused (the server is 'down')."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> OffServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def count(self, prefix: str = "/") -> int:
        with self._lock:
            return sum(1 for h in self.hits if h.path.startswith(prefix))

    def max_per_window(self, prefix: str = "/api/", window_s: float = 60.0) -> int:
        """The most requests seen in any window of `window_s` seconds (what a rate limit counts)."""
        with self._lock:
            times = sorted(h.at for h in self.hits if h.path.startswith(prefix))
        best, j = 0, 0
        for i, t in enumerate(times):
            while times[j] < t - window_s:
                j += 1
            best = max(best, i - j + 1)
        return best


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up on purpose (timeouts, resets) are part of the tests, not errors to print."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def _make_handler(server: OffServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _record(self, status: int) -> None:
            # Recorded before the answer leaves, so a client that has its answer always finds its hit.
            url = urlparse(self.path)
            server.record(
                Hit(time.monotonic(), url.path, parse_qs(url.query), self.headers.get("User-Agent", ""), status)
            )

        def _send(self, status: int, body: bytes, ctype: str = "application/json", headers: dict | None = None) -> None:
            self._record(status)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            self._answer(url.path, query)

        def _answer(self, path: str, query: dict[str, list[str]]) -> int:
            mode = server.mode
            if mode == "reset":
                self._record(0)
                self.close_connection = True
                self.connection.close()
                return 0
            if mode == "slow":
                time.sleep(server.slow_s)
            if mode in ("429", "503"):
                headers = {"Retry-After": server.retry_after} if server.retry_after else {}
                self._send(int(mode), b'{"error":"too many requests"}', headers=headers)
                return int(mode)
            if mode == "html":
                self._send(200, HTML_PAGE, "text/html; charset=utf-8")
                return 200
            if mode == "garbage":
                self._send(200, b'{"status": 1, "product": {"code": ')
                return 200
            if path.startswith("/api/") and "/product/" in path:
                return self._product(path.rsplit("/", 1)[-1].removesuffix(".json"), query)
            if path == "/cgi/search.pl":
                return self._search(query)
            self._send(404, b'{"status":0,"status_verbose":"not found"}')
            return 404

        def _product(self, code: str, query: dict[str, list[str]]) -> int:
            product = server.products.get(code)
            if product is None:
                body = {"code": code, "status": 0, "status_verbose": "product not found"}
                self._send(404, json.dumps(body).encode())
                return 404
            fields = [f for f in (query.get("fields", [""])[0]).split(",") if f]
            if fields:
                product = {k: v for k, v in product.items() if k in fields or k == "code"}
            body = {"code": code, "product": product, "status": 1, "status_verbose": "product found"}
            self._send(200, json.dumps(body).encode())
            return 200

        def _search(self, query: dict[str, list[str]]) -> int:
            terms = query.get("search_terms", [""])[0].lower().split()
            size = int(query.get("page_size", ["20"])[0])
            found = [
                p
                for p in server.products.values()
                if all(t in json.dumps([p.get("product_name"), p.get("brands")]).lower() for t in terms)
            ][:size]
            body = {"count": len(found), "page": 1, "page_size": size, "products": found, "skip": 0}
            self._send(200, json.dumps(body).encode())
            return 200

    return Handler
