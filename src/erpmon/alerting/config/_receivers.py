"""`receivers:`: each receiver's integrations, decoded with 0.25's keys, defaults and checks.

An integration's settings are kept as a mapping of its YAML keys (`IntegrationConfig.options`)
with the global defaults filled in, so the notifier reads `opts["channel"]` as the YAML says it.
Two integrations are erpmon's own: `sms_configs` (Twilio's API shape) and `apprise_configs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from yaml import MappingNode, ScalarNode, SequenceNode

from erpmon.alerting._yamlvalues import decode_hostport, decode_url
from erpmon.alerting.config._global import GlobalConfig
from erpmon.config._decode import Decoder
from erpmon.config._http import HTTP_KEYS, HTTPClientConfig, decode_http
from erpmon.config._yamlnode import Node, is_null

# YAML key -> (integration name, its keys, bool keys, int keys, secret keys, send_resolved default)
_SPECS: dict[str, tuple[str, tuple[str, ...], frozenset[str], frozenset[str], frozenset[str], bool]] = {
    "webhook_configs": (
        "webhook",
        ("http_config", "url", "max_alerts"),
        frozenset(),
        frozenset({"max_alerts"}),
        frozenset({"url"}),
        True,
    ),
    "email_configs": (
        "email",
        (
            "to",
            "from",
            "hello",
            "smarthost",
            "auth_username",
            "auth_password",
            "auth_password_file",
            "auth_secret",
            "auth_identity",
            "headers",
            "html",
            "text",
            "require_tls",
            "tls_config",
        ),
        frozenset({"require_tls"}),
        frozenset(),
        frozenset({"auth_password", "auth_secret"}),
        False,
    ),
    "slack_configs": (
        "slack",
        (
            "http_config",
            "api_url",
            "api_url_file",
            "channel",
            "username",
            "color",
            "title",
            "title_link",
            "pretext",
            "text",
            "fields",
            "short_fields",
            "footer",
            "fallback",
            "callback_id",
            "icon_emoji",
            "icon_url",
            "image_url",
            "thumb_url",
            "link_names",
            "mrkdwn_in",
            "actions",
        ),
        frozenset({"short_fields", "link_names"}),
        frozenset(),
        frozenset({"api_url"}),
        False,
    ),
    "pagerduty_configs": (
        "pagerduty",
        (
            "http_config",
            "service_key",
            "service_key_file",
            "routing_key",
            "routing_key_file",
            "url",
            "client",
            "client_url",
            "description",
            "details",
            "images",
            "links",
            "source",
            "severity",
            "class",
            "component",
            "group",
        ),
        frozenset(),
        frozenset(),
        frozenset({"service_key", "routing_key"}),
        True,
    ),
    "opsgenie_configs": (
        "opsgenie",
        (
            "http_config",
            "api_key",
            "api_key_file",
            "api_url",
            "message",
            "description",
            "source",
            "details",
            "entity",
            "responders",
            "actions",
            "tags",
            "note",
            "priority",
            "update_alerts",
        ),
        frozenset({"update_alerts"}),
        frozenset(),
        frozenset({"api_key"}),
        True,
    ),
    "wechat_configs": (
        "wechat",
        (
            "http_config",
            "api_secret",
            "corp_id",
            "message",
            "api_url",
            "to_user",
            "to_party",
            "to_tag",
            "agent_id",
            "message_type",
        ),
        frozenset(),
        frozenset(),
        frozenset({"api_secret"}),
        False,
    ),
    "pushover_configs": (
        "pushover",
        (
            "http_config",
            "user_key",
            "token",
            "title",
            "message",
            "url",
            "url_title",
            "sound",
            "priority",
            "retry",
            "expire",
            "html",
        ),
        frozenset({"html"}),
        frozenset(),
        frozenset({"user_key", "token"}),
        True,
    ),
    "victorops_configs": (
        "victorops",
        (
            "http_config",
            "api_key",
            "api_key_file",
            "api_url",
            "routing_key",
            "message_type",
            "state_message",
            "entity_display_name",
            "monitoring_tool",
            "custom_fields",
        ),
        frozenset(),
        frozenset(),
        frozenset({"api_key"}),
        True,
    ),
    "sns_configs": (
        "sns",
        (
            "http_config",
            "api_url",
            "sigv4",
            "topic_arn",
            "phone_number",
            "target_arn",
            "subject",
            "message",
            "attributes",
        ),
        frozenset(),
        frozenset(),
        frozenset(),
        True,
    ),
    "telegram_configs": (
        "telegram",
        ("http_config", "api_url", "bot_token", "chat_id", "message", "disable_notifications", "parse_mode"),
        frozenset({"disable_notifications"}),
        frozenset({"chat_id"}),
        frozenset({"bot_token"}),
        True,
    ),
    "discord_configs": (
        "discord",
        ("http_config", "webhook_url", "title", "message"),
        frozenset(),
        frozenset(),
        frozenset({"webhook_url"}),
        True,
    ),
    "webex_configs": (
        "webex",
        ("http_config", "api_url", "message", "room_id"),
        frozenset(),
        frozenset(),
        frozenset(),
        True,
    ),
    # erpmon's extensions
    "sms_configs": (
        "sms",
        (
            "http_config",
            "provider",
            "api_url",
            "account_sid",
            "auth_token",
            "auth_token_file",
            "from",
            "to",
            "text",
        ),
        frozenset(),
        frozenset(),
        frozenset({"auth_token"}),
        False,
    ),
    "apprise_configs": (
        "apprise",
        ("urls", "urls_file", "title", "body"),
        frozenset(),
        frozenset(),
        frozenset({"urls"}),
        False,
    ),
}
EXTENSIONS = frozenset({"sms_configs", "apprise_configs"})
RECEIVER_KEYS = ("name", *_SPECS)
SECRET_KEYS = frozenset().union(*(spec[4] for spec in _SPECS.values())) | frozenset(
    {"password", "bearer_token", "client_secret", "credentials"}
)


@dataclass(frozen=True)
class IntegrationConfig:
    kind: str  # "webhook", "email", ...
    send_resolved: bool
    options: Mapping[str, Any]
    http: HTTPClientConfig = field(default_factory=HTTPClientConfig)


@dataclass(frozen=True)
class ReceiverConfig:
    name: str
    integrations: tuple[IntegrationConfig, ...] = ()

    def of(self, kind: str) -> list[IntegrationConfig]:
        return [i for i in self.integrations if i.kind == kind]


def decode_receiver(dec: Decoder, node: Node, glob: GlobalConfig, base_dir: str) -> ReceiverConfig | None:
    f = dec.fields(node, "config.plain", RECEIVER_KEYS)
    if f is None:
        return None
    name = dec.string(f.get("name"))
    if not name:
        dec.error(node, "missing name in receiver")
    out: list[IntegrationConfig] = []
    for key, (kind, keys, bools, ints, _secrets, resolved_default) in _SPECS.items():
        for item in _items(dec, f.get(key)):
            cfg = _decode_integration(dec, item, kind, keys, bools, ints, resolved_default, glob, base_dir)
            if cfg is not None:
                out.append(cfg)
    return ReceiverConfig(name, tuple(out))


def _items(dec: Decoder, node: Node | None) -> list[Node]:
    if node is None or is_null(node):
        return []
    if not isinstance(node, SequenceNode):
        dec.terror(node, "[]*config.plain")
        return []
    return list(node.value)


def _decode_integration(
    dec: Decoder,
    node: Node,
    kind: str,
    keys: tuple[str, ...],
    bools: frozenset[str],
    ints: frozenset[str],
    resolved_default: bool,
    glob: GlobalConfig,
    base_dir: str,
) -> IntegrationConfig | None:
    f = dec.fields(node, "config.plain", ("send_resolved", *keys))
    if f is None:
        return None
    opts: dict[str, Any] = {}
    for key in keys:
        child = f.get(key)
        if child is None or key == "http_config":
            continue
        if key in bools:
            opts[key] = dec.boolean(child, False)
        elif key in ints:
            opts[key] = dec.integer(child, 0)
        elif key in ("url", "api_url", "webhook_url") and kind != "apprise":
            opts[key] = decode_url(dec, child, "")
        elif key == "smarthost":
            opts[key] = decode_hostport(dec, child)
        else:
            opts[key] = plain(dec, child)
    hf = dec.fields(f.get("http_config"), "config.plain", HTTP_KEYS)
    http = decode_http(dec, hf, f.get("http_config"), base_dir) if hf is not None else glob.http_config
    send_resolved = dec.boolean(f.get("send_resolved"), resolved_default)
    _defaults_and_checks(dec, node, kind, opts, glob)
    return IntegrationConfig(kind, send_resolved, opts, http)


def plain(dec: Decoder, node: Node) -> Any:
    """A YAML value as Go would read it into strings, lists and string maps (scalars stay text)."""
    if is_null(node):
        return None
    if isinstance(node, ScalarNode):
        return dec.string(node)
    if isinstance(node, SequenceNode):
        return [plain(dec, c) for c in node.value]
    if isinstance(node, MappingNode):
        return {dec.string(k): plain(dec, v) for k, v in node.value}
    return None


def _defaults_and_checks(dec: Decoder, node: Node, kind: str, o: dict[str, Any], g: GlobalConfig) -> None:
    """0.25's per-integration validation and the global defaults `Config.UnmarshalYAML` fills in."""
    if kind == "webhook":
        if "url" not in o:
            dec.error(node, "missing URL in webhook config")
    elif kind == "email":
        if not o.get("to"):
            dec.error(node, "missing to address in email config")
        if o.get("auth_password") and o.get("auth_password_file"):
            dec.error(node, "at most one of auth_password & auth_password_file must be configured")
        if not o.get("smarthost"):
            if not g.smtp_smarthost:
                dec.error(node, "no global SMTP smarthost set")
            o["smarthost"] = g.smtp_smarthost
        if not o.get("from"):
            if not g.smtp_from:
                dec.error(node, "no global SMTP from set")
            o["from"] = g.smtp_from
        o.setdefault("hello", g.smtp_hello)
        o.setdefault("auth_username", g.smtp_auth_username)
        if not o.get("auth_password") and not o.get("auth_password_file"):
            o["auth_password"] = g.smtp_auth_password
            o["auth_password_file"] = g.smtp_auth_password_file
        o.setdefault("auth_secret", g.smtp_auth_secret)
        o.setdefault("auth_identity", g.smtp_auth_identity)
        o.setdefault("require_tls", g.smtp_require_tls)
        headers = o.get("headers") or {}
        normalised: dict[str, str] = {}
        for k, v in headers.items():
            canon = "-".join(p.capitalize() for p in str(k).split("-"))
            if canon in normalised:
                dec.error(node, f"duplicate header {canon!r} in email config".replace("'", '"'))
            normalised[canon] = v
        o["headers"] = normalised
        o.setdefault("html", '{{ template "email.default.html" . }}')
    elif kind == "slack":
        if o.get("api_url") and o.get("api_url_file"):
            dec.error(node, "at most one of api_url & api_url_file must be configured")
        if not o.get("api_url") and not o.get("api_url_file"):
            if not g.slack_api_url and not g.slack_api_url_file:
                dec.error(node, "no global Slack API URL set either inline or in a file")
            o["api_url"], o["api_url_file"] = g.slack_api_url, g.slack_api_url_file
    elif kind == "pagerduty":
        if not any(o.get(k) for k in ("routing_key", "routing_key_file", "service_key", "service_key_file")):
            dec.error(node, "missing service or routing key in PagerDuty config")
        o.setdefault("url", g.pagerduty_url)
    elif kind == "opsgenie":
        url = o.get("api_url") or g.opsgenie_api_url
        o["api_url"] = url if url.endswith("/") else url + "/"
        if not o.get("api_key") and not o.get("api_key_file"):
            if not g.opsgenie_api_key and not g.opsgenie_api_key_file:
                dec.error(node, "no global OpsGenie API Key set either inline or in a file")
            o["api_key"], o["api_key_file"] = g.opsgenie_api_key, g.opsgenie_api_key_file
    elif kind == "discord" and not o.get("webhook_url"):
        dec.error(node, "no discord webhook URL provided")
    elif kind == "sms":
        if o.setdefault("provider", "twilio") != "twilio":
            dec.error(node, f"unsupported SMS provider {o['provider']!r}; erpmon speaks twilio")
        o.setdefault("api_url", "https://api.twilio.com")
        for key in ("account_sid", "from"):
            if not o.get(key):
                dec.error(node, f"missing {key} in sms config")
        if not o.get("to"):
            dec.error(node, "missing to numbers in sms config")
        if bool(o.get("auth_token")) == bool(o.get("auth_token_file")):
            dec.error(node, "exactly one of auth_token & auth_token_file must be configured")
        o.setdefault("text", '{{ template "sms.default.text" . }}')
    elif kind == "apprise":
        if bool(o.get("urls")) == bool(o.get("urls_file")):
            dec.error(node, "exactly one of urls & urls_file must be configured")
        o.setdefault("title", '{{ template "apprise.default.title" . }}')
        o.setdefault("body", '{{ template "apprise.default.body" . }}')
