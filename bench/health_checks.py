"""How many checks a second one erpmon runs: N http checks against a local server, run together,
and the cost of exporting their metrics.

    .venv/bin/python bench/health_checks.py [--checks 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, generate_latest

from erpmon.health import HealthRunner, parse_checks_config


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = b'{"status": "healthy"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


async def run(checks: int, rounds: int, url: str) -> None:
    text = "checks:\n" + "".join(
        f"  - {{name: c{i}, type: http, url: '{url}/health', json_field: status, json_equals: healthy}}\n"
        for i in range(checks)
    )
    registry = CollectorRegistry()
    runner = HealthRunner(parse_checks_config(text), registry=registry)
    took = []
    for _ in range(rounds):
        t = time.perf_counter()
        results = await runner.run_all()
        took.append(time.perf_counter() - t)
        assert all(r.status == "ok" for r in results), [r.message for r in results if r.status != "ok"][:3]
    t = time.perf_counter()
    exposition = generate_latest(registry)
    export = time.perf_counter() - t
    median = statistics.median(took)
    rate = checks / median
    print(f"http checks: {checks} per round, median round {median * 1000:.0f} ms -> {rate:,.0f} checks/s")
    lines = exposition.count(b"\n")
    print(f"metrics export: {export * 1000:.1f} ms for {lines} lines")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    ThreadingHTTPServer.request_queue_size = 1024  # the default backlog of 5 drops simultaneous connects
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        asyncio.run(run(args.checks, args.rounds, f"http://127.0.0.1:{server.server_address[1]}"))
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
