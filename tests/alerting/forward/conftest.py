"""Alertmanager stand-ins on 127.0.0.1 that record what the forwarder posts to them."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from tests.alerting.forward.helpers import CaptureAM, Request


@pytest.fixture
def capture_am() -> Iterator[Callable[..., CaptureAM]]:
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(tls: ssl.SSLContext | None = None) -> CaptureAM:
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
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
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
