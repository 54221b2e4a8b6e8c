"""`storage` and `tracing` sections (Prometheus 2.42)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from erpmon.config._decode import Decoder
from erpmon.config._http import TLSConfig, decode_tls
from erpmon.config._remote import header_problem
from erpmon.config._targets import decode_duration
from erpmon.config._yamlnode import Node

DEFAULT_MAX_EXEMPLARS = 100_000


@dataclass(frozen=True)
class StorageConfig:
    """`out_of_order_time_window_ms` 0 means out-of-order samples are rejected."""

    out_of_order_time_window_ms: int = 0
    max_exemplars: int = DEFAULT_MAX_EXEMPLARS


@dataclass(frozen=True)
class TracingConfig:
    endpoint: str = ""
    client_type: str = "grpc"
    sampling_fraction: float = 0.0
    insecure: bool = False
    tls_config: TLSConfig = field(default_factory=TLSConfig)
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    compression: str = ""
    timeout_ms: int = 0


def decode_storage(dec: Decoder, node: Node | None) -> StorageConfig:
    f = dec.fields(node, "config.StorageConfig", ("tsdb", "exemplars"))
    if f is None:
        return StorageConfig()
    window = 0
    tsdb = dec.fields(f.get("tsdb"), "config.plain", ("out_of_order_time_window",))
    if tsdb is not None:
        window = decode_duration(dec, tsdb.get("out_of_order_time_window"), 0)
    max_exemplars = DEFAULT_MAX_EXEMPLARS
    ex = dec.fields(f.get("exemplars"), "config.ExemplarsConfig", ("max_exemplars",))
    if ex is not None:
        max_exemplars = dec.integer(ex.get("max_exemplars"), 0, "int64")
    return StorageConfig(window, max_exemplars)


def decode_tracing(dec: Decoder, node: Node | None, base_dir: str) -> TracingConfig | None:
    """None when there is no (or a null) tracing section, as Prometheus then runs no tracer."""
    mark = dec.mark()
    keys = (
        "client_type",
        "endpoint",
        "sampling_fraction",
        "insecure",
        "tls_config",
        "headers",
        "compression",
    )
    f = dec.fields(node, "config.plain", (*keys, "timeout"))
    if f is None:
        return None
    client_node = f.get("client_type")
    client_type = "grpc"
    if client_node is not None:
        text = dec.custom_string(client_node)
        client_type = "" if text is None else text
        if text is not None and text not in ("http", "grpc"):
            dec.error(client_node, f"expected tracing client type to be to be http or grpc, but got {text}")
    headers = dec.string_map(f.get("headers")) or {}
    cfg = TracingConfig(
        endpoint=dec.string(f.get("endpoint")),
        client_type=client_type,
        sampling_fraction=dec.number(f.get("sampling_fraction"), 0.0),
        insecure=dec.boolean(f.get("insecure"), False),
        tls_config=decode_tls(dec, f.get("tls_config"), base_dir),
        headers=MappingProxyType(headers),
        compression=dec.string(f.get("compression")),
        timeout_ms=decode_duration(dec, f.get("timeout"), 0),
    )
    if not dec.clean(mark):
        return None
    problem = header_problem(headers, tracing=True)
    if problem is None and cfg.endpoint == "":
        problem = "tracing endpoint must be set"
    if problem is None and cfg.compression not in ("", "gzip"):
        problem = f"invalid compression type {cfg.compression} provided, valid options: gzip"
    if problem is not None:
        dec.error(node, problem)
        return None
    return cfg
