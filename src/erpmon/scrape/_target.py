"""Scrape targets: their labels (built by erpmon.config.populate_target), URL and health."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from erpmon.config import parse_duration
from erpmon.model import Labels

ADDRESS = "__address__"
SCHEME = "__scheme__"
METRICS_PATH = "__metrics_path__"
SCRAPE_INTERVAL = "__scrape_interval__"
SCRAPE_TIMEOUT = "__scrape_timeout__"
PARAM_PREFIX = "__param_"
RESERVED_PREFIX = "__"


class Health(enum.Enum):
    UNKNOWN = "unknown"
    UP = "up"
    DOWN = "down"


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


def target_interval_ms(labels: Labels) -> tuple[int, int]:
    """The per-target interval and timeout, which relabeling may have changed."""
    return parse_duration(labels.get(SCRAPE_INTERVAL)), parse_duration(labels.get(SCRAPE_TIMEOUT))
