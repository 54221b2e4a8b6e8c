"""`remote_write` and `remote_read` endpoints (Prometheus 2.42)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from erpmon.config._decode import Decoder
from erpmon.config._http import HTTP_KEYS, HTTPClientConfig, decode_http, decode_url
from erpmon.config._relabel import decode_relabel_list
from erpmon.config._targets import decode_duration, decode_label_set
from erpmon.config._yamlnode import Node, is_null
from erpmon.model import Labels
from erpmon.relabel import RelabelConfig

RESERVED_HEADERS = frozenset(
    {
        "host",
        "content-encoding",
        "content-length",
        "content-type",
        "user-agent",
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "www-authenticate",
        "accept-encoding",
        "x-prometheus-remote-write-version",
        "x-prometheus-remote-read-version",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
    }
)


def _frozen(d: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(d or {}))


@dataclass(frozen=True)
class QueueConfig:
    capacity: int = 2500
    max_shards: int = 200
    min_shards: int = 1
    max_samples_per_send: int = 500
    batch_send_deadline_ms: int = 5000
    min_backoff_ms: int = 30
    max_backoff_ms: int = 5000
    retry_on_http_429: bool = False


@dataclass(frozen=True)
class MetadataConfig:
    send: bool = True
    send_interval_ms: int = 60_000
    max_samples_per_send: int = 500


@dataclass(frozen=True)
class SigV4Config:
    region: str = ""
    access_key: str = ""
    secret_key: str = ""
    profile: str = ""
    role_arn: str = ""


@dataclass(frozen=True)
class RemoteWriteConfig:
    url: str
    remote_timeout_ms: int = 30_000
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    write_relabel_configs: tuple[RelabelConfig, ...] = ()
    name: str = ""
    send_exemplars: bool = False
    send_native_histograms: bool = False
    http: HTTPClientConfig = field(default_factory=HTTPClientConfig)
    queue_config: QueueConfig = field(default_factory=QueueConfig)
    metadata_config: MetadataConfig = field(default_factory=MetadataConfig)
    sigv4: SigV4Config | None = None


@dataclass(frozen=True)
class RemoteReadConfig:
    url: str
    remote_timeout_ms: int = 60_000
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    read_recent: bool = False
    name: str = ""
    http: HTTPClientConfig = field(default_factory=HTTPClientConfig)
    required_matchers: Labels = field(default_factory=Labels)
    filter_external_labels: bool = True


def header_problem(headers: Mapping[str, str], *, tracing: bool = False) -> str | None:
    for name in headers:
        low = name.lower()
        if low == "authorization":
            if tracing:
                return "custom authorization header configuration is not yet supported"
            via = "basic_auth, authorization, oauth2, or sigv4"
            return f"authorization header must be changed via the {via} parameter"
        if low in RESERVED_HEADERS:
            return f"{name} is a reserved header. It must not be changed"
    return None


def _queue(dec: Decoder, node: Node | None) -> QueueConfig:
    if node is not None and is_null(node):
        return QueueConfig(0, 0, 0, 0, 0, 0, 0, False)
    d = QueueConfig()
    keys = ("capacity", "max_shards", "min_shards", "max_samples_per_send", "batch_send_deadline")
    f = dec.fields(node, "config.QueueConfig", (*keys, "min_backoff", "max_backoff", "retry_on_http_429"))
    if f is None:
        return d
    return QueueConfig(
        capacity=dec.integer(f.get("capacity"), d.capacity),
        max_shards=dec.integer(f.get("max_shards"), d.max_shards),
        min_shards=dec.integer(f.get("min_shards"), d.min_shards),
        max_samples_per_send=dec.integer(f.get("max_samples_per_send"), d.max_samples_per_send),
        batch_send_deadline_ms=decode_duration(dec, f.get("batch_send_deadline"), d.batch_send_deadline_ms),
        min_backoff_ms=decode_duration(dec, f.get("min_backoff"), d.min_backoff_ms),
        max_backoff_ms=decode_duration(dec, f.get("max_backoff"), d.max_backoff_ms),
        retry_on_http_429=dec.boolean(f.get("retry_on_http_429"), False),
    )


def _metadata(dec: Decoder, node: Node | None) -> MetadataConfig:
    if node is not None and is_null(node):
        return MetadataConfig(False, 0, 0)
    d = MetadataConfig()
    f = dec.fields(node, "config.MetadataConfig", ("send", "send_interval", "max_samples_per_send"))
    if f is None:
        return d
    return MetadataConfig(
        send=dec.boolean(f.get("send"), True),
        send_interval_ms=decode_duration(dec, f.get("send_interval"), d.send_interval_ms),
        max_samples_per_send=dec.integer(f.get("max_samples_per_send"), d.max_samples_per_send),
    )


def _sigv4(dec: Decoder, node: Node | None) -> SigV4Config | None:
    f = dec.fields(node, "sigv4.plain", ("region", "access_key", "secret_key", "profile", "role_arn"))
    if f is None:
        return None
    cfg = SigV4Config(
        *(dec.string(f.get(k)) for k in ("region", "access_key", "secret_key", "profile", "role_arn"))
    )
    if bool(cfg.access_key) != bool(cfg.secret_key):
        need = "must provide a AWS SigV4 Access key and Secret Key"
        dec.error(node, f"{need} if credentials are specified in the SigV4 config")
    return cfg


_WRITE_KEYS = (
    "url",
    "remote_timeout",
    "headers",
    "write_relabel_configs",
    "name",
    "send_exemplars",
    "send_native_histograms",
    "queue_config",
    "metadata_config",
    "sigv4",
    *HTTP_KEYS,
)
_READ_KEYS = (
    "url",
    "remote_timeout",
    "headers",
    "read_recent",
    "name",
    "required_matchers",
    "filter_external_labels",
    *HTTP_KEYS,
)


def decode_remote_write(dec: Decoder, node: Node, base_dir: str) -> RemoteWriteConfig | None:
    mark = dec.mark()
    f = dec.fields(node, "config.plain", _WRITE_KEYS)
    if f is None:
        return None
    url = decode_url(dec, f.get("url"))
    relabels = decode_relabel_list(
        dec, f.get("write_relabel_configs"), "empty or null relabeling rule in remote write config"
    )
    headers = dec.string_map(f.get("headers")) or {}
    http = decode_http(dec, f, node, base_dir)
    cfg = RemoteWriteConfig(
        url=url or "",
        remote_timeout_ms=decode_duration(dec, f.get("remote_timeout"), 30_000),
        headers=_frozen(headers),
        write_relabel_configs=relabels,
        name=dec.string(f.get("name")),
        send_exemplars=dec.boolean(f.get("send_exemplars"), False),
        send_native_histograms=dec.boolean(f.get("send_native_histograms"), False),
        http=http,
        queue_config=_queue(dec, f.get("queue_config")),
        metadata_config=_metadata(dec, f.get("metadata_config")),
        sigv4=_sigv4(dec, f.get("sigv4")),
    )
    if not dec.clean(mark):
        return None
    problem = "url for remote_write is empty" if url is None else header_problem(headers)
    if problem is None and cfg.sigv4 is not None and (http.basic_auth or http.authorization or http.oauth2):
        problem = "at most one of basic_auth, authorization, oauth2, & sigv4 must be configured"
    if problem is not None:
        dec.error(node, problem)
        return None
    return cfg


def decode_remote_read(dec: Decoder, node: Node, base_dir: str) -> RemoteReadConfig | None:
    mark = dec.mark()
    f = dec.fields(node, "config.plain", _READ_KEYS)
    if f is None:
        return None
    url = decode_url(dec, f.get("url"))
    headers = dec.string_map(f.get("headers")) or {}
    matchers = decode_label_set(dec, f.get("required_matchers")) or {}
    cfg = RemoteReadConfig(
        url=url or "",
        remote_timeout_ms=decode_duration(dec, f.get("remote_timeout"), 60_000),
        headers=_frozen(headers),
        read_recent=dec.boolean(f.get("read_recent"), False),
        name=dec.string(f.get("name")),
        http=decode_http(dec, f, node, base_dir),
        required_matchers=Labels(matchers),
        filter_external_labels=dec.boolean(f.get("filter_external_labels"), True),
    )
    if not dec.clean(mark):
        return None
    problem = "url for remote_read is empty" if url is None else header_problem(headers)
    if problem is not None:
        dec.error(node, problem)
        return None
    return cfg
