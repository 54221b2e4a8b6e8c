"""What the instrumentation costs a request: the same Starlette app called directly through ASGI
(no network), with and without ERPGoMiddleware (metrics, request id; logging and tracing off, as
most deployments run them sampled), and with the JSON log line on.

    .venv/bin/python bench/instrument_overhead.py [--requests 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

import numpy as np
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from erpmon.instrument import ERPGoMetrics, ERPGoMiddleware, configure_logging


async def _order(_: object) -> PlainTextResponse:
    return PlainTextResponse("ok")


def build(instrumented: bool, log_requests: bool = False) -> Starlette:
    app = Starlette(routes=[Route("/api/v1/orders/{order_id}", _order)])
    if instrumented:
        app.add_middleware(
            ERPGoMiddleware, metrics=ERPGoMetrics(CollectorRegistry()), log_requests=log_requests
        )
    return app


async def timings(app: Starlette, n: int) -> np.ndarray:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": "/api/v1/orders/42", "raw_path": b"/api/v1/orders/42", "query_string": b"", "root_path": "",
        "headers": [(b"host", b"erpgo")], "client": ("127.0.0.1", 1), "server": ("erpgo", 80),
    }  # fmt: skip

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_: dict[str, object]) -> None:
        return None

    out = np.empty(n)
    for i in range(n):
        t = time.perf_counter()
        await app(dict(scope), receive, send)
        out[i] = time.perf_counter() - t
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=20000)
    args = parser.parse_args(argv)
    with open(os.devnull, "w") as sink:  # the log line is rendered as JSON and written
        configure_logging(stream=sink)
        run(args.requests)


def run(requests: int) -> None:
    results = {}
    for name, app in (
        ("plain", build(False)),
        ("instrumented", build(True)),
        ("with log line", build(True, True)),
    ):
        asyncio.run(timings(app, min(2000, requests)))  # warm up
        results[name] = asyncio.run(timings(app, requests)) * 1e6
    base50, base99 = np.percentile(results["plain"], [50, 99])
    for name, t in results.items():
        p50, p99 = np.percentile(t, [50, 99])
        print(f"{name:14s} p50 {p50:7.1f} us  p99 {p99:7.1f} us  overhead p50 {p50 - base50:+6.1f} us  "
              f"p99 {p99 - base99:+6.1f} us")  # fmt: skip


if __name__ == "__main__":
    main()
