"""The demo's notification inbox: a webhook receiver that keeps what Alertmanager-style receivers
sent, so a person can read the notifications without a mail server or Slack.

`POST /api/v1/notifications/inbox?receiver=NAME` takes a webhook payload (version 4, with the
incident fields when an incident sent it); `GET /api/v1/notifications` returns them newest first;
`/notifications` shows them as a page. The last 1,000 are kept in memory.
"""

from __future__ import annotations

import collections
import html
import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

KEEP = 1000
MAX_BODY = 1024 * 1024


class Inbox:
    def __init__(self) -> None:
        self.items: collections.deque[dict[str, Any]] = collections.deque(maxlen=KEEP)
        self.received = 0

    def add(self, receiver: str, payload: dict[str, Any]) -> None:
        self.received += 1
        alerts = payload.get("alerts") or []
        names = sorted({str(a.get("labels", {}).get("alertname", "")) for a in alerts if isinstance(a, dict)})
        self.items.appendleft(
            {
                "id": self.received, "received_at": time.time(), "receiver": receiver,
                "status": payload.get("status", ""), "alertnames": names, "incident": payload.get("incident"),
                "payload": payload,
            }
        )  # fmt: skip


def inbox_routes(inbox: Inbox) -> list[BaseRoute]:
    async def receive(request: Request) -> Response:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return JSONResponse({"status": "error", "error": "payload too large"}, status_code=413)
        try:
            payload = json.loads(raw)
        except ValueError as err:
            return JSONResponse({"status": "error", "error": f"invalid JSON: {err}"}, status_code=400)
        if not isinstance(payload, dict):
            return JSONResponse(
                {"status": "error", "error": "a webhook payload is an object"}, status_code=400
            )
        inbox.add(request.query_params.get("receiver") or str(payload.get("receiver", "")), payload)
        return JSONResponse({"status": "success"})

    async def listing(request: Request) -> Response:
        try:
            limit = max(1, min(KEEP, int(request.query_params.get("limit", "100"))))
        except ValueError:
            return JSONResponse({"status": "error", "error": "limit must be a number"}, status_code=400)
        return JSONResponse({"status": "success", "data": list(inbox.items)[:limit]})

    async def page(_: Request) -> Response:
        rows = []
        for n in list(inbox.items)[:200]:
            when = time.strftime("%H:%M:%S", time.localtime(n["received_at"]))
            incident = n["incident"]
            what = (
                f"incident #{incident['id']}: {incident['title']}" if incident else ", ".join(n["alertnames"])
            )
            rows.append(
                f"<tr><td>{when}</td><td>{html.escape(n['receiver'])}</td><td>{html.escape(n['status'])}</td>"
                f"<td>{html.escape(what)}</td></tr>"
            )
        body = (
            "".join(rows) or '<tr><td colspan="4">Nothing yet: the first alert takes a few minutes.</td></tr>'
        )
        return HTMLResponse(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta http-equiv="refresh" content="10">'
            "<title>Notifications</title><style>body{font-family:system-ui,sans-serif;margin:1rem;color:#1b1f24}"
            "td,th{padding:.3rem .6rem;border-bottom:1px solid #d0d7de;text-align:left}</style></head><body>"
            f"<h1>Notifications ({inbox.received})</h1><table><thead><tr><th>time</th><th>receiver</th>"
            f"<th>status</th><th>what</th></tr></thead><tbody>{body}</tbody></table></body></html>"
        )

    return [
        Route("/api/v1/notifications/inbox", receive, methods=["POST"]),
        Route("/api/v1/notifications", listing),
        Route("/notifications", page),
    ]
