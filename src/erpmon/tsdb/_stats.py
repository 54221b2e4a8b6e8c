"""What Prometheus's /api/v1/status/tsdb shows, and the TSDB's own /metrics samples."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from erpmon.model import METRIC_NAME


class Stat(NamedTuple):
    name: str
    value: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value}


class TSDBMetric(NamedTuple):
    """One sample for erpmon's own /metrics: name, HELP text, TYPE, value."""

    name: str
    help: str
    type: str  # "counter" | "gauge"
    value: float


@dataclass(frozen=True)
class HeadStats:
    num_series: int
    num_label_pairs: int
    chunk_count: int
    min_time: int
    max_time: int


@dataclass(frozen=True)
class TSDBStatus:
    head_stats: HeadStats
    series_count_by_metric_name: list[Stat] = field(default_factory=list)
    label_value_count_by_label_name: list[Stat] = field(default_factory=list)
    memory_in_bytes_by_label_name: list[Stat] = field(default_factory=list)
    series_count_by_label_value_pair: list[Stat] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The `data` object of Prometheus's /api/v1/status/tsdb response."""
        h = self.head_stats
        return {
            "headStats": {
                "numSeries": h.num_series,
                "numLabelPairs": h.num_label_pairs,
                "chunkCount": h.chunk_count,
                "minTime": h.min_time,
                "maxTime": h.max_time,
            },
            "seriesCountByMetricName": [s.to_json() for s in self.series_count_by_metric_name],
            "labelValueCountByLabelName": [s.to_json() for s in self.label_value_count_by_label_name],
            "memoryInBytesByLabelName": [s.to_json() for s in self.memory_in_bytes_by_label_name],
            "seriesCountByLabelValuePair": [s.to_json() for s in self.series_count_by_label_value_pair],
        }


def _top(stats: list[Stat], limit: int) -> list[Stat]:
    return heapq.nsmallest(limit, stats, key=lambda s: (-s.value, s.name))


def cardinality_status(cards: dict[str, dict[str, int]], head: HeadStats, limit: int) -> TSDBStatus:
    """Top-`limit` lists computed like Prometheus's index.PostingsStats."""
    label_counts = [Stat(n, len(vals)) for n, vals in cards.items()]
    memory = [Stat(n, sum(len(v.encode()) * c for v, c in vals.items())) for n, vals in cards.items()]
    pairs = [Stat(f"{n}={v}", c) for n, vals in cards.items() for v, c in vals.items()]
    metrics = [Stat(v, c) for v, c in cards.get(METRIC_NAME, {}).items()]
    return TSDBStatus(
        head_stats=head,
        series_count_by_metric_name=_top(metrics, limit),
        label_value_count_by_label_name=_top(label_counts, limit),
        memory_in_bytes_by_label_name=_top(memory, limit),
        series_count_by_label_value_pair=_top(pairs, limit),
    )
