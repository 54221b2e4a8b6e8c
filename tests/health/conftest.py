"""Real dependencies for the health checks: PostgreSQL and Redis from Debian's packages, started on
127.0.0.1 by the fixtures (CI installs them; a machine without them fails here, it does not skip),
and HTTP servers that answer well, slowly, wrongly, with bad JSON, or with bad certificates."""

from __future__ import annotations

import glob
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme
from tests.support import free_port, start_erpmon

__all__ = ["start_erpmon"]


def _binary(pattern: str, name: str) -> str:
    found = sorted(glob.glob(pattern)) or ([p] if (p := shutil.which(name)) else [])
    if not found:
        pytest.fail(f"{name} is not installed: apt-get install postgresql redis-server (.ci/run does)")
    return found[-1]


@dataclass
class Postgres:
    dsn: str
    port: int


def _as_postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root; Debian's package creates the `postgres` user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    initdb = _binary("/usr/lib/postgresql/*/bin/initdb", "initdb")
    server = str(Path(initdb).with_name("postgres"))
    base = tempfile.mkdtemp(prefix="erpmon-pg-")
    os.chmod(base, 0o755)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data = os.path.join(base, "data")
    subprocess.run(
        [*_as_postgres_user(), initdb, "-D", data, "-U", "erpgo", "--auth=trust", "--no-sync"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    proc = subprocess.Popen(
        [*_as_postgres_user(), server, "-D", data, "-p", str(port), "-k", base,
         "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=20"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    dsn = f"postgresql://erpgo@127.0.0.1:{port}/postgres"
    try:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(dsn, connect_timeout=1).close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        yield Postgres(dsn, port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    binary = _binary("/usr/bin/redis-server", "redis-server")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import socket

        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


class Behaviour:
    """What the test HTTP server answers; tests flip it while a check runs."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b'{"status": "healthy"}'
        self.delay_s = 0.0
        self.content_type = "application/json"


@dataclass
class App:
    url: str
    behaviour: Behaviour


def _serve(behaviour: Behaviour, ctx: ssl.SSLContext | None = None) -> Iterator[App]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if behaviour.delay_s:
                time.sleep(behaviour.delay_s)
            self.send_response(behaviour.status)
            self.send_header("Content-Type", behaviour.content_type)
            self.send_header("Content-Length", str(len(behaviour.body)))
            self.end_headers()
            self.wfile.write(behaviour.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if ctx is not None:
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if ctx is not None else "http"
    try:
        yield App(f"{scheme}://127.0.0.1:{server.server_address[1]}", behaviour)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def app() -> Iterator[App]:
    yield from _serve(Behaviour())


@dataclass
class TLSApps:
    ca_file: str
    valid: App
    expiring: App
    expired: App
    self_signed: App


@pytest.fixture
def tls_apps(tmp_path: Path) -> Iterator[TLSApps]:
    import datetime as dt

    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    now = dt.datetime.now(dt.UTC)

    def ctx_for(cert: trustme.LeafCert) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(ctx)
        return ctx

    valid = ca.issue_cert("127.0.0.1", not_after=now + dt.timedelta(days=365))
    expiring = ca.issue_cert("127.0.0.1", not_after=now + dt.timedelta(days=3))
    expired = ca.issue_cert(
        "127.0.0.1", not_before=now - dt.timedelta(days=30), not_after=now - dt.timedelta(days=1)
    )
    other = trustme.CA().issue_cert("127.0.0.1")  # signed by a CA the client does not trust
    gens = [_serve(Behaviour(), ctx_for(c)) for c in (valid, expiring, expired, other)]
    apps = [next(g) for g in gens]
    try:
        yield TLSApps(str(ca_file), *apps)
    finally:
        for g in gens:
            for _ in g:
                pass
