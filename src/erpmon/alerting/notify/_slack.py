"""The Slack integration: an incoming-webhook message with one attachment, as Alertmanager 0.25 sends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from erpmon.alerting._types import Alert
from erpmon.alerting.config import IntegrationConfig
from erpmon.alerting.notify._context import NotifyContext, Renderer
from erpmon.alerting.notify._http import NotifyError, post_json, read_secret_file, truncate_runes

MAX_TITLE_RUNES = 1024
DEFAULTS = {
    "color": '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}',
    "username": '{{ template "slack.default.username" . }}',
    "title": '{{ template "slack.default.title" . }}',
    "title_link": '{{ template "slack.default.titlelink" . }}',
    "icon_emoji": '{{ template "slack.default.iconemoji" . }}',
    "icon_url": '{{ template "slack.default.iconurl" . }}',
    "pretext": '{{ template "slack.default.pretext" . }}',
    "text": '{{ template "slack.default.text" . }}',
    "fallback": '{{ template "slack.default.fallback" . }}',
    "callback_id": '{{ template "slack.default.callbackid" . }}',
    "footer": '{{ template "slack.default.footer" . }}',
}


class SlackNotifier:
    def __init__(self, cfg: IntegrationConfig, renderer: Renderer, client: httpx.AsyncClient) -> None:
        self._opts = {**DEFAULTS, **{k: v for k, v in cfg.options.items() if v is not None}}
        self._renderer = renderer
        self._client = client

    def payload(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> dict[str, Any]:
        o = self._opts
        data = self._renderer.data(ctx.receiver, ctx.group_labels, alerts, ctx.now_ns)

        def t(key: str) -> str:
            return self._renderer.text(str(o.get(key) or ""), data)

        title, _ = truncate_runes(t("title"), MAX_TITLE_RUNES)
        att: dict[str, Any] = {
            "title": title,
            "title_link": t("title_link"),
            "pretext": t("pretext"),
            "text": t("text"),
            "fallback": t("fallback"),
            "callback_id": t("callback_id"),
        }
        fields = [
            {
                "title": self._renderer.text(f.get("title", ""), data),
                "value": self._renderer.text(f.get("value", ""), data),
                "short": _bool(f.get("short"), bool(o.get("short_fields"))),
            }
            for f in o.get("fields") or []
        ]
        if fields:
            att["fields"] = fields
        actions = []
        for a in o.get("actions") or []:
            action: dict[str, Any] = {
                k: self._renderer.text(a.get(k, ""), data)
                for k in ("type", "text", "url", "style", "name", "value")
            }
            action = {k: v for k, v in action.items() if v or k in ("type", "text")}
            if a.get("confirm"):
                c = a["confirm"]
                action["confirm"] = {
                    k: self._renderer.text(c.get(k, ""), data)
                    for k in ("title", "text", "ok_text", "dismiss_text")
                }
            actions.append(action)
        if actions:
            att["actions"] = actions
        att.update(
            {
                "image_url": t("image_url"),
                "thumb_url": t("thumb_url"),
                "footer": t("footer"),
                "color": t("color"),
                "mrkdwn_in": o.get("mrkdwn_in") or ["fallback", "pretext", "text"],
            }
        )
        req: dict[str, Any] = {
            "channel": t("channel"),
            "username": t("username"),
            "icon_emoji": t("icon_emoji"),
            "icon_url": t("icon_url"),
            "link_names": bool(o.get("link_names")),
            "attachments": [att],
        }
        # Go's omitempty: empty strings and false are left out, except text, fallback, callback_id, footer.
        keep = {"text", "fallback", "callback_id", "footer", "attachments"}
        att_clean = {k: v for k, v in att.items() if v or k in keep}
        req["attachments"] = [att_clean]
        return {k: v for k, v in req.items() if v or k in keep}

    async def notify(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> tuple[bool, Exception | None]:
        try:
            payload = self.payload(ctx, alerts)
            url = str(self._opts.get("api_url") or "") or read_secret_file(
                str(self._opts.get("api_url_file"))
            )
        except NotifyError as err:
            return False, err
        return await post_json(self._client, url, payload)


def _bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    return str(value).lower() == "true" if not isinstance(value, bool) else value
