"""Each probe against real targets: HTTP servers that answer well, slowly, wrongly, with bad JSON
or bad certificates; PostgreSQL and Redis; a DNS server; processes; commands; metrics endpoints."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import dns.message
import dns.rrset
import pytest
from tests.health.conftest import App, Postgres, TLSApps
from tests.support import free_port

from erpmon.health import HealthRunner, parse_checks_config


async def run(yaml_check: str) -> Any:
    cfg = parse_checks_config("checks:\n  - " + yaml_check.replace("\n", "\n    "))
    runner = HealthRunner(cfg)
    [result] = await runner.run_all()
    return result


async def test_http_ok_wrong_code_slow_and_timeout(app: App) -> None:
    r = await run(f"{{name: api, type: http, url: '{app.url}/health', max_latency: 500ms}}")
    assert (r.status, r.success, r.http_status) == ("ok", True, 200)
    app.behaviour.status = 503
    r = await run(f"{{name: api, type: http, url: '{app.url}/health'}}")
    assert (r.status, r.message) == ("critical", "HTTP 503, want 2xx")
    r = await run(
        f"{{name: api, type: http, url: '{app.url}/x', expect_status: [200, 401], severity: warning}}"
    )
    assert (r.status, r.message) == ("warning", "HTTP 503, want 200, 401")
    app.behaviour.status = 200
    app.behaviour.delay_s = 0.3
    r = await run(f"{{name: api, type: http, url: '{app.url}/health', max_latency: 100ms}}")
    assert r.status == "warning" and r.message.startswith("slow: answered in") and r.success
    r = await run(f"{{name: api, type: http, url: '{app.url}/health', timeout: 100ms}}")
    assert r.status == "critical" and "timed out" in r.message


async def test_http_json_field_and_body(app: App) -> None:
    url = f"{app.url}/api/v1/health/db"
    check = f"{{name: db, type: http, url: '{url}', json_field: status, json_equals: healthy}}"
    assert (await run(check)).status == "ok"
    app.behaviour.body = b'{"status": "degraded"}'
    r = await run(check)
    assert r.message == '.status is "degraded", want "healthy"'
    app.behaviour.body = b"<html>oops</html>"
    r = await run(check)
    assert r.status == "critical" and r.message.startswith("body is not JSON")
    app.behaviour.body = b'{"checks": {"db": "ok"}}'
    r = await run(check)
    assert r.message == "JSON field .status is missing"
    r = await run(f"{{name: b, type: http, url: '{app.url}/', body_regex: 'db.: .ok'}}")
    assert r.status == "ok"
    r = await run(f"{{name: b, type: http, url: '{app.url}/', body_regex: 'healthy'}}")
    assert r.message == "body does not match 'healthy'"


async def test_http_certificates(tls_apps: TLSApps) -> None:
    ca = tls_apps.ca_file
    r = await run(f"{{name: t, type: http, url: '{tls_apps.valid.url}/', ca_file: '{ca}'}}")
    assert r.status == "ok" and r.cert_expiry_s is not None and "cert_expires" in r.details
    r = await run(f"{{name: t, type: http, url: '{tls_apps.expiring.url}/', ca_file: '{ca}'}}")
    assert r.status == "warning" and r.success
    assert r.message in ("TLS certificate expires in 2.9 days", "TLS certificate expires in 3.0 days")
    r = await run(f"{{name: t, type: http, url: '{tls_apps.expired.url}/', ca_file: '{ca}'}}")
    assert (r.status, r.message) == ("critical", "TLS certificate: certificate has expired")
    r = await run(f"{{name: t, type: http, url: '{tls_apps.self_signed.url}/', ca_file: '{ca}'}}")
    assert r.status == "critical" and r.message.startswith("TLS certificate: ")
    assert "issuer" in r.message or "self" in r.message
    r = await run(f"{{name: t, type: http, url: '{tls_apps.self_signed.url}/', insecure_skip_verify: true}}")
    assert r.status == "ok"


async def test_tcp(app: App) -> None:
    host_port = app.url.removeprefix("http://")
    assert (await run(f"{{name: t, type: tcp, address: '{host_port}'}}")).status == "ok"
    r = await run(f"{{name: t, type: tcp, address: '127.0.0.1:{free_port()}'}}")
    assert r.message.endswith("Connection refused")


async def test_postgres(postgres: Postgres) -> None:
    r = await run(f"{{name: db, type: postgres, dsn: '{postgres.dsn}'}}")
    assert r.status == "ok", r.message
    assert r.details["max_connections"] == 20 and r.details["connections"] >= 1
    r = await run(f"{{name: db, type: postgres, dsn: '{postgres.dsn}', connections_warning: 0.01}}")
    assert r.status == "warning" and "of 20 connections in use" in r.message
    r = await run(f"{{name: db, type: postgres, dsn: 'postgresql://erpgo@127.0.0.1:{free_port()}/postgres'}}")
    assert r.status == "critical" and r.message.startswith("connect:") and "refused" in r.message


async def test_redis(redis_url: str) -> None:
    r = await run(f"{{name: cache, type: redis, url: '{redis_url}'}}")
    assert r.status == "ok" and r.details["used_memory_bytes"] > 0
    r = await run(f"{{name: cache, type: redis, url: '{redis_url}', memory_warning: 1KiB}}")
    assert r.status == "warning" and r.message.startswith("used memory")
    r = await run(f"{{name: cache, type: redis, url: 'redis://127.0.0.1:{free_port()}/0', retries: 0}}")
    assert r.status == "critical" and "ConnectionError" in r.message


@pytest.fixture
def dns_server() -> Iterator[str]:
    """A tiny authoritative server: orders.erpgo.test A 10.0.0.7; everything else NXDOMAIN."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(4096)
            except OSError:
                continue
            query = dns.message.from_wire(data)
            reply = dns.message.make_response(query)
            q = query.question[0]
            if q.name.to_text() == "orders.erpgo.test.":
                reply.answer.append(dns.rrset.from_text(q.name, 60, "IN", "A", "10.0.0.7"))
            else:
                reply.set_rcode(dns.rcode.NXDOMAIN)
            sock.sendto(reply.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    thread.join()
    sock.close()


async def test_dns(dns_server: str) -> None:
    ok = f"{{name: d, type: dns, query: orders.erpgo.test, server: '{dns_server}', expect: [10.0.0.7]}}"
    r = await run(ok)
    assert r.status == "ok" and r.details["answers"] == ["10.0.0.7"]
    r = await run(ok.replace("10.0.0.7]", "10.0.0.8]"))
    assert r.message == "orders.erpgo.test A is 10.0.0.7; missing 10.0.0.8"
    r = await run(f"{{name: d, type: dns, query: nope.erpgo.test, server: '{dns_server}'}}")
    assert r.message == "nope.erpgo.test: no such domain"


async def test_process() -> None:
    marker = f"erpmon-health-test-{free_port()}"
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
    try:
        r = await run(f"{{name: p, type: process, match: '{marker}'}}")
        assert r.status == "ok" and r.details["pids"] == [proc.pid]
        r = await run(f"{{name: p, type: process, match: '{marker}', min_count: 2}}")
        assert r.message == f"1 process(es) match '{marker}', want at least 2"
    finally:
        proc.kill()
        proc.wait()
    r = await run(f"{{name: p, type: process, match: '{marker}'}}")
    assert r.status == "critical"


async def test_command() -> None:
    assert (await run("{name: c, type: command, command: ['true']}")).status == "ok"
    r = await run(
        f"{{name: c, type: command, command: ['{sys.executable}', '-c', 'print(\"disk 91%\"); exit(1)']}}"
    )
    assert (r.status, r.message) == ("warning", "exit code 1: disk 91%")
    r = await run("{name: c, type: command, command: ['sh', '-c', 'exit 2']}")
    assert (r.status, r.message) == ("critical", "exit code 2")
    r = await run("{name: c, type: command, command: ['sleep', '10'], timeout: 300ms}")
    assert (r.status, r.message) == ("critical", "killed after its timeout of 0.3s")
    r = await run("{name: c, type: command, command: ['/nonexistent/check']}")
    assert r.message.startswith("start /nonexistent/check:")


async def test_metrics_endpoint(app: App) -> None:
    app.behaviour.content_type = "text/plain; version=0.0.4"
    app.behaviour.body = b"# TYPE up gauge\nup 1\nerpgo_orders_total 5\n"
    r = await run(f"{{name: m, type: metrics, url: '{app.url}/metrics'}}")
    assert r.status == "ok" and r.details["series"] == 2
    app.behaviour.body = b"up 1\nthis is not a metric line\n"
    r = await run(f"{{name: m, type: metrics, url: '{app.url}/metrics'}}")
    assert r.status == "critical" and r.message.startswith("not a valid exposition:")


async def test_host_thresholds_and_score() -> None:
    r = await run(
        "{name: h, type: host, cpu_warning: 101, memory_warning: 101, disk_warning: 101, load_warning: 1000}"
    )
    assert r.status == "ok", r.message
    for key in ("cpu_percent", "memory_percent", "disk_percent", "load1", "uptime_seconds", "health_score"):
        assert key in r.details
    assert r.details["health_score"] in (100, 80, 85, 75, 65, 60, 40)
    r = await run(
        "{name: h, type: host, disk_warning: 0.0001, cpu_warning: 101, memory_warning: 101,"
        " load_warning: 1000}"
    )
    assert r.status == "warning" and r.message.startswith("disk at")


async def test_retries_then_success(app: App) -> None:
    app.behaviour.status = 500
    threading.Timer(0.2, lambda: setattr(app.behaviour, "status", 200)).start()
    r = await run(f"{{name: api, type: http, url: '{app.url}/', retries: 2}}")
    assert (r.status, r.attempts) == ("ok", 2)
