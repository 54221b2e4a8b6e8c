"""The incidents API, the acknowledge links and the public status page.

Reads are open: `GET /api/v1/incidents[?state=]`, `/api/v1/incidents/{id}`, `/api/v1/incidents/{id}/report`,
`/status` (HTML) and `/status.json`. Writes need `Authorization: Bearer <token>`:
`POST /api/v1/incidents/{id}/ack`, `/resolve`, `/notes` and `/api/v1/status/components/{name}`.
Without a configured token every write is refused. An acknowledge link from a notification carries
an HMAC signature for its incident and person instead: `GET /incidents/{id}/ack` shows a
confirmation form and its POST acknowledges, so a mail scanner following links acknowledges nothing.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from erpmon.incidents import Incident, IncidentEngine, IncidentError
from erpmon.incidents._format import rfc3339
from erpmon.incidents._report import post_incident_report
from erpmon.incidents._statuspage import page_html, status_html, status_summary

MAX_BODY = 64 * 1024


def _t(ms: int | None) -> str | None:
    return rfc3339(ms) if ms is not None else None


def incident_json(engine: IncidentEngine, inc: Incident) -> dict[str, Any]:
    policy = next((p for p in engine.config.policies if p.name == inc.policy), None)
    step_name = policy.steps[inc.step].name if policy is not None and inc.step < len(policy.steps) else None
    return {
        "id": inc.id,
        "title": inc.title,
        "state": inc.state,
        "severity": inc.severity,
        "group_key": inc.group_key,
        "receiver": inc.receiver,
        "labels": inc.labels,
        "alerts": [
            {**a, "startsAt": _t(a["startsAt"] // 1_000_000) if a.get("startsAt") else None,
             "endsAt": _t(a["endsAt"] // 1_000_000) if a.get("endsAt") else None}
            for a in inc.alerts
        ],
        "components": inc.components,
        "opened_at": _t(inc.opened_at),
        "acknowledged_at": _t(inc.acked_at),
        "acknowledged_by": inc.acked_by,
        "resolved_at": _t(inc.resolved_at),
        "resolved_by": inc.resolved_by,
        "escalation": {
            "policy": inc.policy, "state": inc.escalation, "step": inc.step, "step_name": step_name,
            "round": inc.round, "next_at": _t(inc.next_at), "verify_at": _t(inc.verify_at),
        },
        "sla": {"respond_by": _t(inc.respond_by), "resolve_by": _t(inc.resolve_by), "breached": inc.breaches},
        "timeline": [
            {"at": _t(e.at), "kind": e.kind, "actor": e.actor, "message": e.message, "data": dict(e.data)}
            for e in inc.timeline
        ],
    }  # fmt: skip


def _error(status: int, error_type: str, message: str) -> JSONResponse:
    return JSONResponse({"status": "error", "errorType": error_type, "error": message}, status_code=status)


def _ok(data: Any) -> JSONResponse:
    return JSONResponse({"status": "success", "data": data})


def incidents_routes(engine: IncidentEngine, token: Callable[[], str | None]) -> list[BaseRoute]:
    def authorized(request: Request) -> JSONResponse | None:
        expected = token()
        if not expected:
            return _error(403, "forbidden", "no API token is configured; writes are disabled")
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), expected.encode()):
            return JSONResponse(
                {"status": "error", "errorType": "unauthorized", "error": "a valid bearer token is required"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="erpmon"'},
            )
        return None

    def incident_id(request: Request) -> int | None:
        try:
            return int(request.path_params["id"])
        except ValueError:
            return None

    async def body(request: Request) -> dict[str, Any] | JSONResponse:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return _error(413, "bad_data", "request body too large")
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except ValueError as err:
            return _error(400, "bad_data", f"invalid JSON: {err}")
        if not isinstance(data, dict):
            return _error(400, "bad_data", "the body must be a JSON object")
        return data

    async def list_incidents(request: Request) -> Response:
        state = request.query_params.get("state")
        if state not in (None, "triggered", "acknowledged", "resolved", "open"):
            return _error(400, "bad_data", f"unknown state {state!r}")
        found = engine.store.find(
            state=None if state in (None, "open") else state, open_only=state == "open", timeline=True
        )
        return _ok([incident_json(engine, i) for i in found])

    async def get_incident(request: Request) -> Response:
        iid = incident_id(request)
        inc = engine.store.get(iid) if iid is not None else None
        if inc is None:
            return _error(404, "not_found", f"incident {request.path_params['id']} not found")
        return _ok(incident_json(engine, inc))

    async def report(request: Request) -> Response:
        iid = incident_id(request)
        inc = engine.store.get(iid) if iid is not None else None
        if inc is None:
            return _error(404, "not_found", f"incident {request.path_params['id']} not found")
        return PlainTextResponse(post_incident_report(inc), media_type="text/markdown; charset=utf-8")

    def writer(do: Callable[[int, str, dict[str, Any]], Incident]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            denied = authorized(request)
            if denied is not None:
                return denied
            iid = incident_id(request)
            if iid is None:
                return _error(404, "not_found", f"incident {request.path_params['id']} not found")
            data = await body(request)
            if isinstance(data, JSONResponse):
                return data
            by = str(data.get("by") or "api")
            try:
                inc = do(iid, by, data)
            except IncidentError as err:
                status = 404 if "not found" in str(err) else 409
                return _error(status, "not_found" if status == 404 else "conflict", str(err))
            return _ok(incident_json(engine, inc))

        return endpoint

    async def set_component(request: Request) -> Response:
        denied = authorized(request)
        if denied is not None:
            return denied
        data = await body(request)
        if isinstance(data, JSONResponse):
            return data
        try:
            engine.set_component(
                request.path_params["name"], str(data.get("status", "")), str(data.get("message", "")),
                str(data.get("by") or "api"),
            )  # fmt: skip
        except IncidentError as err:
            return _error(400, "bad_data", str(err))
        return _ok(status_summary(engine))

    async def status_page(_: Request) -> Response:
        return HTMLResponse(status_html(status_summary(engine)))

    async def status_json(_: Request) -> Response:
        return JSONResponse(status_summary(engine))

    async def ack_link(request: Request) -> Response:
        iid = incident_id(request)
        inc = engine.store.get(iid, timeline=False) if iid is not None else None
        if inc is None:
            return HTMLResponse("<h1>Incident not found</h1>", status_code=404)
        if request.method == "GET":
            by, sig = request.query_params.get("by", ""), request.query_params.get("sig", "")
        else:
            form = parse_qs((await request.body())[:MAX_BODY].decode("utf-8", "replace"))
            by, sig = form.get("by", [""])[0], form.get("sig", [""])[0]
        if not engine.check_ack_signature(inc.id, by, sig):
            return HTMLResponse("<h1>This acknowledge link is not valid</h1>", status_code=403)
        done = ""
        if request.method == "POST":
            try:
                inc = engine.acknowledge(inc.id, by)
                done = f"Acknowledged by {by}."
            except IncidentError as err:
                done = str(err)
        return HTMLResponse(page_html("ack.html", incident=inc, by=by, sig=sig, done=done))

    return [
        Route("/api/v1/incidents", list_incidents),
        Route("/api/v1/incidents/{id}", get_incident),
        Route("/api/v1/incidents/{id}/report", report),
        Route(
            "/api/v1/incidents/{id}/ack", writer(lambda i, by, _: engine.acknowledge(i, by)), methods=["POST"]
        ),
        Route(
            "/api/v1/incidents/{id}/resolve", writer(lambda i, by, _: engine.resolve(i, by)), methods=["POST"]
        ),
        Route(
            "/api/v1/incidents/{id}/notes",
            writer(lambda i, by, d: engine.note(i, by, str(d.get("text", "")))),
            methods=["POST"],
        ),
        Route("/api/v1/status/components/{name}", set_component, methods=["POST"]),
        Route("/incidents/{id}/ack", ack_link, methods=["GET", "POST"]),
        Route("/status", status_page),
        Route("/status.json", status_json),
    ]
