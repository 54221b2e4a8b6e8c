"""Scrape targets: turning discovered label sets into targets, as Prometheus's PopulateLabels does."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from erpmon.config import format_duration, parse_duration
from erpmon.model import Labels
from erpmon.relabel import RelabelConfig, relabel

ADDRESS = "__address__"
SCHEME = "__scheme__"
METRICS_PATH = "__metrics_path__"
SCRAPE_INTERVAL = "__scrape_interval__"
SCRAPE_TIMEOUT = "__scrape_timeout__"
PARAM_PREFIX = "__param_"
META_PREFIX = "__meta_"
RESERVED_PREFIX = "__"


class TargetError(ValueError):
    """A discovered target that cannot be scraped (no address, bad interval...)."""


class Health(enum.Enum):
    UNKNOWN = "unknown"
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class ScrapeSettings:
    """The parts of a scrape config that shape a target's labels."""

    job_name: str
    scrape_interval_ms: int
    scrape_timeout_ms: int
    metrics_path: str = "/metrics"
    scheme: str = "http"
    params: Mapping[str, Sequence[str]] = field(default_factory=dict)
    relabel_configs: Sequence[RelabelConfig] = ()


@dataclass
class Target:
    """One endpoint to scrape. `labels` still holds the `__`-prefixed labels that shape the URL."""

    labels: Labels
    discovered_labels: Labels
    params: Mapping[str, Sequence[str]]
    health: Health = Health.UNKNOWN
    last_error: str = ""
    last_scrape_ms: int = 0
    last_scrape_duration_s: float = 0.0
    interval_ms: int = 0
    timeout_ms: int = 0

    @property
    def public_labels(self) -> Labels:
        """The labels attached to scraped series: everything but the `__` internals."""
        return Labels.from_sorted(tuple(p for p in self.labels.pairs if not p[0].startswith(RESERVED_PREFIX)))

    @property
    def identity(self) -> tuple[Labels, str]:
        return (self.labels, self.url())

    def url(self) -> str:
        query: dict[str, list[str]] = {k: list(v) for k, v in self.params.items()}
        for name, value in self.labels.pairs:
            if name.startswith(PARAM_PREFIX):
                key = name[len(PARAM_PREFIX) :]
                if query.get(key):
                    query[key][0] = value
                else:
                    query[key] = [value]
        # Go's url.Values.Encode sorts keys; urlencode keeps insertion order.
        qs = urlencode([(k, v) for k in sorted(query) for v in query[k]])
        url = f"{self.labels.get(SCHEME)}://{self.labels.get(ADDRESS)}{self.labels.get(METRICS_PATH)}"
        return f"{url}?{qs}" if qs else url

    def with_state_of(self, other: Target) -> Target:
        return dataclasses.replace(
            self,
            health=other.health,
            last_error=other.last_error,
            last_scrape_ms=other.last_scrape_ms,
            last_scrape_duration_s=other.last_scrape_duration_s,
        )


def _split_host_port(addr: str) -> tuple[str, str] | None:
    """net.SplitHostPort, enough for target addresses: None when there is no valid port part."""
    if addr.startswith("["):
        end = addr.find("]")
        if end < 0 or not addr[end + 1 :].startswith(":"):
            return None
        return addr[1:end], addr[end + 2 :]
    host, sep, port = addr.rpartition(":")
    if not sep or ":" in host:
        return None
    return host, port


def _needs_default_port(addr: str) -> bool:
    if _split_host_port(addr) is not None:
        return False
    return _split_host_port(addr + ":1234") is not None


def populate_labels(discovered: Labels, settings: ScrapeSettings) -> tuple[Labels | None, Labels]:
    """Build a target's labels from its discovered ones, returning (labels or None if dropped, discovered).

    Mirrors Prometheus 2.42: defaults for job/interval/timeout/path/scheme and `__param_*`, then
    relabel_configs, default port by scheme, interval/timeout checks, `__meta_*` removal and the
    `instance` default.
    """
    base = discovered.to_dict()
    defaults = {
        "job": settings.job_name,
        SCRAPE_INTERVAL: format_duration(settings.scrape_interval_ms),
        SCRAPE_TIMEOUT: format_duration(settings.scrape_timeout_ms),
        METRICS_PATH: settings.metrics_path,
        SCHEME: settings.scheme,
    }
    for name, value in defaults.items():
        if not base.get(name):
            base[name] = value
    for key, values in settings.params.items():
        if values:
            base[PARAM_PREFIX + key] = values[0]
    pre = Labels(base)
    result = relabel(pre, settings.relabel_configs)
    if result is None:
        return None, pre
    lbls = result.to_dict()
    addr = lbls.get(ADDRESS, "")
    if not addr:
        raise TargetError("no address")
    if _needs_default_port(addr):
        scheme = lbls.get(SCHEME, "")
        if scheme in ("http", ""):
            addr += ":80"
        elif scheme == "https":
            addr += ":443"
        else:
            raise TargetError(f'invalid scheme: "{settings.scheme}"')
        lbls[ADDRESS] = addr
    if "/" in addr:
        raise TargetError(f'"{addr}" is not a valid hostname')
    _check_interval(lbls.get(SCRAPE_INTERVAL, ""), lbls.get(SCRAPE_TIMEOUT, ""))
    lbls = {k: v for k, v in lbls.items() if not k.startswith(META_PREFIX)}
    if not lbls.get("instance"):
        lbls["instance"] = addr
    return Labels(lbls), pre


def _check_interval(interval: str, timeout: str) -> None:
    try:
        interval_ms = parse_duration(interval)
    except ValueError as err:
        raise TargetError(f"error parsing scrape interval: {err}") from err
    if interval_ms == 0:
        raise TargetError("scrape interval cannot be 0")
    try:
        timeout_ms = parse_duration(timeout)
    except ValueError as err:
        raise TargetError(f"error parsing scrape timeout: {err}") from err
    if timeout_ms == 0:
        raise TargetError("scrape timeout cannot be 0")
    if timeout_ms > interval_ms:
        raise TargetError(
            f'scrape timeout cannot be greater than scrape interval ("{timeout}" > "{interval}")'
        )


def target_interval_ms(labels: Labels) -> tuple[int, int]:
    """The per-target interval and timeout, which relabeling may have changed."""
    return parse_duration(labels.get(SCRAPE_INTERVAL)), parse_duration(labels.get(SCRAPE_TIMEOUT))
