"""WSGI middleware (Flask, or any WSGI app with a route resolver): the same metrics, request id
and log line as the ASGI middleware.

`endpoint` comes from `route_of(environ)`; `flask_routes(app)` resolves through Flask's URL map
and writes its templates the ASGI way (`/orders/<int:order_id>` -> `/orders/{order_id}`), so
dashboards see one spelling whichever framework served the request.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import structlog

from erpmon.instrument._asgi import REQUEST_ID_HEADER, UNMATCHED
from erpmon.instrument._logs import bind_request, clear_request
from erpmon.instrument._metrics import ERPGoMetrics

RouteOf = Callable[[dict[str, Any]], str | None]
_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
log = structlog.get_logger("erpgo.http")


def flask_routes(app: Any) -> RouteOf:
    def route_of(environ: dict[str, Any]) -> str | None:
        try:
            rule, _ = app.url_map.bind_to_environ(environ).match(return_rule=True)
        except Exception:  # NotFound, MethodNotAllowed, RequestRedirect: not a route template
            return None
        return _CONVERTER.sub(r"{\1}", rule.rule)

    return route_of


class ERPGoWSGIMiddleware:
    def __init__(self, app: Callable[..., Iterable[bytes]], metrics: ERPGoMetrics, route_of: RouteOf) -> None:
        self.app = app
        self.metrics = metrics
        self.route_of = route_of

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        endpoint = self.route_of(environ) or UNMATCHED
        request_id = environ.get("HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")) or uuid.uuid4().hex
        bind_request(request_id=request_id, method=method, endpoint=endpoint)
        status = [500]
        started = time.perf_counter()

        def recording_start(status_line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = int(status_line.split(" ", 1)[0])
            return start_response(status_line, [*headers, ("X-Request-ID", request_id)], exc_info)

        error: str | None = None
        try:
            yield from self.app(environ, recording_start)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            duration = time.perf_counter() - started
            self.metrics.http_requests.labels(method, endpoint, str(status[0])).inc()
            self.metrics.http_duration.labels(method, endpoint).observe(duration)
            fields: dict[str, Any] = {"status_code": status[0], "duration": round(duration, 6)}
            if error is not None:
                fields["error"] = error
            (log.error if status[0] >= 500 else log.info)("request", **fields)
            clear_request()
