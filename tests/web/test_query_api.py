"""The Prometheus query API over a real store, in-process through httpx's ASGI transport."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from starlette.applications import Starlette

from erpmon.model import Labels
from erpmon.promql import Engine
from erpmon.tsdb import TSDB, TSDBOptions
from erpmon.web import query_routes

T0 = 1_700_000_000_000


@pytest.fixture
def db(tmp_path: Path) -> Iterator[TSDB]:
    store = TSDB.open(tmp_path / "data", TSDBOptions())
    app = store.appender()
    ts = T0 + np.arange(0, 600_000, 15_000, dtype=np.int64)
    for inst, step in (("a", 1.0), ("b", 2.0)):
        ref = app.ref(Labels({"__name__": "erpgo_orders_created_total", "job": "api", "instance": inst}))
        app.append_many(np.full(len(ts), ref, dtype=np.int64), ts, np.arange(len(ts)) * step)
    ref = app.ref(Labels({"__name__": "up", "job": "node", "instance": "h"}))
    app.append_many(np.full(len(ts), ref, dtype=np.int64), ts, np.ones(len(ts)))
    app.commit()
    yield store
    store.close()


def client(db: TSDB) -> httpx.AsyncClient:
    app = Starlette(routes=query_routes(Engine(db), db, lambda: T0 + 300_000))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://erpmon.test")


async def test_instant_query_get_and_post(db: TSDB) -> None:
    async with client(db) as c:
        resp = await c.get(
            "/api/v1/query",
            params={"query": "sum by (job) (erpgo_orders_created_total)", "time": "1700000300"},
        )
        assert resp.status_code == 200
        assert resp.json() == {
            "status": "success",
            "data": {
                "resultType": "vector",
                "result": [{"metric": {"job": "api"}, "value": [1700000300, "60"]}],
            },
        }
        form = await c.post("/api/v1/query", data={"query": "up == 1", "time": "2023-11-14T22:18:20Z"})
        [sample] = form.json()["data"]["result"]
        assert sample["metric"] == {"__name__": "up", "job": "node", "instance": "h"}
        scalar = await c.get("/api/v1/query", params={"query": "1 + 1"})
        assert scalar.json()["data"] == {"resultType": "scalar", "result": [1700000300, "2"]}


async def test_range_query(db: TSDB) -> None:
    async with client(db) as c:
        resp = await c.get(
            "/api/v1/query_range",
            params={
                "query": "rate(erpgo_orders_created_total{instance='b'}[1m])",
                "start": "1700000120",
                "end": "1700000240",
                "step": "60s",
            },
        )
        body = resp.json()
        assert body["data"]["resultType"] == "matrix"
        [series] = body["data"]["result"]
        assert series["metric"] == {"instance": "b", "job": "api"}
        assert series["values"] == [
            [1700000120, "0.13333333333333333"],
            [1700000180, "0.13333333333333333"],
            [1700000240, "0.13333333333333333"],
        ]


@pytest.mark.parametrize(
    ("path", "params", "status", "error_type"),
    [
        ("/api/v1/query", {"query": "sum("}, 400, "bad_data"),
        ("/api/v1/query", {"query": "up", "time": "yesterday"}, 400, "bad_data"),
        (
            "/api/v1/query",
            {"query": "erpgo_orders_created_total + on(job) erpgo_orders_created_total"},
            422,
            "execution",
        ),
        ("/api/v1/query_range", {"query": "up[5m]", "start": "1", "end": "2", "step": "1"}, 400, "bad_data"),
        ("/api/v1/query_range", {"query": "up", "start": "1", "end": "100000", "step": "1"}, 400, "bad_data"),
        ("/api/v1/query_range", {"query": "up", "start": "2", "end": "1", "step": "1"}, 400, "bad_data"),
        ("/api/v1/series", {}, 400, "bad_data"),
        ("/api/v1/series", {"match[]": '{job=~".*"}'}, 400, "bad_data"),
    ],
)
async def test_errors(db: TSDB, path: str, params: dict[str, str], status: int, error_type: str) -> None:
    async with client(db) as c:
        resp = await c.get(path, params=params)
        assert resp.status_code == status, resp.text
        body = resp.json()
        assert body["status"] == "error" and body["errorType"] == error_type and body["error"]


async def test_series_labels_and_values(db: TSDB) -> None:
    async with client(db) as c:
        series = (await c.get("/api/v1/series", params={"match[]": ["up", '{instance="a"}']})).json()["data"]
        assert series == [
            {"__name__": "erpgo_orders_created_total", "instance": "a", "job": "api"},
            {"__name__": "up", "instance": "h", "job": "node"},
        ]
        names = (await c.get("/api/v1/labels")).json()["data"]
        assert names == ["__name__", "instance", "job"]
        jobs = (await c.get("/api/v1/label/job/values")).json()["data"]
        assert jobs == ["api", "node"]
        only_up = (await c.get("/api/v1/label/instance/values", params={"match[]": "up"})).json()["data"]
        assert only_up == ["h"]
        assert (await c.get("/api/v1/label/bad-name/values")).status_code == 400
