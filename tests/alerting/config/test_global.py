"""`global:` of alertmanager.yml: 0.25's defaults, every key decoded, and its checks."""

from __future__ import annotations

import dataclasses

import pytest

from erpmon.alerting.config import GlobalConfig, parse_alertmanager_config
from erpmon.config import ConfigError

NS = 1_000_000_000
TAIL = "route: {receiver: r}\nreceivers: [{name: r}]\n"


def glob(body: str) -> GlobalConfig:
    return parse_alertmanager_config(f"global:\n{body}" + TAIL).global_


def test_defaults_are_0_25s() -> None:
    for g in (parse_alertmanager_config(TAIL).global_, glob("  {}\n"), GlobalConfig()):
        assert g.resolve_timeout_ns == 5 * 60 * NS
        assert g.smtp_hello == "localhost" and g.smtp_require_tls is True
        assert g.pagerduty_url == "https://events.pagerduty.com/v2/enqueue"
        assert g.opsgenie_api_url == "https://api.opsgenie.com/"
        assert g.wechat_api_url == "https://qyapi.weixin.qq.com/cgi-bin/"
        assert g.victorops_api_url == "https://alert.victorops.com/integrations/generic/20131114/alert/"
        assert g.telegram_api_url == "https://api.telegram.org"
        assert g.webex_api_url == "https://webexapis.com/v1/messages"
        assert g.smtp_from == g.smtp_smarthost == g.slack_api_url == ""


def test_every_key() -> None:
    g = glob(
        "  resolve_timeout: 90s\n"
        "  http_config: {follow_redirects: false}\n"
        "  smtp_from: a@b\n  smtp_hello: me.example\n  smtp_smarthost: '[::1]:2525'\n"
        "  smtp_auth_username: u\n  smtp_auth_password_file: /run/pw\n  smtp_auth_secret: cram\n"
        "  smtp_auth_identity: id\n  smtp_require_tls: false\n"
        "  slack_api_url_file: /run/slack\n  pagerduty_url: http://pd.local/x\n"
        "  opsgenie_api_url: https://og.local/\n  opsgenie_api_key_file: /run/og\n"
        "  wechat_api_url: https://wc.local/\n  wechat_api_secret: ws\n  wechat_api_corp_id: corp\n"
        "  victorops_api_url: https://vo.local/\n  victorops_api_key_file: /run/vo\n"
        "  telegram_api_url: https://tg.local\n  webex_api_url: https://wx.local/m\n"
    )
    assert g.resolve_timeout_ns == 90 * NS
    assert g.http_config.follow_redirects is False
    assert (g.smtp_from, g.smtp_hello, g.smtp_smarthost) == ("a@b", "me.example", "[::1]:2525")
    assert (g.smtp_auth_username, g.smtp_auth_password_file, g.smtp_auth_secret) == ("u", "/run/pw", "cram")
    assert g.smtp_auth_identity == "id" and g.smtp_require_tls is False
    assert g.slack_api_url_file == "/run/slack" and g.pagerduty_url == "http://pd.local/x"
    assert (g.opsgenie_api_url, g.opsgenie_api_key_file) == ("https://og.local/", "/run/og")
    assert (g.wechat_api_url, g.wechat_api_secret, g.wechat_api_corp_id) == (
        "https://wc.local/",
        "ws",
        "corp",
    )
    assert (g.victorops_api_url, g.victorops_api_key_file) == ("https://vo.local/", "/run/vo")
    assert (g.telegram_api_url, g.webex_api_url) == ("https://tg.local", "https://wx.local/m")
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.smtp_from = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            "  slack_api_url: http://x/\n  slack_api_url_file: /f\n",
            "at most one of slack_api_url & slack_api_url_file",
        ),
        (
            "  opsgenie_api_key: k\n  opsgenie_api_key_file: /f\n",
            "at most one of opsgenie_api_key & opsgenie_api_key_file",
        ),
        (
            "  victorops_api_key: k\n  victorops_api_key_file: /f\n",
            "at most one of victorops_api_key & victorops_api_key_file",
        ),
        (
            "  smtp_auth_password: p\n  smtp_auth_password_file: /f\n",
            "at most one of smtp_auth_password & smtp_auth_password_file",
        ),
        ("  slack_api_url: 'ftp://x/'\n", 'unsupported scheme "ftp" for URL'),
        ("  webex_api_url: 'https://'\n", "missing host for URL"),
        ("  smtp_smarthost: host\n", "address host: missing port in address"),
        ("  smtp_smarthost: 'host:'\n", 'address "host:": port cannot be empty'),
        ("  resolve_timeout: 1x\n", 'not a valid duration string: "1x"'),
        ("  smtp_require_tls: sometimes\n", "cannot unmarshal !!str `sometimes` into bool"),
        ("  smtp_port: 25\n", "field smtp_port not found in type config.plain"),
    ],
)
def test_refused(body: str, reason: str) -> None:
    with pytest.raises(ConfigError) as err:
        glob(body)
    assert reason in str(err.value)
