"""SMS through Twilio's Messages API (erpmon's `sms_configs`): one form POST per recipient."""

from __future__ import annotations

from collections.abc import Sequence

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

MAX_BODY_CHARS = 1600  # Twilio refuses longer message bodies


class SMSNotifier:
    def __init__(self, cfg: IntegrationConfig, renderer: Renderer, client: httpx.AsyncClient) -> None:
        self._opts = cfg.options
        self._renderer = renderer
        self._client = client

    def body(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> str:
        data = self._renderer.data(ctx.receiver, ctx.group_labels, alerts, ctx.now_ns)
        return truncate_runes(self._renderer.text(str(self._opts["text"]), data), MAX_BODY_CHARS)[0]

    async def notify(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> tuple[bool, Exception | None]:
        o = self._opts
        try:
            text = self.body(ctx, alerts)
            token = str(o.get("auth_token") or "") or read_secret_file(str(o.get("auth_token_file")))
        except NotifyError as err:
            return False, err
        sid = str(o["account_sid"])
        url = f"{str(o['api_url']).rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
        to = o["to"] if isinstance(o["to"], list) else [o["to"]]
        for number in to:
            try:
                response = await self._client.post(
                    url,
                    data={"To": str(number), "From": str(o["from"]), "Body": text},
                    auth=(sid, token),
                    headers={"User-Agent": USER_AGENT},
                )
            except httpx.HTTPError as err:
                return True, NotifyError(f"to {number}: {err or type(err).__name__}", "other")
            retry, err2 = check_status(response, retry_codes=(429,))
            if err2 is not None:
                return retry, NotifyError(f"to {number}: {err2}", getattr(err2, "reason", "other"))
        return False, None
