"""The incidents API and the status page, in process: reads are open, writes need the token, bad
requests get clear errors."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from tests.incidents.conftest import World

from erpmon.web._incidents_api import incidents_routes

AUTH = {"Authorization": "Bearer tok"}


def client(world: World, token: str | None = "tok") -> tuple[httpx.AsyncClient, object]:
    engine = world.start_engine()
    app = Starlette(routes=incidents_routes(engine, lambda: token))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://erpmon"), engine


async def test_reads_writes_and_errors(world: World) -> None:
    c, engine = client(world)
    world.flush(engine, world.alert("APIDown"))  # type: ignore[arg-type]
    async with c:
        [inc] = (await c.get("/api/v1/incidents")).json()["data"]
        assert (inc["id"], inc["state"], inc["severity"]) == (1, "triggered", "critical")
        assert inc["timeline"][0]["kind"] == "opened" and inc["opened_at"].endswith("Z")
        assert (await c.get("/api/v1/incidents?state=resolved")).json()["data"] == []
        assert (await c.get("/api/v1/incidents?state=nope")).status_code == 400
        assert (await c.get("/api/v1/incidents/7")).status_code == 404
        assert (await c.get("/api/v1/incidents/x")).status_code == 404

        assert (await c.post("/api/v1/incidents/1/ack", json={"by": "eve"})).status_code == 401
        wrong = await c.post("/api/v1/incidents/1/ack", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Bearer")
        bad = await c.post("/api/v1/incidents/1/notes", headers=AUTH, content=b"{not json")
        assert bad.status_code == 400 and "invalid JSON" in bad.json()["error"]
        empty = await c.post("/api/v1/incidents/1/notes", headers=AUTH, json={"text": "  "})
        assert empty.status_code == 409

        acked = await c.post("/api/v1/incidents/1/ack", headers=AUTH, json={"by": "alice"})
        assert acked.json()["data"]["acknowledged_by"] == "alice"
        noted = await c.post("/api/v1/incidents/1/notes", headers=AUTH, json={"by": "alice", "text": "on it"})
        assert noted.json()["data"]["timeline"][-1]["message"] == "on it"
        done = await c.post("/api/v1/incidents/1/resolve", headers=AUTH, json={"by": "alice"})
        assert done.json()["data"]["state"] == "resolved"
        again = await c.post("/api/v1/incidents/1/resolve", headers=AUTH, json={"by": "alice"})
        assert again.status_code == 409 and "already resolved" in again.json()["error"]

        report = await c.get("/api/v1/incidents/1/report")
        assert report.headers["content-type"].startswith("text/markdown")
        assert "# Post-incident report: #1" in report.text and "- alice: on it" in report.text


async def test_writes_are_refused_without_a_configured_token(world: World) -> None:
    c, engine = client(world, token=None)
    world.flush(engine, world.alert("APIDown"))  # type: ignore[arg-type]
    async with c:
        refused = await c.post("/api/v1/incidents/1/ack", headers=AUTH)
        assert refused.status_code == 403 and "no API token" in refused.json()["error"]


async def test_the_status_page(world: World) -> None:
    c, _ = client(world)
    async with c:
        page = (await c.get("/status.json")).json()
        assert page["status"] == {"indicator": "none", "description": "All Systems Operational"}
        assert [x["status"] for x in page["components"]] == ["operational", "operational"]
        assert (
            await c.post("/api/v1/status/components/API", json={"status": "partial_outage"})
        ).status_code == 401
        bad = await c.post("/api/v1/status/components/API", headers=AUTH, json={"status": "meh"})
        assert bad.status_code == 400 and "unknown status" in bad.json()["error"]
        set_ = await c.post(
            "/api/v1/status/components/API", headers=AUTH,
            json={"status": "partial_outage", "message": "payments slow", "by": "alice"},
        )  # fmt: skip
        assert set_.status_code == 200
        page = (await c.get("/status.json")).json()
        assert page["status"]["indicator"] == "major"
        assert (
            page["components"][0]["status"] == "partial_outage"
            and page["updates"][0]["message"] == "payments slow"
        )
        html = (await c.get("/status")).text
        assert "<title>ERPGo status</title>" in html and "Partial outage" in html and "payments slow" in html
        assert "http" not in html.split("<body>")[0].replace("http-equiv", "")  # no CDN in the head
        await c.post("/api/v1/status/components/API", headers=AUTH, json={"status": "operational"})
        assert (await c.get("/status.json")).json()["status"]["indicator"] == "none"
