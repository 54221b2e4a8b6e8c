"""HTTP client options (prometheus/common `HTTPClientConfig` v0.39, as Prometheus 2.42 uses it).

Auth, TLS, proxy and redirect options shared by scrape configs, Alertmanagers, remote write/read.
The deprecated `bearer_token` / `bearer_token_file` come out as an `Authorization` of type Bearer,
with the same mutual-exclusion errors as Go.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from erpmon.config._decode import Decoder
from erpmon.config._yamlnode import Node

HTTP_KEYS = (
    "basic_auth",
    "authorization",
    "oauth2",
    "bearer_token",
    "bearer_token_file",
    "proxy_url",
    "proxy_connect_header",
    "tls_config",
    "follow_redirects",
    "enable_http2",
)
TLS_VERSIONS = ("TLS10", "TLS11", "TLS12", "TLS13")
_EMPTY: Mapping[str, tuple[str, ...]] = MappingProxyType({})


def join_dir(base_dir: str, path: str) -> str:
    """Prometheus's `config.JoinDir`: relative, non-empty paths are joined to the config's directory."""
    if path == "" or os.path.isabs(path) or base_dir == "":
        return path
    return os.path.normpath(os.path.join(base_dir, path))


@dataclass(frozen=True)
class TLSConfig:
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    server_name: str = ""
    insecure_skip_verify: bool = False
    min_version: str = ""
    max_version: str = ""


@dataclass(frozen=True)
class BasicAuth:
    username: str = ""
    password: str = ""
    password_file: str = ""


@dataclass(frozen=True)
class Authorization:
    type: str = "Bearer"
    credentials: str = ""
    credentials_file: str = ""


@dataclass(frozen=True)
class OAuth2:
    client_id: str = ""
    client_secret: str = ""
    client_secret_file: str = ""
    scopes: tuple[str, ...] = ()
    token_url: str = ""
    endpoint_params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    proxy_url: str = ""
    tls_config: TLSConfig = field(default_factory=TLSConfig)


@dataclass(frozen=True)
class HTTPClientConfig:
    """How to reach a target or endpoint; file paths are already joined to the config's directory."""

    basic_auth: BasicAuth | None = None
    authorization: Authorization | None = None
    oauth2: OAuth2 | None = None
    proxy_url: str = ""
    proxy_connect_header: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    tls_config: TLSConfig = field(default_factory=TLSConfig)
    follow_redirects: bool = True
    enable_http2: bool = True


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BAD_ESCAPE = re.compile(r"%(?![0-9a-fA-F]{2})")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_HOST_OK = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=%:\[\]]*\Z")


def url_problem(text: str) -> str | None:
    """The error Go's url.Parse gives for `text` (the checks Prometheus users realistically hit)."""

    def err(reason: str) -> str:
        return f'parse "{text}": {reason}'

    if _CONTROL.search(text):
        return err("net/url: invalid control character in URL")
    if text.startswith(":"):
        return err("missing protocol scheme")
    bad = _BAD_ESCAPE.search(text.split("#", 1)[0])
    if bad:
        return err(f'invalid URL escape "{text[bad.start() : bad.start() + 3]}"')
    rest = text.split("#", 1)[0].split("?", 1)[0]
    scheme = _SCHEME.match(rest)
    if scheme is not None:
        rest = rest[scheme.end() :]
    elif ":" in rest.split("/", 1)[0]:
        return err("first path segment in URL cannot contain colon")
    if not rest.startswith("//"):
        return None
    authority = rest[2:].split("/", 1)[0]
    host = authority.rsplit("@", 1)[-1]
    if host.startswith("["):
        close = host.find("]")
        if close < 0:
            return err("missing ']' in host")
        port = host[close + 1 :]
        if port and (not port.startswith(":") or not port[1:].isdigit()):
            return err(f'invalid port "{port}" after host')
        return None
    if ":" in host:
        port = host[host.rfind(":") :]
        if port != ":" and not port[1:].isdigit():
            return err(f'invalid port "{port}" after host')
    if not _HOST_OK.match(host):
        bad_char = next(c for c in host if not _HOST_OK.match(c))
        return err(f'invalid character "{bad_char}" in host name')
    return None


def decode_url(dec: Decoder, node: Node | None) -> str | None:
    """A `config.URL` field: None when absent or null; errors reported."""
    text = dec.custom_string(node)
    if text is None:
        return None
    problem = url_problem(text)
    if problem is not None:
        dec.error(node, problem)
        return None
    return text


def decode_tls(dec: Decoder, node: Node | None, base_dir: str) -> TLSConfig:
    keys = (
        "ca_file",
        "cert_file",
        "key_file",
        "server_name",
        "insecure_skip_verify",
        "min_version",
        "max_version",
    )
    f = dec.fields(node, "config.plain", keys)
    if f is None:
        return TLSConfig()
    versions = []
    for key in ("min_version", "max_version"):
        text = dec.custom_string(f.get(key))
        if text is not None and text not in TLS_VERSIONS:
            dec.error(f.get(key), f"unknown TLS version: {text}")
        versions.append(text if text in TLS_VERSIONS else "")
    return TLSConfig(
        ca_file=join_dir(base_dir, dec.string(f.get("ca_file"))),
        cert_file=join_dir(base_dir, dec.string(f.get("cert_file"))),
        key_file=join_dir(base_dir, dec.string(f.get("key_file"))),
        server_name=dec.string(f.get("server_name")),
        insecure_skip_verify=dec.boolean(f.get("insecure_skip_verify"), False),
        min_version=versions[0],
        max_version=versions[1],
    )


def _decode_oauth2(dec: Decoder, node: Node | None, base_dir: str) -> OAuth2 | None:
    keys = (
        "client_id",
        "client_secret",
        "client_secret_file",
        "scopes",
        "token_url",
        "endpoint_params",
        "proxy_url",
        "tls_config",
    )
    f = dec.fields(node, "config.OAuth2", keys)
    if f is None:
        return None
    params = dec.string_map(f.get("endpoint_params")) or {}
    return OAuth2(
        client_id=dec.string(f.get("client_id")),
        client_secret=dec.string(f.get("client_secret"), go_type="config.Secret"),
        client_secret_file=join_dir(base_dir, dec.string(f.get("client_secret_file"))),
        scopes=tuple(dec.string_list(f.get("scopes")) or ()),
        token_url=dec.string(f.get("token_url")),
        endpoint_params=MappingProxyType(params),
        proxy_url=decode_url(dec, f.get("proxy_url")) or "",
        tls_config=decode_tls(dec, f.get("tls_config"), base_dir),
    )


def decode_http(dec: Decoder, f: Mapping[str, Node], owner: Node | None, base_dir: str) -> HTTPClientConfig:
    """The inline HTTP client fields of `f`, validated as `HTTPClientConfig.Validate` (errors on `owner`)."""
    mark = dec.mark()
    basic = None
    bf = dec.fields(f.get("basic_auth"), "config.plain", ("username", "password", "password_file"))
    if bf is not None:
        basic = BasicAuth(
            username=dec.string(bf.get("username")),
            password=dec.string(bf.get("password"), go_type="config.Secret"),
            password_file=join_dir(base_dir, dec.string(bf.get("password_file"))),
        )
    auth = None
    af = dec.fields(
        f.get("authorization"), "config.Authorization", ("type", "credentials", "credentials_file")
    )
    if af is not None:
        auth = Authorization(
            type=dec.string(af.get("type")).strip() or "Bearer",
            credentials=dec.string(af.get("credentials"), go_type="config.Secret"),
            credentials_file=join_dir(base_dir, dec.string(af.get("credentials_file"))),
        )
    oauth2 = _decode_oauth2(dec, f.get("oauth2"), base_dir)
    bearer = dec.string(f.get("bearer_token"), go_type="config.Secret")
    bearer_file = dec.string(f.get("bearer_token_file"))
    proxy_url = decode_url(dec, f.get("proxy_url")) or ""
    header_node = f.get("proxy_connect_header")
    headers = dec.mapping(
        header_node,
        dec.key_string,
        lambda n: dec.string_list(n, "[]config.Secret"),
        "config.Header",
    )
    cfg = HTTPClientConfig(
        basic_auth=basic,
        authorization=auth,
        oauth2=oauth2,
        proxy_url=proxy_url,
        proxy_connect_header=MappingProxyType({k: tuple(v) for k, v in (headers or {}).items()}),
        tls_config=decode_tls(dec, f.get("tls_config"), base_dir),
        follow_redirects=dec.boolean(f.get("follow_redirects"), True),
        enable_http2=dec.boolean(f.get("enable_http2"), True),
    )
    if not dec.clean(mark):
        return cfg
    problem = _validate(cfg, bearer, bearer_file, header_node is not None and bool(headers))
    if problem is not None:
        dec.error(owner, problem)
        return cfg
    if auth is None and (bearer or bearer_file):
        auth = Authorization(credentials=bearer, credentials_file=join_dir(base_dir, bearer_file))
        return replace(cfg, authorization=auth)
    return cfg


def _validate(cfg: HTTPClientConfig, bearer: str, bearer_file: str, has_connect_headers: bool) -> str | None:
    if bearer and bearer_file:
        return "at most one of bearer_token & bearer_token_file must be configured"
    if (cfg.basic_auth is not None or cfg.oauth2 is not None) and (bearer or bearer_file):
        return "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured"
    if cfg.basic_auth is not None and cfg.basic_auth.password and cfg.basic_auth.password_file:
        return "at most one of basic_auth password & password_file must be configured"
    auth = cfg.authorization
    if auth is not None:
        if bearer or bearer_file:
            return "authorization is not compatible with bearer_token & bearer_token_file"
        if auth.credentials and auth.credentials_file:
            return "at most one of authorization credentials & credentials_file must be configured"
        if auth.type.lower() == "basic":
            return 'authorization type cannot be set to "basic", use "basic_auth" instead'
        if cfg.basic_auth is not None or cfg.oauth2 is not None:
            return "at most one of basic_auth, oauth2 & authorization must be configured"
    if cfg.oauth2 is not None:
        o = cfg.oauth2
        if cfg.basic_auth is not None:
            return "at most one of basic_auth, oauth2 & authorization must be configured"
        if not o.client_id:
            return "oauth2 client_id must be configured"
        if not o.client_secret and not o.client_secret_file:
            return "either oauth2 client_secret or client_secret_file must be configured"
        if not o.token_url:
            return "oauth2 token_url must be configured"
        if o.client_secret and o.client_secret_file:
            return "at most one of oauth2 client_secret & client_secret_file must be configured"
    if has_connect_headers and not cfg.proxy_url:
        return "if proxy_connect_header is configured proxy_url must also be configured"
    return None
