"""The diskstats group: ``node_disk_*{device}`` counters per block device.

Units as node_exporter (collector/diskstats_linux.go): bytes are 512-byte sectors already
multiplied out by the kernel and psutil; milliseconds become seconds by multiplying by 0.001,
node_exporter's own arithmetic, so the floats come out bit for bit the same.
Not exported, psutil does not read them: io_now, io_time_weighted, discards, flushes, disk_info.
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client.metrics_core import Metric

from erpmon.hostmetrics._options import NameFilter
from erpmon.hostmetrics._provider import DiskCounters, HostProvider
from erpmon.hostmetrics._spec import FamilySpec, non_empty

_SECONDS_PER_MS = 1.0 / 1000.0


def _spec(name: str, help_: str) -> FamilySpec:
    return FamilySpec(f"node_disk_{name}", "counter", help_, ("device",))


READS_COMPLETED = _spec("reads_completed_total", "The total number of reads completed successfully.")
READS_MERGED = _spec("reads_merged_total", "The total number of reads merged.")
READ_BYTES = _spec("read_bytes_total", "The total number of bytes read successfully.")
READ_TIME = _spec("read_time_seconds_total", "The total number of seconds spent by all reads.")
WRITES_COMPLETED = _spec("writes_completed_total", "The total number of writes completed successfully.")
WRITES_MERGED = _spec("writes_merged_total", "The number of writes merged.")
WRITTEN_BYTES = _spec("written_bytes_total", "The total number of bytes written successfully.")
WRITE_TIME = _spec("write_time_seconds_total", "This is the total number of seconds spent by all writes.")
IO_TIME = _spec("io_time_seconds_total", "Total seconds spent doing I/Os.")
SPECS = (
    READS_COMPLETED,
    READS_MERGED,
    READ_BYTES,
    READ_TIME,
    WRITES_COMPLETED,
    WRITES_MERGED,
    WRITTEN_BYTES,
    WRITE_TIME,
    IO_TIME,
)


def _values(c: DiskCounters) -> tuple[float | None, ...]:
    """Values in `SPECS` order; None where the platform has no such counter."""
    return (
        c.read_count,
        c.read_merged_count,
        c.read_bytes,
        c.read_time * _SECONDS_PER_MS,
        c.write_count,
        c.write_merged_count,
        c.write_bytes,
        c.write_time * _SECONDS_PER_MS,
        None if c.busy_time is None else c.busy_time * _SECONDS_PER_MS,
    )


class DiskstatsGroup:
    name = "diskstats"

    def __init__(self, provider: HostProvider, *, devices: NameFilter) -> None:
        self._provider = provider
        self._devices = devices

    def describe(self) -> Sequence[Metric]:
        return [s.new() for s in SPECS]

    def collect(self) -> Sequence[Metric]:
        families = [s.new() for s in SPECS]
        for device, counters in sorted(self._provider.disk_io_counters().items()):
            if self._devices.excludes(device):
                continue
            for family, value in zip(families, _values(counters), strict=True):
                if value is not None:
                    family.add_metric([device], value)
        return non_empty(families)
