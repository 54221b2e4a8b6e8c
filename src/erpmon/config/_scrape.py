"""`ScrapeConfig`: one scrape job, decoded and checked as Prometheus 2.42's `config.ScrapeConfig`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from erpmon.config._decode import Decoder
from erpmon.config._http import HTTP_KEYS, HTTPClientConfig, decode_http
from erpmon.config._relabel import decode_relabel_list
from erpmon.config._sd import UNSUPPORTED_SD_KEYS, decode_unsupported_sd
from erpmon.config._targets import (
    FileSDConfig,
    TargetGroup,
    check_static_targets,
    decode_duration,
    decode_file_sd_configs,
    decode_static_configs,
)
from erpmon.config._units import parse_base2_bytes
from erpmon.config._yamlnode import Node
from erpmon.model import go_quote
from erpmon.relabel import RelabelConfig

_OWN_KEYS = (
    "job_name",
    "honor_labels",
    "honor_timestamps",
    "params",
    "scrape_interval",
    "scrape_timeout",
    "metrics_path",
    "scheme",
    "body_size_limit",
    "sample_limit",
    "target_limit",
    "label_limit",
    "label_name_length_limit",
    "label_value_length_limit",
    "relabel_configs",
    "metric_relabel_configs",
    "static_configs",
    "file_sd_configs",
)
SCRAPE_KEYS = _OWN_KEYS + HTTP_KEYS + UNSUPPORTED_SD_KEYS


@dataclass(frozen=True)
class ScrapeConfig:
    """A scrape job. Intervals are ms, already defaulted from `global`; limits of 0 mean no limit."""

    job_name: str
    scrape_interval_ms: int
    scrape_timeout_ms: int
    honor_labels: bool = False
    honor_timestamps: bool = True
    params: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    metrics_path: str = "/metrics"
    scheme: str = "http"
    body_size_limit: int = 0
    sample_limit: int = 0
    target_limit: int = 0
    label_limit: int = 0
    label_name_length_limit: int = 0
    label_value_length_limit: int = 0
    http: HTTPClientConfig = field(default_factory=HTTPClientConfig)
    static_configs: tuple[TargetGroup, ...] = ()
    file_sd_configs: tuple[FileSDConfig, ...] = ()
    relabel_configs: tuple[RelabelConfig, ...] = ()
    metric_relabel_configs: tuple[RelabelConfig, ...] = ()
    unsupported_sd: tuple[str, ...] = ()
    """Names of the SD mechanisms configured that erpmon does not run (e.g. "kubernetes")."""


@dataclass(frozen=True)
class DecodedScrape:
    """A scrape config before the global defaults: 0 ms means "not set"."""

    config: ScrapeConfig
    node: Node


def decode_scrape_config(dec: Decoder, node: Node, base_dir: str) -> DecodedScrape | None:
    """Decode one `scrape_configs` item; None when it has problems (all of them reported)."""
    mark = dec.mark()
    f = dec.fields(node, "config.ScrapeConfig", SCRAPE_KEYS)
    if f is None:
        return None
    job_name = dec.string(f.get("job_name"))
    params_node = f.get("params")
    params = dec.mapping(params_node, dec.key_string, lambda n: dec.string_list(n), "url.Values") or {}
    body_limit = 0
    body_text = dec.custom_string(f.get("body_size_limit"), go_type="units.Base2Bytes")
    if body_text is not None:
        try:
            body_limit = parse_base2_bytes(body_text)
        except ValueError as err:
            dec.error(f.get("body_size_limit"), str(err))
    http = decode_http(dec, f, node, base_dir)
    static = decode_static_configs(dec, f.get("static_configs"))
    file_sd = decode_file_sd_configs(dec, f.get("file_sd_configs"), base_dir)
    unsupported = decode_unsupported_sd(dec, f, f"scrape config {job_name!r}")
    relabels = decode_relabel_list(
        dec, f.get("relabel_configs"), "empty or null target relabeling rule in scrape config"
    )
    metric_relabels = decode_relabel_list(
        dec, f.get("metric_relabel_configs"), "empty or null metric relabeling rule in scrape config"
    )
    cfg = ScrapeConfig(
        job_name=job_name,
        scrape_interval_ms=decode_duration(dec, f.get("scrape_interval"), 0),
        scrape_timeout_ms=decode_duration(dec, f.get("scrape_timeout"), 0),
        honor_labels=dec.boolean(f.get("honor_labels"), False),
        honor_timestamps=dec.boolean(f.get("honor_timestamps"), True),
        params=MappingProxyType({k: tuple(v) for k, v in params.items()}),
        metrics_path=dec.string(f.get("metrics_path"), "/metrics"),
        scheme=dec.string(f.get("scheme"), "http"),
        body_size_limit=body_limit,
        sample_limit=dec.integer(f.get("sample_limit"), 0, "uint"),
        target_limit=dec.integer(f.get("target_limit"), 0, "uint"),
        label_limit=dec.integer(f.get("label_limit"), 0, "uint"),
        label_name_length_limit=dec.integer(f.get("label_name_length_limit"), 0, "uint"),
        label_value_length_limit=dec.integer(f.get("label_value_length_limit"), 0, "uint"),
        http=http,
        static_configs=tuple(static),
        file_sd_configs=tuple(file_sd),
        relabel_configs=relabels,
        metric_relabel_configs=metric_relabels,
        unsupported_sd=unsupported,
    )
    if not dec.clean(mark):
        return None
    if job_name == "":
        dec.error(f.get("job_name") or node, "job_name is empty")
        return None
    if f.get("relabel_configs") is None or not relabels:
        check_static_targets(dec, static, f.get("static_configs"))
    tls = http.tls_config
    if tls.cert_file and not tls.key_file:
        dec.error(
            f.get("tls_config"),
            f"client cert file {go_quote(tls.cert_file)} specified without client key file",
        )
    elif tls.key_file and not tls.cert_file:
        dec.error(
            f.get("tls_config"),
            f"client key file {go_quote(tls.key_file)} specified without client cert file",
        )
    if not dec.clean(mark):
        return None
    return DecodedScrape(cfg, node)
