"""Scraping over HTTPS with tls_config: a CA file, server_name, insecure_skip_verify."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from erpmon.clock import FakeClock
from erpmon.config import parse_prometheus_config
from erpmon.scrape import Health, ScrapeManager
from erpmon.tsdb import TSDB

T0 = 1_700_000_000_000


@pytest.fixture
def https_target(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTPS target whose self-signed certificate is for erpgo.test only."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not on PATH")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", str(key),
         "-out", str(cert), "-subj", "/CN=erpgo.test", "-addext", "subjectAltName=DNS:erpgo.test"],
        check=True, capture_output=True,
    )  # fmt: skip

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"erpgo_up 1\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", cert
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("tls", "healthy"),
    [
        ("{{ca_file: {ca}, server_name: erpgo.test}}", True),
        ("{{ca_file: {ca}}}", False),  # the certificate does not name 127.0.0.1
        ("{{insecure_skip_verify: true}}", True),
        ("{{}}", False),  # not signed by a system CA
    ],
)
async def test_tls_config(db: TSDB, https_target: tuple[str, Path], tls: str, healthy: bool) -> None:
    address, ca = https_target
    text = (
        "scrape_configs:\n  - job_name: tls\n    scheme: https\n"
        f"    tls_config: {tls.format(ca=ca)}\n"
        f'    static_configs: [{{targets: ["{address}"]}}]\n'
    )
    manager = ScrapeManager(db, FakeClock(T0), run_loops=False)
    await manager.apply_config(parse_prometheus_config(text, "prometheus.yml"))
    pool = manager.pool("tls")
    assert pool is not None
    [loop] = pool.loops()
    await loop.scrape_once(T0)
    if healthy:
        assert loop.target.health is Health.UP, loop.target.last_error
    else:
        assert loop.target.health is Health.DOWN
        assert "certificate" in loop.target.last_error.lower() or "ssl" in loop.target.last_error.lower()
    await manager.stop()
