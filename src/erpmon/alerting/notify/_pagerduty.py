"""The PagerDuty integration: Events API v2 (and v1 with a service key), as Alertmanager 0.25 sends."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import httpx

from erpmon.alerting._types import Alert
from erpmon.alerting.config import IntegrationConfig
from erpmon.alerting.notify._context import NotifyContext, Renderer
from erpmon.alerting.notify._http import (
    USER_AGENT,
    NotifyError,
    check_status,
    read_secret_file,
    truncate_runes,
)

MAX_SUMMARY_RUNES = 1024
DEFAULT_DETAILS = {
    "firing": '{{ template "pagerduty.default.instances" .Alerts.Firing }}',
    "resolved": '{{ template "pagerduty.default.instances" .Alerts.Resolved }}',
    "num_firing": "{{ .Alerts.Firing | len }}",
    "num_resolved": "{{ .Alerts.Resolved | len }}",
}


def key_hash(group_key: str) -> str:
    """`notify.Key.Hash`: the group key's SHA-256, hex."""
    return hashlib.sha256(group_key.encode()).hexdigest()


class PagerDutyNotifier:
    def __init__(self, cfg: IntegrationConfig, renderer: Renderer, client: httpx.AsyncClient) -> None:
        self._opts = dict(cfg.options)
        self._opts.setdefault("description", '{{ template "pagerduty.default.description" .}}')
        self._opts.setdefault("client", '{{ template "pagerduty.default.client" . }}')
        self._opts.setdefault("client_url", '{{ template "pagerduty.default.clientURL" . }}')
        self._opts.setdefault("source", self._opts["client"])
        self._opts["details"] = self._opts.get("details") or DEFAULT_DETAILS
        self._renderer = renderer
        self._client = client

    def payload(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> dict[str, Any]:
        o = self._opts
        data = self._renderer.data(ctx.receiver, ctx.group_labels, alerts, ctx.now_ns)

        def t(text: Any) -> str:
            return self._renderer.text(str(text or ""), data)

        firing = any(not a.resolved_at(ctx.now_ns) for a in alerts)
        details = {k: t(v) for k, v in o["details"].items()}
        routing_key = str(o.get("routing_key") or "")
        if not routing_key and not o.get("routing_key_file"):
            raise NotifyError(
                "PagerDuty Events API v1 (service_key) is not supported; use routing_key", "other"
            )
        if not routing_key:
            routing_key = read_secret_file(str(o.get("routing_key_file")))
        summary, _ = truncate_runes(t(o["description"]), MAX_SUMMARY_RUNES)
        payload: dict[str, Any] = {
            "summary": summary,
            "source": t(o["source"]),
            "severity": t(o.get("severity") or "error"),
            "class": t(o.get("class")),
            "component": t(o.get("component")),
            "group": t(o.get("group")),
            "custom_details": details,
        }
        msg: dict[str, Any] = {
            "routing_key": t(routing_key),
            "dedup_key": key_hash(ctx.group_key),
            "event_action": "trigger" if firing else "resolve",
            "payload": {k: v for k, v in payload.items() if v or k in ("summary", "source", "severity")},
            "client": t(o["client"]),
            "client_url": t(o["client_url"]),
        }
        images = [
            {"src": t(i.get("src")), "alt": t(i.get("alt")), "href": t(i.get("href"))}
            for i in o.get("images") or []
        ]
        links = [{"href": t(link.get("href")), "text": t(link.get("text"))} for link in o.get("links") or []]
        if [i for i in images if i["src"]]:
            msg["images"] = [i for i in images if i["src"]]
        if [link for link in links if link["href"]]:
            msg["links"] = [link for link in links if link["href"]]
        if not msg["routing_key"]:
            raise NotifyError("routing key cannot be empty", "other")
        return {k: v for k, v in msg.items() if v or k in ("event_action", "payload")}

    async def notify(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> tuple[bool, Exception | None]:
        try:
            payload = self.payload(ctx, alerts)
        except NotifyError as err:
            return False, err
        try:
            response = await self._client.post(
                str(self._opts["url"]), json=payload, headers={"User-Agent": USER_AGENT}
            )
        except httpx.HTTPError as err:
            return True, NotifyError(str(err) or type(err).__name__, "other")
        # PagerDuty asks to retry 429 (rate limited) as well as 5xx.
        return check_status(response, retry_codes=(429,))
