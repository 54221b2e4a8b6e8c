"""`global:` of alertmanager.yml (0.25's GlobalConfig) with its defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from erpmon.config._decode import Decoder
from erpmon.config._http import HTTP_KEYS, HTTPClientConfig, decode_http
from erpmon.config._yamlnode import Node

NS = 1_000_000_000

GLOBAL_KEYS = (
    "resolve_timeout",
    "http_config",
    "smtp_from",
    "smtp_hello",
    "smtp_smarthost",
    "smtp_auth_username",
    "smtp_auth_password",
    "smtp_auth_password_file",
    "smtp_auth_secret",
    "smtp_auth_identity",
    "smtp_require_tls",
    "slack_api_url",
    "slack_api_url_file",
    "pagerduty_url",
    "opsgenie_api_url",
    "opsgenie_api_key",
    "opsgenie_api_key_file",
    "wechat_api_url",
    "wechat_api_secret",
    "wechat_api_corp_id",
    "victorops_api_url",
    "victorops_api_key",
    "victorops_api_key_file",
    "telegram_api_url",
    "webex_api_url",
)
GLOBAL_SECRETS = frozenset(
    {
        "smtp_auth_password",
        "smtp_auth_secret",
        "slack_api_url",
        "opsgenie_api_key",
        "wechat_api_secret",
        "victorops_api_key",
    }
)


@dataclass(frozen=True)
class GlobalConfig:
    resolve_timeout_ns: int = 5 * 60 * NS
    http_config: HTTPClientConfig = field(default_factory=HTTPClientConfig)
    smtp_from: str = ""
    smtp_hello: str = "localhost"
    smtp_smarthost: str = ""
    smtp_auth_username: str = ""
    smtp_auth_password: str = ""
    smtp_auth_password_file: str = ""
    smtp_auth_secret: str = ""
    smtp_auth_identity: str = ""
    smtp_require_tls: bool = True
    slack_api_url: str = ""
    slack_api_url_file: str = ""
    pagerduty_url: str = "https://events.pagerduty.com/v2/enqueue"
    opsgenie_api_url: str = "https://api.opsgenie.com/"
    opsgenie_api_key: str = ""
    opsgenie_api_key_file: str = ""
    wechat_api_url: str = "https://qyapi.weixin.qq.com/cgi-bin/"
    wechat_api_secret: str = ""
    wechat_api_corp_id: str = ""
    victorops_api_url: str = "https://alert.victorops.com/integrations/generic/20131114/alert/"
    victorops_api_key: str = ""
    victorops_api_key_file: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    webex_api_url: str = "https://webexapis.com/v1/messages"


def decode_global(dec: Decoder, node: Node | None, base_dir: str) -> GlobalConfig:
    from erpmon.alerting._yamlvalues import decode_duration_ns, decode_hostport, decode_url

    f = dec.fields(node, "config.plain", GLOBAL_KEYS)
    if f is None:
        return GlobalConfig()
    d = GlobalConfig()
    hf = dec.fields(f.get("http_config"), "config.plain", HTTP_KEYS)
    http = decode_http(dec, hf, f.get("http_config"), base_dir) if hf is not None else HTTPClientConfig()

    def s(key: str, default: str = "") -> str:
        return dec.string(f.get(key), default)

    def url(key: str, default: str) -> str:
        return decode_url(dec, f.get(key), default)

    cfg = GlobalConfig(
        resolve_timeout_ns=decode_duration_ns(dec, f.get("resolve_timeout"), d.resolve_timeout_ns),
        http_config=http,
        smtp_from=s("smtp_from"),
        smtp_hello=s("smtp_hello", d.smtp_hello),
        smtp_smarthost=decode_hostport(dec, f.get("smtp_smarthost")),
        smtp_auth_username=s("smtp_auth_username"),
        smtp_auth_password=s("smtp_auth_password"),
        smtp_auth_password_file=s("smtp_auth_password_file"),
        smtp_auth_secret=s("smtp_auth_secret"),
        smtp_auth_identity=s("smtp_auth_identity"),
        smtp_require_tls=dec.boolean(f.get("smtp_require_tls"), True),
        slack_api_url=url("slack_api_url", ""),
        slack_api_url_file=s("slack_api_url_file"),
        pagerduty_url=url("pagerduty_url", d.pagerduty_url),
        opsgenie_api_url=url("opsgenie_api_url", d.opsgenie_api_url),
        opsgenie_api_key=s("opsgenie_api_key"),
        opsgenie_api_key_file=s("opsgenie_api_key_file"),
        wechat_api_url=url("wechat_api_url", d.wechat_api_url),
        wechat_api_secret=s("wechat_api_secret"),
        wechat_api_corp_id=s("wechat_api_corp_id"),
        victorops_api_url=url("victorops_api_url", d.victorops_api_url),
        victorops_api_key=s("victorops_api_key"),
        victorops_api_key_file=s("victorops_api_key_file"),
        telegram_api_url=url("telegram_api_url", d.telegram_api_url),
        webex_api_url=url("webex_api_url", d.webex_api_url),
    )
    pairs = (
        ("slack_api_url", "slack_api_url_file"),
        ("opsgenie_api_key", "opsgenie_api_key_file"),
        ("victorops_api_key", "victorops_api_key_file"),
        ("smtp_auth_password", "smtp_auth_password_file"),
    )
    for inline, file in pairs:
        if getattr(cfg, inline) and getattr(cfg, file):
            dec.error(node, f"at most one of {inline} & {file} must be configured")
    return cfg
