"""Instrumentation for ERPGo services: what the ERPGo pack's rules and dashboards read.

Usable on its own (no erpmon server needed); the guide's Go packages pkg/metrics, pkg/logger and
pkg/tracing become:
- `ERPGoMetrics`: every `erpgo_*` metric of the pack's METRICS.md, with helpers named after what
  happened (`order_created(value)`, `auth_attempt(success=, ip=)`...), and a top-N guard on the
  per-IP series;
- `ERPGoMiddleware` (ASGI: Starlette, FastAPI) and `ERPGoWSGIMiddleware` (Flask): HTTP metrics by
  route template, a propagated request id, one JSON log line per request, a span per request;
- `instrument_engine()`: SQLAlchemy pool gauges, wait time, query durations and errors, spans;
- `configure_logging()`, `bind_user()`: structured JSON logs (structlog);
- `setup_tracing()`: OpenTelemetry with an OTLP exporter, off by default;
- `metrics_endpoint` / `render()`: /metrics, merging every worker in multiprocess mode.
"""

from erpmon.instrument._asgi import UNMATCHED, ERPGoMiddleware, route_template
from erpmon.instrument._exposition import exposition_registry, mark_process_dead, metrics_endpoint, render
from erpmon.instrument._logs import bind_user, configure_logging
from erpmon.instrument._metrics import OTHER, ERPGoMetrics, TopN
from erpmon.instrument._sqlalchemy import describe_statement, instrument_engine
from erpmon.instrument._tracing import setup_tracing
from erpmon.instrument._wsgi import ERPGoWSGIMiddleware, flask_routes

__all__ = [
    "OTHER",
    "UNMATCHED",
    "ERPGoMetrics",
    "ERPGoMiddleware",
    "ERPGoWSGIMiddleware",
    "TopN",
    "bind_user",
    "configure_logging",
    "describe_statement",
    "exposition_registry",
    "flask_routes",
    "instrument_engine",
    "mark_process_dead",
    "metrics_endpoint",
    "render",
    "route_template",
    "setup_tracing",
]
