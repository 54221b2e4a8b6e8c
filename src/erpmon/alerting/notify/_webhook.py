"""The webhook integration: Alertmanager's version 4 payload, POSTed as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from erpmon.alerting._types import Alert
from erpmon.alerting.config import IntegrationConfig
from erpmon.alerting.notify._context import NotifyContext, Renderer
from erpmon.alerting.notify._http import post_json


class WebhookNotifier:
    def __init__(self, cfg: IntegrationConfig, renderer: Renderer, client: httpx.AsyncClient) -> None:
        self._cfg = cfg
        self._renderer = renderer
        self._client = client

    def payload(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> dict[str, Any]:
        """`webhook.Message`: template.Data plus version, group key and the truncated count."""
        max_alerts = int(self._cfg.options.get("max_alerts") or 0)
        truncated = 0
        if max_alerts and len(alerts) > max_alerts:
            truncated = len(alerts) - max_alerts
            alerts = alerts[:max_alerts]
        data = self._renderer.data(ctx.receiver, ctx.group_labels, alerts, ctx.now_ns)
        return {**data.to_json(), "version": "4", "groupKey": ctx.group_key, "truncatedAlerts": truncated}

    async def notify(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> tuple[bool, Exception | None]:
        return await post_json(self._client, str(self._cfg.options["url"]), self.payload(ctx, alerts))
