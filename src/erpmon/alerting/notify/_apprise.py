"""apprise (erpmon's `apprise_configs`): one notification to each apprise URL, for 100+ services."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import apprise

from erpmon.alerting._types import Alert
from erpmon.alerting.config import IntegrationConfig
from erpmon.alerting.notify._context import NotifyContext, Renderer
from erpmon.alerting.notify._http import NotifyError, read_secret_file


class AppriseNotifier:
    def __init__(self, cfg: IntegrationConfig, renderer: Renderer) -> None:
        self._opts = cfg.options
        self._renderer = renderer

    def _urls(self) -> list[str]:
        urls = self._opts.get("urls")
        if urls:
            return [str(u) for u in urls]
        text = read_secret_file(str(self._opts.get("urls_file")))
        return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]

    async def notify(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> tuple[bool, Exception | None]:
        try:
            urls = self._urls()
            data = self._renderer.data(ctx.receiver, ctx.group_labels, alerts, ctx.now_ns)
            title = self._renderer.text(str(self._opts["title"]), data)
            body = self._renderer.text(str(self._opts["body"]), data)
        except NotifyError as err:
            return False, err
        sender = apprise.Apprise()
        for url in urls:
            if not sender.add(url):
                return False, NotifyError(
                    "an apprise URL is not valid (the URL is a secret; not shown)", "clientError"
                )
        # apprise's own async path runs its plugins on threads; a thread keeps the loop free the same way.
        ok = await asyncio.to_thread(sender.notify, body=body, title=title)
        if not ok:
            return True, NotifyError("apprise could not deliver to every URL", "other")
        return False, None
