"""The HTTP layer's shapes, in-process through Starlette's TestClient."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from erpmon.model import Labels
from erpmon.scrape import DroppedTarget, Health, PoolView, Target
from erpmon.web import WebContext, build_app


def client_for(app: Starlette) -> httpx.AsyncClient:
    """In-process ASGI client (httpx's own transport; no network)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://erpmon.test")


def make_ctx(**overrides: Any) -> WebContext:
    labels = Labels(
        {
            "__address__": "localhost:9100",
            "__scheme__": "http",
            "__metrics_path__": "/metrics",
            "job": "node",
            "instance": "localhost:9100",
        }
    )
    target = Target(
        labels,
        Labels({"__address__": "localhost:9100"}),
        {},
        Health.DOWN,
        "boom",
        1_700_000_000_123,
        0.25,
        15_000,
        10_000,
    )
    reloads: list[str] = []

    async def reload() -> str | None:
        reloads.append("x")
        return None

    fields: dict[str, Any] = {
        "is_ready": lambda: True,
        "reload": reload,
        "pools": lambda: [PoolView("node", [target], [DroppedTarget(Labels({"__address__": "x:1"}))])],
        "tsdb_status": lambda limit: {"headStats": {"numSeries": 1}, "limit": limit},
        "metrics": lambda: b"# HELP x y\n",
        "config_yaml": lambda: "global: {}\n",
        "runtime_info": lambda: {"CWD": "/"},
        "metadata": lambda: {"up": [{"type": "gauge", "help": "", "unit": ""}], "x": []},
    }
    fields.update(overrides)
    return WebContext(**fields)


async def test_targets_shape() -> None:
    client = client_for(build_app(make_ctx()))
    body = (await client.get("/api/v1/targets")).json()
    assert body["status"] == "success"
    [t] = body["data"]["activeTargets"]
    assert t["labels"] == {"instance": "localhost:9100", "job": "node"}
    assert t["scrapeUrl"] == "http://localhost:9100/metrics"
    assert t["health"] == "down" and t["lastError"] == "boom"
    assert t["lastScrape"] == "2023-11-14T22:13:20.123000Z"
    assert t["scrapeInterval"] == "15s" and t["scrapeTimeout"] == "10s"
    assert "localhost" not in t["globalUrl"]
    assert body["data"]["droppedTargets"] == [{"discoveredLabels": {"__address__": "x:1"}}]
    only_dropped = (await client.get("/api/v1/targets?state=dropped")).json()["data"]
    assert only_dropped["activeTargets"] == [] and len(only_dropped["droppedTargets"]) == 1
    assert (await client.get("/api/v1/targets?scrapePool=other")).json()["data"]["activeTargets"] == []


async def test_ready_health_and_lifecycle_flag() -> None:
    client = client_for(build_app(make_ctx(is_ready=lambda: False)))
    assert (await client.get("/-/ready")).status_code == 503
    assert (await client.get("/-/healthy")).status_code == 200
    assert (await client.post("/-/reload")).status_code == 403


async def test_reload_reports_errors() -> None:
    async def failing() -> str | None:
        return "prometheus.yml:3:5: field bogus not found"

    ctx = make_ctx(reload=failing)
    ctx.enable_lifecycle = True
    resp = await client_for(build_app(ctx)).post("/-/reload")
    assert resp.status_code == 500 and "prometheus.yml:3:5" in resp.text


async def test_status_endpoints() -> None:
    client = client_for(build_app(make_ctx()))
    assert (await client.get("/api/v1/status/tsdb?limit=3")).json()["data"]["limit"] == 3
    assert (await client.get("/api/v1/status/tsdb?limit=0")).json()["errorType"] == "bad_data"
    assert (await client.get("/api/v1/status/config")).json()["data"] == {"yaml": "global: {}\n"}
    assert (await client.get("/api/v1/metadata?metric=up")).json()["data"] == {
        "up": [{"type": "gauge", "help": "", "unit": ""}]
    }
    assert (await client.get("/api/v1/metadata?limit=1")).json()["data"].keys() == {"up"}
    resp = await client.get("/metrics")
    assert resp.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert (await client.get("/node/metrics")).status_code == 404
