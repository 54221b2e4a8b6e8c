"""The email integration: one message per notification over SMTP (aiosmtplib), as Alertmanager 0.25.

Port 465 means TLS from the start; otherwise STARTTLS is used when the server offers it and is
required when `require_tls` is set (the default). Authentication happens when a username is set and
the server offers AUTH: CRAM-MD5 with `auth_secret`, else PLAIN or LOGIN with the password.
"""

from __future__ import annotations

import email.utils
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from erpmon import __version__
from erpmon.alerting._types import Alert
from erpmon.alerting.config import IntegrationConfig
from erpmon.alerting.notify._context import NotifyContext, Renderer
from erpmon.alerting.notify._http import NotifyError, read_secret_file
from erpmon.templates import TemplateError

DEFAULT_SUBJECT = '{{ template "email.default.subject" . }}'
TIMEOUT_S = 30.0


class EmailNotifier:
    def __init__(self, cfg: IntegrationConfig, renderer: Renderer) -> None:
        self._opts = cfg.options
        self._renderer = renderer

    def message(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> EmailMessage:
        o = self._opts
        data = self._renderer.data(ctx.receiver, ctx.group_labels, alerts, ctx.now_ns)
        msg = EmailMessage()
        headers: dict[str, str] = {"Subject": DEFAULT_SUBJECT, **(o.get("headers") or {})}
        headers.setdefault("To", str(o["to"]))
        headers.setdefault("From", str(o["from"]))
        for name, value in headers.items():
            msg[name] = self._renderer.text(str(value), data)
        msg["Message-Id"] = email.utils.make_msgid(
            domain=str(o["smarthost"]).rsplit(":", 1)[0] or "localhost"
        )
        msg["Date"] = email.utils.formatdate(ctx.now_ns / 1e9, localtime=False)
        msg["X-Mailer"] = f"erpmon/{__version__}"
        text = self._renderer.text(str(o.get("text") or ""), data)
        html = self._renderer.html(str(o.get("html") or ""), data)
        if text:
            msg.set_content(text, cte="quoted-printable")
            if html:
                msg.add_alternative(html, subtype="html", cte="quoted-printable")
        elif html:
            msg.set_content(html, subtype="html", cte="quoted-printable")
        return msg

    async def notify(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> tuple[bool, Exception | None]:
        try:
            msg = self.message(ctx, alerts)
        except TemplateError as err:
            return False, NotifyError(f"execute template: {err}", "other")
        try:
            await self._send(msg)
        except NotifyError as err:
            return err.reason != "clientError", err
        except aiosmtplib.SMTPResponseException as err:
            # 4xx replies are temporary, 5xx permanent (RFC 5321).
            reason = "serverError" if err.code >= 500 else "other"
            return err.code < 500, NotifyError(f"{err.code} {err.message}", reason)
        except (aiosmtplib.SMTPException, OSError) as err:
            return True, NotifyError(f"send email: {err}", "other")
        return False, None

    async def _send(self, msg: EmailMessage) -> None:
        o = self._opts
        host, _, port_text = str(o["smarthost"]).rpartition(":")
        port = int(port_text)
        tls = _tls_context(o.get("tls_config") or {})
        implicit = port == 465
        smtp = aiosmtplib.SMTP(
            hostname=host, port=port, use_tls=implicit, start_tls=False, tls_context=tls,
            local_hostname=str(o.get("hello") or "localhost"), timeout=TIMEOUT_S,
        )  # fmt: skip
        async with smtp:
            await smtp.ehlo()
            if not implicit:
                if smtp.supports_extension("starttls"):
                    await smtp.starttls(tls_context=tls)
                    await smtp.ehlo()  # the extensions offered over TLS (AUTH) can differ
                elif o.get("require_tls", True):
                    raise NotifyError(
                        f"'require_tls' is true (default) but {o['smarthost']!r} does not advertise the "
                        "STARTTLS extension",
                        "clientError",
                    )
            username = str(o.get("auth_username") or "")
            if username and smtp.supports_extension("auth"):
                await self._login(smtp, username)
            await smtp.send_message(msg, sender=_address(str(o["from"])), recipients=_addresses(str(o["to"])))

    async def _login(self, smtp: aiosmtplib.SMTP, username: str) -> None:
        o = self._opts
        mechanisms = set(smtp.server_auth_methods)
        secret = str(o.get("auth_secret") or "")
        if "cram-md5" in mechanisms and secret:
            await smtp.auth_crammd5(username, secret)
            return
        password = str(o.get("auth_password") or "")
        if not password and o.get("auth_password_file"):
            password = read_secret_file(str(o["auth_password_file"]))
        if "plain" in mechanisms:
            await smtp.auth_plain(username, password)
        elif "login" in mechanisms:
            await smtp.auth_login(username, password)
        else:
            raise NotifyError(f"unknown auth mechanism: {' '.join(sorted(mechanisms))}", "clientError")


def _tls_context(tls: dict[str, Any]) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=tls.get("ca_file") or None)
    if tls.get("cert_file"):
        ctx.load_cert_chain(tls["cert_file"], tls.get("key_file") or None)
    if str(tls.get("insecure_skip_verify", "")).lower() == "true":
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _address(text: str) -> str:
    return email.utils.parseaddr(text)[1] or text


def _addresses(text: str) -> list[str]:
    return [addr for _, addr in email.utils.getaddresses([text]) if addr]
