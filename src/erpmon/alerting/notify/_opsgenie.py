"""The Opsgenie integration: create on firing, close on resolved (Alert API v2), as Alertmanager 0.25."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

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
from erpmon.alerting.notify._pagerduty import key_hash

MAX_MESSAGE_RUNES = 130
DEFAULTS = {
    "message": '{{ template "opsgenie.default.message" . }}',
    "description": '{{ template "opsgenie.default.description" . }}',
    "source": '{{ template "opsgenie.default.source" . }}',
}


class OpsgenieNotifier:
    def __init__(self, cfg: IntegrationConfig, renderer: Renderer, client: httpx.AsyncClient) -> None:
        self._opts = {**DEFAULTS, **{k: v for k, v in cfg.options.items() if v is not None}}
        self._renderer = renderer
        self._client = client

    def request(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> tuple[str, dict[str, Any]]:
        o = self._opts
        data = self._renderer.data(ctx.receiver, ctx.group_labels, alerts, ctx.now_ns)

        def t(text: Any) -> str:
            return self._renderer.text(str(text or ""), data)

        alias = key_hash(ctx.group_key)
        base = str(o["api_url"])
        if data.Status == "resolved":
            return (f"{base}v2/alerts/{quote(alias)}/close?identifierType=alias", {"source": t(o["source"])})
        details = {k: t(v) for k, v in (o.get("details") or {}).items()}
        message, _ = truncate_runes(t(o["message"]), MAX_MESSAGE_RUNES)
        body: dict[str, Any] = {
            "alias": alias,
            "message": message,
            "description": t(o["description"]),
            "details": details,
            "source": t(o["source"]),
        }
        responders = [
            {k: t(v) for k, v in r.items() if k in ("id", "name", "username", "type") and v}
            for r in o.get("responders") or []
        ]
        if responders:
            body["responders"] = responders
        tags = [tag.strip() for tag in t(o.get("tags")).split(",") if tag.strip()]
        if tags:
            body["tags"] = tags
        for key in ("note", "priority", "entity", "actions"):
            value = t(o.get(key))
            if value:
                body[key] = [a.strip() for a in value.split(",")] if key == "actions" else value
        return f"{base}v2/alerts", body

    async def notify(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> tuple[bool, Exception | None]:
        try:
            url, body = self.request(ctx, alerts)
            key = str(self._opts.get("api_key") or "") or read_secret_file(
                str(self._opts.get("api_key_file"))
            )
        except NotifyError as err:
            return False, err
        try:
            response = await self._client.post(
                url, json=body, headers={"Authorization": f"GenieKey {key}", "User-Agent": USER_AGENT}
            )
        except httpx.HTTPError as err:
            return True, NotifyError(str(err) or type(err).__name__, "other")
        return check_status(response, retry_codes=(429,))
