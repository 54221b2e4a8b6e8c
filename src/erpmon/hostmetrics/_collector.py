"""`HostCollector`: node_exporter's host metrics as a prometheus_client custom collector.

Each enabled group (cpu, meminfo, ...) is read once per ``collect()``. A group that raises is a
scrape-loop boundary, as in node_exporter: its families are dropped for that scrape,
``node_scrape_collector_success{collector}`` says 0, the error is logged and kept in
``last_errors()``, and the other groups are exported as usual.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

from prometheus_client.metrics_core import Metric
from prometheus_client.registry import CollectorRegistry

from erpmon.clock import Clock, SystemClock
from erpmon.hostmetrics._cpu import CpuGroup
from erpmon.hostmetrics._diskstats import DiskstatsGroup
from erpmon.hostmetrics._filesystem import FilesystemGroup
from erpmon.hostmetrics._memory import MeminfoGroup
from erpmon.hostmetrics._netdev import NetdevGroup
from erpmon.hostmetrics._options import COLLECTOR_GROUPS, HostOptions, NameFilter
from erpmon.hostmetrics._provider import HostProvider
from erpmon.hostmetrics._psutil_provider import PsutilProvider
from erpmon.hostmetrics._spec import FamilySpec, Group
from erpmon.hostmetrics._system import LoadavgGroup, StatGroup, TimeGroup, UnameGroup

SCRAPE_DURATION = FamilySpec(
    "node_scrape_collector_duration_seconds",
    "gauge",
    "node_exporter: Duration of a collector scrape.",
    ("collector",),
)
SCRAPE_SUCCESS = FamilySpec(
    "node_scrape_collector_success", "gauge", "node_exporter: Whether a collector succeeded.", ("collector",)
)


class HostCollector:
    """Collects host metrics under node_exporter's names, labels, types and help texts.

    ``provider`` defaults to `PsutilProvider` (this host); ``clock`` to the system clock. When a
    ``registry`` is given the collector registers itself there, like client_python's
    ProcessCollector; there is no default registry.
    """

    def __init__(
        self,
        options: HostOptions | None = None,
        *,
        provider: HostProvider | None = None,
        clock: Clock | None = None,
        registry: CollectorRegistry | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self._options = options if options is not None else HostOptions()
        self._provider: HostProvider = provider if provider is not None else PsutilProvider()
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._logger = logger if logger is not None else logging.getLogger("erpmon.hostmetrics")
        self._groups = self._build_groups()
        self._errors_lock = threading.Lock()
        self._last_errors: dict[str, str] = {}
        if registry is not None:
            registry.register(self)

    @property
    def options(self) -> HostOptions:
        return self._options

    def last_errors(self) -> dict[str, str]:
        """Group name -> its error in the latest scrape, for groups that failed it."""
        with self._errors_lock:
            return dict(self._last_errors)

    def describe(self) -> Iterator[Metric]:
        for group in self._groups:
            yield from group.describe()
        yield SCRAPE_DURATION.new()
        yield SCRAPE_SUCCESS.new()

    def collect(self) -> Iterator[Metric]:
        durations = SCRAPE_DURATION.new()
        successes = SCRAPE_SUCCESS.new()
        for group in self._groups:
            start = self._clock.monotonic()
            try:
                families = group.collect()
            except Exception as err:  # one group's failure must not fail the whole scrape
                families = []
                self._failed(group.name, err)
                successes.add_metric([group.name], 0.0)
            else:
                self._succeeded(group.name)
                successes.add_metric([group.name], 1.0)
            durations.add_metric([group.name], self._clock.monotonic() - start)
            yield from families
        if self._groups:
            yield durations
            yield successes

    def _failed(self, name: str, err: Exception) -> None:
        message = f"{type(err).__name__}: {err}"
        with self._errors_lock:
            self._last_errors[name] = message
        self._logger.warning("host collector %s failed: %s", name, message)

    def _succeeded(self, name: str) -> None:
        with self._errors_lock:
            self._last_errors.pop(name, None)

    def _build_groups(self) -> list[Group]:
        o, p = self._options, self._provider
        by_name: dict[str, Group] = {
            "cpu": CpuGroup(p, guest=o.cpu_guest),
            "diskstats": DiskstatsGroup(p, devices=NameFilter(o.diskstats_device_exclude)),
            "filesystem": FilesystemGroup(
                p,
                mount_points=NameFilter(o.mount_points_exclude),
                fs_types=NameFilter(o.fs_types_exclude),
                mount_timeout=o.mount_timeout,
            ),
            "loadavg": LoadavgGroup(p),
            "meminfo": MeminfoGroup(p),
            "netdev": NetdevGroup(p, devices=NameFilter(o.netdev_device_exclude)),
            "stat": StatGroup(p),
            "time": TimeGroup(self._clock),
            "uname": UnameGroup(p),
        }
        return [by_name[name] for name in COLLECTOR_GROUPS if o.enabled(name)]
