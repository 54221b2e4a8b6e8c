"""Metric family declarations (name, type, help, label names) and the `Group` every collector group is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric


@dataclass(frozen=True, slots=True)
class FamilySpec:
    """One node_exporter metric family; ``name`` is the exposed name (counters end in ``_total``)."""

    name: str
    type: Literal["counter", "gauge"]
    help: str
    labels: tuple[str, ...] = ()

    def new(self) -> CounterMetricFamily | GaugeMetricFamily:
        """An empty family to ``add_metric(label_values, value)`` to."""
        if self.type == "counter":
            return CounterMetricFamily(self.name, self.help, labels=self.labels)
        return GaugeMetricFamily(self.name, self.help, labels=self.labels)


class Group(Protocol):
    """One node_exporter collector (cpu, meminfo, ...): a name, fixed families, one ``collect``."""

    @property
    def name(self) -> str: ...

    def describe(self) -> Sequence[Metric]:
        """The families this group always exports, without samples (for registry collision checks)."""
        ...

    def collect(self) -> Sequence[Metric]:
        """All families of one scrape; raises when the group cannot read the host."""
        ...


def non_empty(families: Sequence[Metric]) -> list[Metric]:
    """Families with at least one sample: node_exporter exports no family without series."""
    return [f for f in families if f.samples]
