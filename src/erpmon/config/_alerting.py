"""`alerting`: alert relabeling and the Alertmanagers to send to (Prometheus 2.42's AlertingConfig)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

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
from erpmon.config._yamlnode import Node, is_null
from erpmon.model import Labels, go_quote
from erpmon.relabel import RelabelConfig, relabel

_AM_KEYS = (
    "scheme",
    "path_prefix",
    "timeout",
    "api_version",
    "relabel_configs",
    "static_configs",
    "file_sd_configs",
    *HTTP_KEYS,
    *UNSUPPORTED_SD_KEYS,
)
API_VERSIONS = ("v1", "v2")


@dataclass(frozen=True)
class AlertmanagerConfig:
    scheme: str = "http"
    path_prefix: str = ""
    timeout_ms: int = 10_000
    api_version: str = "v2"
    http: HTTPClientConfig = field(default_factory=HTTPClientConfig)
    static_configs: tuple[TargetGroup, ...] = ()
    file_sd_configs: tuple[FileSDConfig, ...] = ()
    relabel_configs: tuple[RelabelConfig, ...] = ()
    unsupported_sd: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertingConfig:
    alert_relabel_configs: tuple[RelabelConfig, ...] = ()
    alertmanagers: tuple[AlertmanagerConfig, ...] = ()


def decode_alerting(dec: Decoder, node: Node | None, base_dir: str) -> AlertingConfig:
    f = dec.fields(node, "config.plain", ("alert_relabel_configs", "alertmanagers"))
    if f is None:
        return AlertingConfig()
    relabels = decode_relabel_list(dec, f.get("alert_relabel_configs"), "empty or null alert relabeling rule")

    def item(child: Node) -> AlertmanagerConfig | None:
        if is_null(child):
            # Prometheus 2.42 keeps a nil entry and crashes on it later; refuse it up front.
            dec.error(child, "empty or null alertmanagers section")
            return None
        return _decode_alertmanager(dec, child, base_dir)

    ams = dec.sequence(f.get("alertmanagers"), item, "config.AlertmanagerConfigs") or []
    return AlertingConfig(relabels, tuple(ams))


def _decode_alertmanager(dec: Decoder, node: Node, base_dir: str) -> AlertmanagerConfig | None:
    mark = dec.mark()
    f = dec.fields(node, "config.AlertmanagerConfig", _AM_KEYS)
    if f is None:
        # A null entry is a zero AlertmanagerConfig in Go (no defaults applied).
        return None
    api_node = f.get("api_version")
    api_version = "v2"
    if api_node is not None:
        text = dec.custom_string(api_node)
        api_version = "" if text is None else text
        if text is not None and text not in API_VERSIONS:
            dec.error(api_node, f"expected Alertmanager api version to be one of [v1 v2] but got {text}")
    http = decode_http(dec, f, node, base_dir)
    static = decode_static_configs(dec, f.get("static_configs"))
    relabels = decode_relabel_list(
        dec, f.get("relabel_configs"), "empty or null Alertmanager target relabeling rule"
    )
    cfg = AlertmanagerConfig(
        scheme=dec.string(f.get("scheme"), "http"),
        path_prefix=dec.string(f.get("path_prefix")),
        timeout_ms=decode_duration(dec, f.get("timeout"), 10_000),
        api_version=api_version,
        http=http,
        static_configs=tuple(static),
        file_sd_configs=tuple(decode_file_sd_configs(dec, f.get("file_sd_configs"), base_dir)),
        relabel_configs=relabels,
        unsupported_sd=decode_unsupported_sd(dec, f, "alertmanager config"),
    )
    if not dec.clean(mark):
        return None
    if not relabels:
        check_static_targets(dec, static, f.get("static_configs"))
    if dec.clean(mark):
        problem = alertmanager_target_problem(cfg)
        if problem is not None:
            dec.error(f.get("static_configs"), problem)
    return cfg if dec.clean(mark) else None


def alertmanager_target_problem(cfg: AlertmanagerConfig) -> str | None:
    """promtool's check of static Alertmanagers: the relabeled address must not be a URL."""
    path = posixpath.normpath(posixpath.join("/", cfg.path_prefix, f"api/{cfg.api_version}/alerts"))
    for group in cfg.static_configs:
        for target in group.targets:
            work = {"__scheme__": cfg.scheme, "__alerts_path__": path, **group.labels.to_dict()}
            work["__address__"] = target
            after = relabel(Labels(work), cfg.relabel_configs)
            if after is not None and "/" in after.get("__address__"):
                return f"{go_quote(after.get('__address__'))} is not a valid hostname"
    return None
