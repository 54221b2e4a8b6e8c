"""The ASGI (FastAPI) and WSGI (Flask) middlewares: route templates, unmatched paths, status codes,
exceptions, the request id, JSON log lines, spans, and SQLAlchemy's metrics and spans."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, HTTPException
from flask import Flask
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from erpmon.instrument import (
    ERPGoMetrics,
    ERPGoMiddleware,
    ERPGoWSGIMiddleware,
    bind_user,
    configure_logging,
    describe_statement,
    flask_routes,
    instrument_engine,
)

_EXPORTER = InMemorySpanExporter()
_PROVIDER = TracerProvider()
_PROVIDER.add_span_processor(SimpleSpanProcessor(_EXPORTER))


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """OpenTelemetry allows one global provider per process; the tests share this one."""
    trace.set_tracer_provider(_PROVIDER)
    _EXPORTER.clear()
    yield _EXPORTER
    _EXPORTER.clear()


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(stream=stream)
    yield stream
    import logging

    logging.getLogger().handlers.clear()


def fastapi_app(metrics: ERPGoMetrics) -> FastAPI:
    app = FastAPI()
    router = APIRouter(prefix="/api/v1")

    @router.get("/orders/{order_id}")
    async def order(order_id: int) -> dict[str, int]:
        bind_user(42)
        if order_id == 0:
            raise HTTPException(404, "no such order")
        if order_id == 13:
            raise RuntimeError("unlucky")
        return {"id": order_id}

    app.include_router(router)
    app.add_middleware(ERPGoMiddleware, metrics=metrics)
    return app


def value(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


async def test_fastapi_route_templates_statuses_and_errors(
    spans: InMemorySpanExporter, logs: io.StringIO
) -> None:
    registry = CollectorRegistry()
    app = fastapi_app(ERPGoMetrics(registry))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://erpgo") as c:
        ok = await c.get("/api/v1/orders/7", headers={"X-Request-ID": "req-123"})
        assert ok.status_code == 200 and ok.headers["x-request-id"] == "req-123"
        assert (await c.get("/api/v1/orders/0")).status_code == 404
        assert (await c.get("/api/v1/orders/13")).status_code == 500
        assert (await c.get("/wp-login.php")).status_code == 404
        assert (await c.get("/.env")).status_code == 404
        assert (await c.post("/api/v1/orders/7")).status_code == 405
        generated = (await c.get("/api/v1/orders/8")).headers["x-request-id"]
    t = "/api/v1/orders/{order_id}"
    assert value(registry, "erpgo_http_requests_total", method="GET", endpoint=t, status_code="200") == 2
    assert value(registry, "erpgo_http_requests_total", method="GET", endpoint=t, status_code="404") == 1
    assert value(registry, "erpgo_http_requests_total", method="GET", endpoint=t, status_code="500") == 1
    assert value(registry, "erpgo_http_requests_total", method="POST", endpoint=t, status_code="405") == 1
    assert (
        value(registry, "erpgo_http_requests_total", method="GET", endpoint="unmatched", status_code="404")
        == 2
    )
    assert value(registry, "erpgo_http_request_duration_seconds_count", method="GET", endpoint=t) == 4
    # a JSON line per request, with the request's fields and the user the handler bound
    lines = [json.loads(line) for line in logs.getvalue().splitlines() if '"request"' in line]
    first = lines[0]
    assert (first["request_id"], first["method"], first["endpoint"], first["status_code"]) == (
        "req-123", "GET", t, 200,
    )  # fmt: skip
    assert first["user_id"] == "42" and first["duration"] > 0 and first["level"] == "info"
    failed = next(line for line in lines if line["status_code"] == 500)
    assert failed["level"] == "error" and "unlucky" in failed["error"]
    assert lines[-1]["request_id"] == generated and len(generated) == 32
    # one server span per request, named by the template
    ours = [s for s in spans.get_finished_spans() if s.instrumentation_scope.name == "erpmon.instrument"]
    names = [s.name for s in ours if s.kind == trace.SpanKind.SERVER]
    assert names.count(f"GET {t}") == 4 and "GET unmatched" in names
    errored = [s for s in ours if s.attributes and s.attributes.get("http.response.status_code") == 500]
    assert errored and errored[0].status.status_code == trace.StatusCode.ERROR


async def test_mounted_starlette_routes_keep_their_prefix(spans: InMemorySpanExporter) -> None:
    registry = CollectorRegistry()

    async def item(_: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    inner = [Route("/items/{item_id}", item)]
    app = Starlette(routes=[Mount("/shop", routes=inner)])
    app.add_middleware(ERPGoMiddleware, metrics=ERPGoMetrics(registry), log_requests=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://erpgo") as c:
        await c.get("/shop/items/3")
    got = value(
        registry,
        "erpgo_http_requests_total",
        method="GET",
        endpoint="/shop/items/{item_id}",
        status_code="200",
    )
    assert got == 1


def test_flask(logs: io.StringIO) -> None:
    registry = CollectorRegistry()
    app = Flask(__name__)

    @app.get("/api/v1/products/<int:product_id>")
    def product(product_id: int) -> dict[str, int]:
        return {"id": product_id}

    app.wsgi_app = ERPGoWSGIMiddleware(app.wsgi_app, ERPGoMetrics(registry), flask_routes(app))  # type: ignore[method-assign]
    client = app.test_client()
    # (a WSGI response is recorded once the server has consumed it, as a real server does)
    r = client.get("/api/v1/products/5", headers={"X-Request-ID": "abc"})
    assert r.get_json() == {"id": 5} and r.headers["X-Request-ID"] == "abc"
    missing = client.get("/nope")
    assert missing.status_code == 404 and missing.get_data()
    t = "/api/v1/products/{product_id}"
    assert value(registry, "erpgo_http_requests_total", method="GET", endpoint=t, status_code="200") == 1
    assert (
        value(registry, "erpgo_http_requests_total", method="GET", endpoint="unmatched", status_code="404")
        == 1
    )
    line = json.loads(next(x for x in logs.getvalue().splitlines() if '"abc"' in x))
    assert (line["endpoint"], line["status_code"]) == (t, 200)


def test_sqlalchemy_pool_queries_errors_and_spans(spans: InMemorySpanExporter) -> None:
    registry = CollectorRegistry()
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.QueuePool, pool_size=3, max_overflow=2)
    instrument_engine(engine, ERPGoMetrics(registry))
    assert value(registry, "erpgo_database_connections_max") == 5
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE orders (id INTEGER PRIMARY KEY, value REAL)"))
        conn.execute(sa.text("INSERT INTO orders (value) VALUES (1.5)"))
        assert conn.execute(sa.text("SELECT count(*) FROM orders")).scalar() == 1
        assert value(registry, "erpgo_database_connections_in_use") == 1
        assert value(registry, "erpgo_database_connections_active") == 1
        with pytest.raises(sa.exc.OperationalError):
            conn.execute(sa.text("SELECT * FROM missing_table"))
    assert value(registry, "erpgo_database_connections_in_use") == 0
    assert value(registry, "erpgo_database_connections_idle") == 1
    assert (
        value(registry, "erpgo_database_query_duration_seconds_count", query_type="select", table="orders")
        == 1
    )
    assert (
        value(registry, "erpgo_database_query_duration_seconds_count", query_type="insert", table="orders")
        == 1
    )
    errors = value(
        registry, "erpgo_database_query_errors_total", query_type="select", table="missing_table",
        error_type="OperationalError",
    )  # fmt: skip
    assert errors == 1
    assert (value(registry, "erpgo_database_wait_duration_seconds_total") or 0) > 0
    db_spans = [s.name for s in spans.get_finished_spans() if s.kind == trace.SpanKind.CLIENT]
    assert db_spans == ["create orders", "insert orders", "select orders", "select missing_table"]
    engine.dispose()


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id", ("select", "orders")),
        ('INSERT INTO "order_items" (a) VALUES (1)', ("insert", "order_items")),
        ("UPDATE public.products SET stock = 0", ("update", "products")),
        ("WITH x AS (SELECT 1) SELECT * FROM x", ("select", "x")),
        ("SELECT 1", ("select", "unknown")),
    ],
)
def test_statements_are_described(statement: str, expected: tuple[str, str]) -> None:
    assert describe_statement(statement) == expected
