"""Email (a real aiosmtpd server with STARTTLS and AUTH), Twilio-shaped SMS, apprise, and retries."""

from __future__ import annotations

import email
import email.policy
import ssl
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword
from tests.support import DrainingController, free_port

from erpmon.alerting import Alert
from erpmon.alerting.config import parse_alertmanager_config
from erpmon.alerting.notify import Integration, NotifyContext, NotifyMetrics, build_integrations, deliver
from erpmon.alerting.templates import TemplateSet
from erpmon.alerting.testing import collector
from erpmon.model import Labels

S = 1_000_000_000
NOW = 1_700_000_000 * S
ALERTS = [
    Alert(Labels({"alertname": "DiskFull", "instance": "db1", "severity": "critical"}),
          Labels({"summary": "disk <full>"}), NOW - 60 * S, None, "http://prom/graph"),
]  # fmt: skip
CTX = NotifyContext("ops", '{}:{alertname="DiskFull"}', Labels({"alertname": "DiskFull"}), NOW)


def integrations(yaml_receivers: str, client: httpx.AsyncClient | None = None) -> list[Integration]:
    cfg = parse_alertmanager_config("route: {receiver: ops}\nreceivers:\n  - name: ops\n" + yaml_receivers)
    return build_integrations(cfg.receivers[0], TemplateSet.load([], external_url="http://am"), client=client)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((mechanism, data.login.decode()))
        ok = data.login == b"alerts" and data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return server_ctx, ca_file


@pytest.fixture
def smtp(tls: tuple[ssl.SSLContext, Path]) -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = DrainingController(
        inbox, hostname="127.0.0.1", port=port, tls_context=tls[0], require_starttls=True,
        authenticator=inbox.authenticate, auth_require_tls=True,
    )  # fmt: skip
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def test_email_over_starttls_with_auth(smtp: tuple[Inbox, int], tls: Any, tmp_path: Path) -> None:
    inbox, port = smtp
    password = tmp_path / "pw"
    password.write_text("s3cret\n")
    [integ] = integrations(f"""\
    email_configs:
      - to: 'Ops Team <ops@example.com>, oncall@example.com'
        from: 'alerts@example.com'
        smarthost: '127.0.0.1:{port}'
        auth_username: alerts
        auth_password_file: '{password}'
        tls_config: {{ca_file: '{tls[1]}'}}
        headers: {{X-Team: '{{{{ .GroupLabels.alertname }}}}-team'}}
        text: 'Firing: {{{{ range .Alerts }}}}{{{{ .Labels.instance }}}}{{{{ end }}}}'
""")
    assert (integ.name, integ.send_resolved) == ("email", False)
    assert await integ.notify(CTX, ALERTS) == (False, None)
    [msg] = inbox.messages
    assert inbox.logins and inbox.logins[0][1] == "alerts"
    assert msg["Subject"] == "[FIRING:1] DiskFull (db1 critical)"
    assert msg["To"] == "Ops Team <ops@example.com>, oncall@example.com"
    assert msg["From"] == "alerts@example.com" and msg["X-Team"] == "DiskFull-team"
    assert msg["Message-Id"] and msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and text.get_content().strip() == "Firing: db1"
    assert (
        html is not None and "disk &lt;full&gt;" in html.get_content() and ">Source</a>" in html.get_content()
    )


async def test_email_wrong_password_fails_without_retry(smtp: tuple[Inbox, int], tls: Any) -> None:
    _, port = smtp
    [integ] = integrations(f"""\
    email_configs:
      - {{to: a@example.com, from: b@example.com, smarthost: '127.0.0.1:{port}', auth_username: alerts,
          auth_password: wrong, tls_config: {{ca_file: '{tls[1]}'}}}}
""")
    retry, err = await integ.notify(CTX, ALERTS)
    assert err is not None and "535" in str(err) and retry is False


async def test_email_require_tls_refuses_a_plain_server() -> None:
    inbox = Inbox()
    port = free_port()
    controller = DrainingController(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        [strict] = integrations(
            f"    email_configs: [{{to: a@x, from: b@x, smarthost: '127.0.0.1:{port}'}}]\n"
        )
        retry, err = await strict.notify(CTX, ALERTS)
        assert err is not None and "STARTTLS" in str(err) and not retry
        opts = f"to: a@x, from: b@x, smarthost: '127.0.0.1:{port}', require_tls: false"
        [plain] = integrations(f"    email_configs: [{{{opts}}}]\n")
        assert await plain.notify(CTX, ALERTS) == (False, None)
        assert len(inbox.messages) == 1
    finally:
        controller.stop()


class FormCapture:
    def __init__(self, codes: list[int]) -> None:
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.codes = codes


@pytest.fixture
def twilio() -> Iterator[tuple[FormCapture, str]]:
    cap = FormCapture([])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            cap.requests.append((self.path, self.headers.get("Authorization", ""), parse_qs(body)))
            code = cap.codes.pop(0) if cap.codes else 201
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b'{"code": 21211, "message": "bad number"}' if code >= 400 else b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield cap, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_sms_posts_one_twilio_message_per_recipient(
    twilio: tuple[FormCapture, str], tmp_path: Path
) -> None:
    cap, url = twilio
    token = tmp_path / "token"
    token.write_text("tok")
    async with httpx.AsyncClient() as client:
        [integ] = integrations(f"""\
    sms_configs:
      - {{api_url: '{url}', account_sid: AC123, auth_token_file: '{token}', from: '+15550001',
         to: ['+15550002', '+15550003']}}
""", client)  # fmt: skip
        assert await integ.notify(CTX, ALERTS) == (False, None)
        assert [r[0] for r in cap.requests] == ["/2010-04-01/Accounts/AC123/Messages.json"] * 2
        assert cap.requests[0][1] == "Basic " + __import__("base64").b64encode(b"AC123:tok").decode()
        assert [r[2]["To"] for r in cap.requests] == [["+15550002"], ["+15550003"]]
        assert cap.requests[0][2]["Body"] == ["[FIRING:1] DiskFull: disk <full>"]
        cap.codes[:] = [400]
        retry, err = await integ.notify(CTX, ALERTS)
        assert not retry and "21211" in str(err)
        cap.codes[:] = [503]
        assert (await integ.notify(CTX, ALERTS))[0] is True


async def test_apprise_delivers_to_a_json_url() -> None:
    with collector() as (col, url):
        [integ] = integrations(f"    apprise_configs: [{{urls: ['{url.replace('http://', 'json://')}']}}]\n")
        assert await integ.notify(CTX, ALERTS) == (False, None)
    [(_, body)] = col.bodies
    assert body["title"] == "[FIRING:1] DiskFull (db1 critical)"
    assert "Alerts Firing:" in body["message"] and "instance = db1" in body["message"]


async def test_deliver_retries_then_succeeds_and_counts() -> None:
    metrics = NotifyMetrics(None)
    with collector() as (col, url):
        col.fail_first = 2
        async with httpx.AsyncClient() as client:
            [integ] = integrations(f"    webhook_configs: [{{url: '{url}'}}]\n", client)
            assert await deliver(integ, CTX, ALERTS, timeout_s=20, metrics=metrics)
    assert len(col.bodies) == 1
    assert metrics.requests_failed.labels("webhook")._value.get() == 2
    assert metrics.failed.labels("webhook", "serverError")._value.get() == 0


async def test_deliver_gives_up_at_the_deadline_without_raising() -> None:
    metrics = NotifyMetrics(None)
    async with httpx.AsyncClient() as client:
        [integ] = integrations(f"    webhook_configs: [{{url: 'http://127.0.0.1:{free_port()}/'}}]\n", client)
        assert not await deliver(integ, CTX, ALERTS, timeout_s=1.5, metrics=metrics)
    assert metrics.failed.labels("webhook", "other")._value.get() == 1
    assert metrics.requests.labels("webhook")._value.get() >= 2


async def test_resolved_alerts_are_not_sent_where_send_resolved_is_false() -> None:
    metrics = NotifyMetrics(None)
    resolved = [Alert(ALERTS[0].labels, ALERTS[0].annotations, NOW - 60 * S, NOW - S)]
    with collector() as (col, url):
        async with httpx.AsyncClient() as client:
            [integ] = integrations(f"    webhook_configs: [{{url: '{url}', send_resolved: false}}]\n", client)
            assert await deliver(integ, CTX, resolved, timeout_s=5, metrics=metrics)
    assert col.bodies == []


async def test_http_config_applies_basic_auth_per_integration(twilio: tuple[FormCapture, str]) -> None:
    cap, url = twilio
    [integ] = integrations(f"""\
    webhook_configs:
      - url: '{url}/hook'
        http_config: {{basic_auth: {{username: hook, password: pw}}}}
""")
    try:
        assert integ.client is not None
        await integ.notify(CTX, ALERTS)
    finally:
        from erpmon.alerting.notify import close_clients

        await close_clients([integ])
    [(path, authz, _)] = cap.requests
    assert path == "/hook" and authz == "Basic " + __import__("base64").b64encode(b"hook:pw").decode()
