"""What the host collector reads: psutil-shaped records and the `HostProvider` protocol.

Records use psutil's field names and units (seconds for CPU times, bytes, milliseconds for disk
times) so a provider is a thin adapter over psutil, and a test fake is a handful of literals.
A field that is ``None`` is one the platform does not report: its series is left out, as
node_exporter leaves out what a kernel does not have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CpuTimes:
    """Seconds one CPU spent in each mode since boot, as ``psutil.cpu_times(percpu=True)[i]``.

    ``guest`` and ``guest_nice`` are already included in ``user`` and ``nice`` (kernel accounting).
    """

    user: float
    system: float
    idle: float
    nice: float | None = None
    iowait: float | None = None
    irq: float | None = None
    softirq: float | None = None
    steal: float | None = None
    guest: float | None = None
    guest_nice: float | None = None


@dataclass(frozen=True, slots=True)
class CpuStats:
    """Kernel-wide counters since boot, as ``psutil.cpu_stats()``."""

    ctx_switches: int
    interrupts: int


@dataclass(frozen=True, slots=True)
class Partition:
    """One line of the mount table, as ``psutil.disk_partitions(all=True)[i]``.

    ``device`` is the mount source verbatim ("none", "/dev/root", "tmpfs"), as node_exporter shows
    it; ``opts`` is the comma-separated option list of /proc/mounts.
    """

    device: str
    mountpoint: str
    fstype: str
    opts: str


@dataclass(frozen=True, slots=True)
class FilesystemUsage:
    """statfs(2) of one mount point, in bytes and inodes (node_exporter: blocks times f_bsize)."""

    size: int
    free: int
    avail: int
    files: int
    files_free: int


@dataclass(frozen=True, slots=True)
class NetCounters:
    """Counters of one network interface, as ``psutil.net_io_counters(pernic=True)[name]``."""

    bytes_sent: int
    bytes_recv: int
    packets_sent: int
    packets_recv: int
    errin: int
    errout: int
    dropin: int
    dropout: int


@dataclass(frozen=True, slots=True)
class DiskCounters:
    """Counters of one block device, as ``psutil.disk_io_counters(perdisk=True)[name]``.

    Times are milliseconds, like psutil and /proc/diskstats.
    """

    read_count: int
    write_count: int
    read_bytes: int
    write_bytes: int
    read_time: int
    write_time: int
    read_merged_count: int | None = None
    write_merged_count: int | None = None
    busy_time: int | None = None


@dataclass(frozen=True, slots=True)
class Uname:
    """uname(2), with Linux's ``domainname`` ("(none)" when unset)."""

    sysname: str
    nodename: str
    release: str
    version: str
    machine: str
    domainname: str = "(none)"


class HostProvider(Protocol):
    """Where host numbers come from; `PsutilProvider` in production, a fake in tests.

    A method may raise ``OSError`` (or anything else): the collector group that called it then
    reports ``node_scrape_collector_success{collector=...} 0`` and exports nothing else.
    """

    def cpu_times(self) -> Sequence[CpuTimes]:
        """Per-CPU times; item ``i`` is CPU ``i``."""
        ...

    def cpu_stats(self) -> CpuStats: ...

    def meminfo(self) -> Mapping[str, float]:
        """Memory fields under node_exporter's names without prefix, e.g. ``MemTotal_bytes``."""
        ...

    def disk_partitions(self) -> Sequence[Partition]:
        """Every mount, virtual file systems included (psutil's ``all=True``)."""
        ...

    def disk_usage(self, mountpoint: str) -> FilesystemUsage:
        """statfs of one mount point; raises ``OSError`` when the call fails."""
        ...

    def net_io_counters(self) -> Mapping[str, NetCounters]: ...

    def disk_io_counters(self) -> Mapping[str, DiskCounters]: ...

    def getloadavg(self) -> tuple[float, float, float]: ...

    def boot_time(self) -> float:
        """Seconds since the epoch at boot."""
        ...

    def uname(self) -> Uname: ...
