"""The forwarder's self-metrics: Prometheus's `prometheus_notifications_*` under erpmon_forward_*.

The embedded dispatcher owns `erpmon_notifications_*`, hence the different prefix here.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Summary

AM_LABEL = "alertmanager"


class ForwardMetrics:
    def __init__(
        self,
        registry: CollectorRegistry,
        queue_capacity: int,
        queue_length: Callable[[], float],
        discovered: Callable[[], float],
    ) -> None:
        self.latency = Summary(
            "erpmon_forward_latency_seconds",
            "Latency of sending alert batches to an Alertmanager.",
            [AM_LABEL],
            registry=registry,
        )
        self.errors = Counter(
            "erpmon_forward_errors",
            "Total number of errors sending alert batches to an Alertmanager.",
            [AM_LABEL],
            registry=registry,
        )
        self.sent = Counter(
            "erpmon_forward_alerts_sent",
            "Total number of alerts sent (attempted, as Prometheus counts) to an Alertmanager.",
            [AM_LABEL],
            registry=registry,
        )
        self.dropped = Counter(
            "erpmon_forward_dropped",
            "Total number of alerts dropped: queue overflow, or no Alertmanager accepted their batch.",
            registry=registry,
        )
        self.queue_length = Gauge(
            "erpmon_forward_queue_length", "The number of alerts in the queue.", registry=registry
        )
        self.queue_length.set_function(queue_length)
        self.queue_capacity = Gauge(
            "erpmon_forward_queue_capacity", "The capacity of the alert queue.", registry=registry
        )
        self.queue_capacity.set(queue_capacity)
        self.discovered = Gauge(
            "erpmon_forward_alertmanagers_discovered",
            "The number of Alertmanagers discovered and active.",
            registry=registry,
        )
        self.discovered.set_function(discovered)

    def touch(self, url: str) -> None:
        """Start an Alertmanager's counters at 0 when it is discovered, as Prometheus does."""
        self.sent.labels(url)
        self.errors.labels(url)
