"""The cpu group: ``node_cpu_seconds_total{cpu,mode}`` and ``node_cpu_guest_seconds_total{cpu,mode}``.

Like node_exporter (collector/cpu_linux.go), a counter the kernel moves backwards (iowait does)
is held at its last value, and a CPU whose idle time drops by 3 s or more is taken as hot-plugged
and starts afresh; the kept values are this collector's state, one per instance.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from prometheus_client.metrics_core import Metric

from erpmon.hostmetrics._provider import CpuTimes, HostProvider
from erpmon.hostmetrics._spec import FamilySpec, non_empty

CPU_SECONDS = FamilySpec(
    "node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.", ("cpu", "mode")
)
CPU_GUEST_SECONDS = FamilySpec(
    "node_cpu_guest_seconds_total",
    "counter",
    "Seconds the CPUs spent in guests (VMs) for each mode.",
    ("cpu", "mode"),
)

#: (mode label, CpuTimes field), in node_exporter's order.
MODES: tuple[tuple[str, str], ...] = (
    ("user", "user"),
    ("nice", "nice"),
    ("system", "system"),
    ("idle", "idle"),
    ("iowait", "iowait"),
    ("irq", "irq"),
    ("softirq", "softirq"),
    ("steal", "steal"),
)
GUEST_MODES: tuple[tuple[str, str], ...] = (("user", "guest"), ("nice", "guest_nice"))

_FIELDS = tuple(f for _, f in MODES + GUEST_MODES)
_JUMP_BACK_SECONDS = 3.0


class CpuGroup:
    name = "cpu"

    def __init__(self, provider: HostProvider, *, guest: bool = True) -> None:
        self._provider = provider
        self._guest = guest
        self._lock = threading.Lock()
        self._last: dict[int, dict[str, float | None]] = {}

    def describe(self) -> Sequence[Metric]:
        return [CPU_SECONDS.new(), CPU_GUEST_SECONDS.new()] if self._guest else [CPU_SECONDS.new()]

    def collect(self) -> Sequence[Metric]:
        per_cpu = self._monotonic(self._provider.cpu_times())
        seconds = CPU_SECONDS.new()
        guest = CPU_GUEST_SECONDS.new()
        for cpu, times in enumerate(per_cpu):
            label = str(cpu)
            for mode, attr in MODES:
                value = times[attr]
                if value is not None:
                    seconds.add_metric([label, mode], value)
            if self._guest:
                for mode, attr in GUEST_MODES:
                    value = times[attr]
                    if value is not None:
                        guest.add_metric([label, mode], value)
        return non_empty([seconds, guest])

    def _monotonic(self, readings: Sequence[CpuTimes]) -> list[dict[str, float | None]]:
        with self._lock:
            kept: dict[int, dict[str, float | None]] = {}
            for cpu, reading in enumerate(readings):
                new = {f: getattr(reading, f) for f in _FIELDS}
                old = self._last.get(cpu)
                if old is not None and _dropped(old["idle"], new["idle"]) >= _JUMP_BACK_SECONDS:
                    old = None  # hot-plug: the kernel restarted this CPU's counters
                kept[cpu] = new if old is None else {f: _max(old[f], new[f]) for f in _FIELDS}
            self._last = kept  # CPUs gone from the reading are forgotten
            return [kept[cpu] for cpu in range(len(readings))]


def _dropped(old: float | None, new: float | None) -> float:
    return 0.0 if old is None or new is None else old - new


def _max(old: float | None, new: float | None) -> float | None:
    if new is None or old is None:
        return new
    return new if new >= old else old
