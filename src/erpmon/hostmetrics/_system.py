"""The small node-wide groups: loadavg, stat, time and uname.

stat exports what psutil has of node_exporter's /proc/stat set: boot time, context switches and
interrupts; node_forks_total, node_procs_running and node_procs_blocked are not in psutil.
time exports ``node_time_seconds`` from the injected clock, at its millisecond resolution.
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client.metrics_core import Metric

from erpmon.clock import Clock
from erpmon.hostmetrics._provider import HostProvider
from erpmon.hostmetrics._spec import FamilySpec

LOAD1 = FamilySpec("node_load1", "gauge", "1m load average.")
LOAD5 = FamilySpec("node_load5", "gauge", "5m load average.")
LOAD15 = FamilySpec("node_load15", "gauge", "15m load average.")
BOOT_TIME = FamilySpec("node_boot_time_seconds", "gauge", "Node boot time, in unixtime.")
CONTEXT_SWITCHES = FamilySpec("node_context_switches_total", "counter", "Total number of context switches.")
INTERRUPTS = FamilySpec("node_intr_total", "counter", "Total number of interrupts serviced.")
TIME = FamilySpec("node_time_seconds", "gauge", "System time in seconds since epoch (1970).")
UNAME_INFO = FamilySpec(
    "node_uname_info",
    "gauge",
    "Labeled system information as provided by the uname system call.",
    ("sysname", "release", "version", "machine", "nodename", "domainname"),
)


def _single(spec: FamilySpec, value: float) -> Metric:
    family = spec.new()
    family.add_metric([], value)
    return family


class LoadavgGroup:
    name = "loadavg"

    def __init__(self, provider: HostProvider) -> None:
        self._provider = provider

    def describe(self) -> Sequence[Metric]:
        return [LOAD1.new(), LOAD5.new(), LOAD15.new()]

    def collect(self) -> Sequence[Metric]:
        one, five, fifteen = self._provider.getloadavg()
        return [_single(LOAD1, one), _single(LOAD5, five), _single(LOAD15, fifteen)]


class StatGroup:
    name = "stat"

    def __init__(self, provider: HostProvider) -> None:
        self._provider = provider

    def describe(self) -> Sequence[Metric]:
        return [BOOT_TIME.new(), CONTEXT_SWITCHES.new(), INTERRUPTS.new()]

    def collect(self) -> Sequence[Metric]:
        stats = self._provider.cpu_stats()
        return [
            _single(BOOT_TIME, self._provider.boot_time()),
            _single(CONTEXT_SWITCHES, stats.ctx_switches),
            _single(INTERRUPTS, stats.interrupts),
        ]


class TimeGroup:
    name = "time"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def describe(self) -> Sequence[Metric]:
        return [TIME.new()]

    def collect(self) -> Sequence[Metric]:
        return [_single(TIME, self._clock.now_ms() / 1000.0)]


class UnameGroup:
    name = "uname"

    def __init__(self, provider: HostProvider) -> None:
        self._provider = provider

    def describe(self) -> Sequence[Metric]:
        return [UNAME_INFO.new()]

    def collect(self) -> Sequence[Metric]:
        u = self._provider.uname()
        family = UNAME_INFO.new()
        family.add_metric([u.sysname, u.release, u.version, u.machine, u.nodename, u.domainname], 1.0)
        return [family]
