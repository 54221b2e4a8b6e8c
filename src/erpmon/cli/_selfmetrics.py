"""erpmon's own /metrics: process and Python metrics plus the tsdb's and the scrape manager's counters."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from erpmon.scrape import ScrapeStats

MetricRow = tuple[str, str, str, float]  # name, help, type ("counter" | "gauge"), value


class RowsCollector(Collector):
    """Exposes rows a component reports about itself (tsdb.metrics(), scrape stats)."""

    def __init__(self, source: Callable[[], Sequence[MetricRow]]) -> None:
        self._source = source

    def collect(self) -> Iterator[Metric]:
        for name, help_text, kind, value in self._source():
            if kind == "counter":
                yield CounterMetricFamily(name.removesuffix("_total"), help_text, value=value)
            else:
                yield GaugeMetricFamily(name, help_text, value=value)


def scrape_rows(stats: ScrapeStats, n_targets: Callable[[], int]) -> list[MetricRow]:
    return [
        ("erpmon_target_scrapes_total", "Scrapes attempted.", "counter", stats.scrapes),
        ("erpmon_target_scrapes_failed_total", "Scrapes that set up=0.", "counter", stats.failed_scrapes),
        (
            "erpmon_target_scrapes_exceeded_sample_limit_total",
            "Scrapes that hit the sample limit and were rejected.",
            "counter",
            stats.exceeded_sample_limit,
        ),
        (
            "erpmon_target_scrapes_sample_out_of_order_total",
            "Scraped samples rejected as out of order.",
            "counter",
            stats.out_of_order,
        ),
        (
            "erpmon_target_scrapes_sample_duplicate_timestamp_total",
            "Scraped samples rejected for a duplicate timestamp with a different value.",
            "counter",
            stats.duplicate,
        ),
        (
            "erpmon_target_scrapes_sample_out_of_bounds_total",
            "Scraped samples rejected as too old for the head.",
            "counter",
            stats.too_old,
        ),
        (
            "erpmon_sd_file_read_errors_total",
            "file_sd files that failed to read.",
            "counter",
            stats.sd_file_read_errors,
        ),
        ("erpmon_config_reloads_total", "Configuration reloads attempted.", "counter", stats.reloads),
        (
            "erpmon_config_reload_failures_total",
            "Configuration reloads that failed.",
            "counter",
            stats.reload_failures,
        ),
        ("erpmon_target_active", "Active scrape targets.", "gauge", n_targets()),
    ]


def render(registry: CollectorRegistry) -> bytes:
    return bytes(generate_latest(registry))
