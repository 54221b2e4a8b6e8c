"""The reference ERPGo through its HTTP API (in process): sign-up, sign-in and lock-out, products
and the cache, the order life cycle, admin endpoints, health endpoints, faults, and the metrics
the pack reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from erpmon.erpgo import ERPGo, create_app


@pytest.fixture
async def erpgo(tmp_path: Path) -> AsyncIterator[tuple[ERPGo, httpx.AsyncClient]]:
    service = ERPGo(f"sqlite:///{tmp_path / 'erpgo.db'}", fault_key="k")
    app = create_app(service)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 4711))
        async with httpx.AsyncClient(transport=transport, base_url="http://erpgo") as client:
            yield service, client


def metric(service: ERPGo, name: str, **labels: str) -> float:
    return service.registry.get_sample_value(name, labels) or 0.0


async def sign_in(c: httpx.AsyncClient, email: str = "ann@erpgo.test") -> dict[str, str]:
    await c.post("/api/v1/users", json={"email": email, "password": "correct-horse"})
    token = (await c.post("/api/v1/auth/login", json={"email": email, "password": "correct-horse"})).json()[
        "token"
    ]
    return {"Authorization": f"Bearer {token}"}


async def test_orders_from_sign_up_to_payment(erpgo: tuple[ERPGo, httpx.AsyncClient]) -> None:
    service, c = erpgo
    auth = await sign_in(c)
    assert (await c.get("/api/v1/orders")).status_code == 401
    product = (await c.get("/api/v1/products/1")).json()
    created = (await c.post("/api/v1/orders", json={"product_id": 1, "quantity": 2}, headers=auth)).json()
    assert created["value"] == product["price"] * 2 and created["status"] == "pending"
    second = (await c.post("/api/v1/orders", json={"product_id": 3}, headers=auth)).json()
    done = await c.post(f"/api/v1/orders/{created['id']}/complete", headers=auth)
    assert done.json()["status"] == "completed"
    assert (await c.post(f"/api/v1/orders/{created['id']}/cancel", headers=auth)).status_code == 409
    assert (await c.post(f"/api/v1/orders/{second['id']}/cancel", headers=auth)).json()[
        "status"
    ] == "cancelled"
    assert len((await c.get("/api/v1/orders", headers=auth)).json()) == 2
    assert metric(service, "erpgo_orders_created_total") == 2
    assert metric(service, "erpgo_orders_completed_total") == 1
    assert metric(service, "erpgo_order_value_total") == created["value"] + second["value"]
    assert metric(service, "erpgo_revenue_total") == created["value"]
    assert metric(service, "erpgo_users_created_total") == 1
    assert metric(service, "erpgo_user_sessions_created_total") == 1
    service.refresh_gauges()
    assert metric(service, "erpgo_users_registered") == 2  # the seeded admin and ann
    assert metric(service, "erpgo_orders_by_status", status="cancelled") == 1
    assert metric(service, "erpgo_orders_pending") == 0 and metric(service, "erpgo_users_active") == 1
    t = "/api/v1/orders/{order_id}/complete"
    assert metric(service, "erpgo_http_requests_total", method="POST", endpoint=t, status_code="200") == 1


async def test_lockout_after_repeated_failures(erpgo: tuple[ERPGo, httpx.AsyncClient]) -> None:
    service, c = erpgo
    await c.post("/api/v1/users", json={"email": "bob@erpgo.test", "password": "right-password"})
    codes = [
        (
            await c.post("/api/v1/auth/login", json={"email": "bob@erpgo.test", "password": "wrong-guess"})
        ).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [423]
    right = await c.post("/api/v1/auth/login", json={"email": "bob@erpgo.test", "password": "right-password"})
    assert right.status_code == 423  # locked even with the right password
    assert metric(service, "erpgo_auth_attempts_total", result="failure") == 7
    assert metric(service, "erpgo_auth_failures_by_ip_total", ip="198.51.100.7") == 5  # 3rd failure on
    assert metric(service, "erpgo_auth_failures_by_ip_total", ip="other") == 2
    assert metric(service, "erpgo_security_events_total", event_type="account_locked") == 1


async def test_admin_endpoints_and_authorization(erpgo: tuple[ERPGo, httpx.AsyncClient]) -> None:
    service, c = erpgo
    auth = await sign_in(c)
    assert (await c.get("/api/v1/users", headers=auth)).status_code == 403
    assert metric(service, "erpgo_authz_denials_total", resource="users", action="get") == 1
    admin = (
        await c.post("/api/v1/auth/login", json={"email": "admin@erpgo.test", "password": "admin-password"})
    ).json()
    h = {"Authorization": f"Bearer {admin['token']}"}
    assert len((await c.get("/api/v1/users", headers=h)).json()) == 2
    assert (await c.get("/api/v1/admin/metrics/revenue", headers=h)).json() == {"revenue": 0.0}
    assert (await c.get("/api/v1/admin/metrics/users", headers=h)).json()["registered"] == 2
    assert (await c.get("/api/v1/orders", headers={"Authorization": "Bearer forged"})).status_code == 401
    assert metric(service, "erpgo_api_abuse_total", reason="invalid_token") == 1


async def test_health_faults_cache_and_metrics(erpgo: tuple[ERPGo, httpx.AsyncClient]) -> None:
    service, c = erpgo
    for path in ("/health", "/api/v1/health", "/api/v1/health/db", "/api/v1/health/cache",
                 "/api/v1/health/external/payment-gateway"):  # fmt: skip
        assert (await c.get(path)).json()["status"] == "healthy", path
    await c.get("/api/v1/products/2")
    await c.get("/api/v1/products/2")
    assert metric(service, "erpgo_cache_hits_total") == 1 and metric(service, "erpgo_cache_misses_total") == 1

    async def faults(**kw: Any) -> httpx.Response:
        return await c.put("/api/v1/admin/faults", json=kw, headers={"X-Fault-Key": "k"})

    assert (await c.put("/api/v1/admin/faults", json={"down": True})).status_code == 403
    assert (await faults(unhealthy=["sms-service"], cache_disabled=True, error_rate=1.0)).status_code == 200
    assert (await c.get("/api/v1/health/external/sms-service")).status_code in (500, 503)
    assert (await c.get("/api/v1/products/2")).status_code == 500
    assert (await faults(down=True)).status_code == 200
    assert (await c.get("/metrics")).status_code == 503  # the scrape fails: up == 0
    await faults()
    assert (await c.get("/api/v1/products/2")).status_code == 200
    assert metric(service, "erpgo_cache_misses_total") == 1  # a 500 before the handler counts nothing
    text = (await c.get("/metrics")).text
    names = {f.name for f in text_string_to_metric_families(text)}
    assert {
        "erpgo_http_requests",
        "erpgo_database_query_duration_seconds",
        "process_resident_memory_bytes",
    } <= names
    assert 'endpoint="unmatched"' not in text
    await c.post(
        "/api/v1/rum", json={"page": "/checkout", "load": 4.2, "cls": 0.3, "js_errors": 2, "satisfaction": 4}
    )
    assert metric(service, "erpgo_page_load_duration_seconds_count", page="/checkout") == 1
    assert metric(service, "erpgo_js_errors_total", page="/checkout") == 2
