"""A local HTTP server for tests: answers what a test tells it, records what it was asked."""

from __future__ import annotations

import contextlib
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]


@dataclass
class Reply:
    """What to answer: status, JSON or raw body, and an optional trickle delay per byte."""

    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"
    trickle: float = 0.0


@dataclass
class FakeServer:
    """The server's URL, the requests it got, and the function choosing each reply."""

    url: str
    answer: Callable[[Request], Reply] = field(default=lambda request: Reply())
    requests: list[Request] = field(default_factory=list)


def _handler(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, form: dict[str, str]) -> None:
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            request = Request(self.command, parts.path, query, form)
            fake.requests.append(request)
            reply = fake.answer(request)
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            if not reply.trickle:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up
                self._write(reply)

        def _write(self, reply: Reply) -> None:
            if not reply.trickle:
                self.wfile.write(reply.body)
                return
            for byte in reply.body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(reply.trickle)

        def do_GET(self) -> None:
            self._reply({})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            self._reply(dict(urllib.parse.parse_qsl(body)))

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(path: str = "/") -> Iterator[FakeServer]:
    """Run a fake server on 127.0.0.1 for the duration of a ``with`` block."""
    fake = FakeServer(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
