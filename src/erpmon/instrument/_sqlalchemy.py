"""Database metrics and spans from SQLAlchemy's events (the guide's database.go and
database_metrics.go).

Pool gauges follow the pool's connect / checkout / checkin / close events; the time spent waiting
for a pooled connection is measured around the pool's get. Each statement is timed from
before_cursor_execute to after_cursor_execute into `erpgo_database_query_duration_seconds
{query_type, table}` (the statement's first keyword and first table), failures are counted by
error type, and each gets an OpenTelemetry client span.
"""

from __future__ import annotations

import re
import time
from typing import Any

from opentelemetry import trace
from sqlalchemy import event
from sqlalchemy.engine import Engine

from erpmon.instrument._metrics import ERPGoMetrics

_TABLE = re.compile(r"\b(?:from|into|update|join|table)\s+[\"`\[]?([A-Za-z_][\w.]*)", re.IGNORECASE)
tracer = trace.get_tracer("erpmon.instrument.db")


def describe_statement(statement: str) -> tuple[str, str]:
    """(query_type, table): `select`, `insert`... and the first table named, or "unknown"."""
    words = statement.lstrip().split(None, 1)
    query_type = words[0].lower() if words else "unknown"
    if query_type == "with":
        query_type = "select"
    m = _TABLE.search(statement)
    return query_type, (m.group(1).rsplit(".", 1)[-1].lower() if m else "unknown")


def instrument_engine(engine: Engine, metrics: ERPGoMetrics) -> None:
    pool = engine.pool
    state = {"open": 0, "in_use": 0}
    size = getattr(pool, "size", None)
    overflow = getattr(pool, "_max_overflow", 0)
    metrics.db_max.set((size() + max(0, overflow)) if callable(size) else 0)

    def publish() -> None:
        metrics.db_active.set(state["open"])
        metrics.db_in_use.set(state["in_use"])
        metrics.db_idle.set(max(0, state["open"] - state["in_use"]))

    @event.listens_for(pool, "connect")
    def _connect(*_: Any) -> None:
        state["open"] += 1
        publish()

    @event.listens_for(pool, "close")
    def _close(*_: Any) -> None:
        state["open"] = max(0, state["open"] - 1)
        publish()

    @event.listens_for(pool, "checkout")
    def _checkout(*_: Any) -> None:
        state["in_use"] += 1
        publish()

    @event.listens_for(pool, "checkin")
    def _checkin(*_: Any) -> None:
        state["in_use"] = max(0, state["in_use"] - 1)
        publish()

    do_get = getattr(pool, "_do_get", None)
    if do_get is not None:  # no pool event fires before a checkout waits: time the pool's get

        def timed_get() -> Any:
            started = time.perf_counter()
            try:
                return do_get()
            finally:
                metrics.db_wait.inc(time.perf_counter() - started)

        pool._do_get = timed_get  # type: ignore[method-assign]

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        query_type, table = describe_statement(statement)
        span = tracer.start_span(
            f"{query_type} {table}", kind=trace.SpanKind.CLIENT,
            attributes={"db.system": engine.dialect.name, "db.operation": query_type, "db.sql.table": table,
                        "db.statement": statement[:1000]},
        )  # fmt: skip
        conn.info.setdefault("erpgo_query", []).append((time.perf_counter(), query_type, table, span))

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        started, query_type, table, span = conn.info["erpgo_query"].pop()
        metrics.query(query_type, table, time.perf_counter() - started)
        span.end()

    @event.listens_for(engine, "handle_error")
    def _error(ctx: Any) -> None:
        stack = ctx.connection.info.get("erpgo_query") if ctx.connection is not None else None
        if stack:
            started, query_type, table, span = stack.pop()
            metrics.query(query_type, table, time.perf_counter() - started)
            span.record_exception(ctx.original_exception)
            span.set_status(trace.StatusCode.ERROR)
            span.end()
        else:
            query_type, table = describe_statement(ctx.statement or "")
        metrics.query_failed(query_type, table, type(ctx.original_exception).__name__)
