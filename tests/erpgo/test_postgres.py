"""The reference ERPGo on PostgreSQL (Debian's, started by the health tests' fixture): the same
order life cycle, and slow queries measured as slow statements."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from tests.health.conftest import Postgres, postgres

from erpmon.erpgo import ERPGo, Faults, create_app

__all__ = ["postgres"]


@pytest.fixture
async def erpgo_pg(postgres: Postgres) -> AsyncIterator[tuple[ERPGo, httpx.AsyncClient]]:
    url = postgres.dsn.replace("postgresql://", "postgresql+psycopg://")
    service = ERPGo(url, fault_key="k", pool_size=5)
    app = create_app(service)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://erpgo") as client,
    ):
        yield service, client


async def test_orders_on_postgresql(erpgo_pg: tuple[ERPGo, httpx.AsyncClient]) -> None:
    service, c = erpgo_pg
    email = f"pg-{id(service)}@erpgo.test"
    await c.post("/api/v1/users", json={"email": email, "password": "correct-horse"})
    token = (await c.post("/api/v1/auth/login", json={"email": email, "password": "correct-horse"})).json()[
        "token"
    ]
    auth = {"Authorization": f"Bearer {token}"}
    order = (await c.post("/api/v1/orders", json={"product_id": 2}, headers=auth)).json()
    assert (await c.post(f"/api/v1/orders/{order['id']}/complete", headers=auth)).json()[
        "status"
    ] == "completed"
    assert (await c.get("/api/v1/health/db")).json()["status"] == "healthy"
    service.apply_faults(Faults(slow_queries_s=0.2))
    await c.get("/api/v1/products/2")
    service.apply_faults(Faults())
    slow = service.registry.get_sample_value(
        "erpgo_database_query_duration_seconds_sum", {"query_type": "select", "table": "unknown"}
    )
    assert slow is not None and slow >= 0.2  # pg_sleep, timed as a statement
