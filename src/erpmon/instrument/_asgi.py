"""ASGI middleware (Starlette, FastAPI): HTTP metrics by route template, a request id, one JSON
log line per request, and an OpenTelemetry span per request.

`endpoint` is the template of the route that matches (`/api/v1/orders/{order_id}`, mounts
included): found by matching the application's routes before the request, and checked against
the route the router records in the scope after it (FastAPI's included routers show their routes
only then); a path no route matches is "unmatched", so scanners cannot grow the series count.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Sequence
from typing import Any

import structlog
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from erpmon.instrument._logs import bind_request, clear_request
from erpmon.instrument._metrics import ERPGoMetrics

UNMATCHED = "unmatched"
REQUEST_ID_HEADER = "x-request-id"
log = structlog.get_logger("erpgo.http")
tracer = trace.get_tracer("erpmon.instrument")


def route_template(routes: Sequence[BaseRoute], scope: Scope, prefix: str = "") -> str | None:
    partial: str | None = None
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        path = getattr(route, "path", None)
        if path is None:  # a router whose template shows only after it ran (FastAPI's included routers)
            continue
        if isinstance(route, Mount):
            inner = route_template(route.routes, {**scope, **child}, prefix + path)
            if inner is None:
                continue
            template = inner
        else:
            template = prefix + path
        if match is Match.FULL:
            return template
        partial = partial or template  # right path, wrong method: still that route
    return partial


@contextlib.contextmanager
def _no_span(*_: Any, **__: Any) -> Iterator[trace.Span]:
    yield trace.INVALID_SPAN


def _resolved(guess: str | None, scope: Scope) -> str:
    path = getattr(scope.get("route"), "path", None)
    if not path:
        return guess or UNMATCHED
    # A mounted route records its own path; the guess has the mount's prefix too.
    return guess if guess and guess.endswith(path) else str(path)


def _tracing_on() -> bool:
    """Whether an SDK tracer provider is installed; without one, spans and context propagation are
    skipped entirely (they would be no-ops that still cost microseconds per request)."""
    return not isinstance(trace.get_tracer_provider(), (trace.ProxyTracerProvider, trace.NoOpTracerProvider))


class ERPGoMiddleware:
    def __init__(
        self, app: ASGIApp, metrics: ERPGoMetrics, *, log_requests: bool = True, trace_requests: bool = True
    ) -> None:
        """`trace_requests=False` where the framework makes its own server spans (recent FastAPI
        releases do once a tracer provider is set), so a request is not traced twice."""
        self.app = app
        self.metrics = metrics
        self.log_requests = log_requests
        self.trace_requests = trace_requests
        # Labelled children by label values: `labels()` costs a lock and a tuple per call.
        self._counts: dict[tuple[str, str, str], Any] = {}
        self._durations: dict[tuple[str, str], Any] = {}

    def _record(self, method: str, endpoint: str, status: int, duration: float) -> None:
        key = (method, endpoint, str(status))
        counter = self._counts.get(key)
        if counter is None:
            counter = self._counts[key] = self.metrics.http_requests.labels(*key)
        counter.inc()
        histogram = self._durations.get(key[:2])
        if histogram is None:
            histogram = self._durations[key[:2]] = self.metrics.http_duration.labels(method, endpoint)
        histogram.observe(duration)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        app = scope.get("app")
        routes = getattr(getattr(app, "router", None), "routes", None) or getattr(app, "routes", None) or []
        guess = route_template(routes, scope)
        endpoint = guess or UNMATCHED
        request_id = ""
        for k, v in scope.get("headers") or ():
            if k.lower() == b"x-request-id":
                request_id = v.decode("latin-1")
                break
        request_id = request_id or os.urandom(16).hex()
        if self.log_requests:
            bind_request(request_id=request_id, method=method, endpoint=endpoint)
        status = 500
        extra = (b"x-request-id", request_id.encode("latin-1"))

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), extra]}
            await send(message)

        error: str | None = None
        traced = self.trace_requests and _tracing_on()
        token = None
        if traced:
            carrier = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or ()
            }
            token = otel_context.attach(propagate.extract(carrier))
        try:
            with (tracer.start_as_current_span if traced else _no_span)(
                f"{method} {endpoint}", kind=trace.SpanKind.SERVER,
                attributes={
                    "http.request.method": method, "http.route": endpoint, "erpgo.request_id": request_id,
                },
            ) as span:  # fmt: skip
                try:
                    await self.app(scope, receive, send_wrapper)
                except Exception as exc:
                    error = f"{type(exc).__name__}: {exc}"
                    span.record_exception(exc)
                    raise
                finally:
                    endpoint = _resolved(guess, scope)
                    if traced:
                        span.update_name(f"{method} {endpoint}")
                        span.set_attribute("http.route", endpoint)
                        span.set_attribute("http.response.status_code", status)
                        if status >= 500:
                            span.set_status(trace.StatusCode.ERROR)
        finally:
            duration = time.perf_counter() - started
            self._record(method, endpoint, status, duration)
            if self.log_requests:
                fields: dict[str, Any] = {
                    "endpoint": endpoint, "status_code": status, "duration": round(duration, 6),
                }  # fmt: skip
                if error is not None:
                    fields["error"] = error
                (log.error if status >= 500 else log.info)("request", **fields)
                clear_request()
            if token is not None:
                otel_context.detach(token)
