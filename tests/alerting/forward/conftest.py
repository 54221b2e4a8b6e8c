"""Alertmanager stand-ins on 127.0.0.1 that record what the forwarder posts to them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def alerts(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = json.loads(self.body)
        return data


@dataclass
class CaptureAM:
    """Answers every POST with `status` after `delay_s`, recording each request."""

    address: str = ""
    status: int = 200
    delay_s: float = 0.0
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self) -> list[Request]:
        with self.lock:
            return list(self.requests)

    def wait_for(self, n: int, timeout: float = 10.0) -> list[Request]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received()
            if len(got) >= n:
                return got
            time.sleep(0.02)
        raise AssertionError(f"{self.address}: wanted {n} requests, got {len(self.received())}")


@pytest.fixture
def capture_am() -> Iterator[Callable[[], CaptureAM]]:
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start() -> CaptureAM:
        am = CaptureAM()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with am.lock:
                    am.requests.append(Request(self.path, dict(self.headers), body))
                if am.delay_s:
                    time.sleep(am.delay_s)
                self.send_response(am.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        am.address = f"127.0.0.1:{server.server_address[1]}"
        return am

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join()
