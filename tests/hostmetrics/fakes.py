"""A `HostProvider` made of literals, and helpers to read an exposition back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import CollectorRegistry

from erpmon.hostmetrics import (
    CpuStats,
    CpuTimes,
    DiskCounters,
    FilesystemUsage,
    NetCounters,
    Partition,
    Uname,
)


@dataclass
class FakeProvider:
    """Answers from its fields; a method named in ``failing`` raises OSError instead."""

    cpus: list[CpuTimes] = field(
        default_factory=lambda: [
            CpuTimes(
                user=10.5,
                system=3.25,
                idle=100.0,
                nice=0.5,
                iowait=1.0,
                irq=0.0,
                softirq=0.25,
                steal=0.75,
                guest=0.0,
                guest_nice=0.0,
            ),
            CpuTimes(
                user=20.0,
                system=4.0,
                idle=90.0,
                nice=0.0,
                iowait=2.0,
                irq=0.125,
                softirq=0.5,
                steal=1.0,
                guest=1.5,
                guest_nice=0.5,
            ),
        ]
    )
    stats: CpuStats = field(default_factory=lambda: CpuStats(ctx_switches=123456, interrupts=65432))
    memory: dict[str, float] = field(
        default_factory=lambda: {
            "MemTotal_bytes": 8 * 2**30,
            "MemFree_bytes": 2 * 2**30,
            "MemAvailable_bytes": 5 * 2**30,
            "Buffers_bytes": 100 * 2**20,
            "Cached_bytes": 2 * 2**30,
            "SwapTotal_bytes": 2**30,
            "SwapFree_bytes": 2**29,
        }
    )
    partitions: list[Partition] = field(
        default_factory=lambda: [
            Partition("/dev/sda1", "/", "ext4", "rw,relatime"),
            Partition("proc", "/proc", "proc", "rw,nosuid"),
            Partition("/dev/sdb1", "/data", "xfs", "ro,noatime"),
        ]
    )
    usage: dict[str, FilesystemUsage | OSError] = field(
        default_factory=lambda: {
            "/": FilesystemUsage(
                size=100 * 2**30, free=40 * 2**30, avail=35 * 2**30, files=6553600, files_free=6000000
            ),
            "/proc": FilesystemUsage(size=0, free=0, avail=0, files=0, files_free=0),
            "/data": FilesystemUsage(size=2**40, free=2**39, avail=2**39, files=1000, files_free=900),
        }
    )
    nics: dict[str, NetCounters] = field(
        default_factory=lambda: {
            "lo": NetCounters(1000, 1000, 10, 10, 0, 0, 0, 0),
            "eth0": NetCounters(
                bytes_sent=5000,
                bytes_recv=9000,
                packets_sent=50,
                packets_recv=90,
                errin=1,
                errout=2,
                dropin=3,
                dropout=4,
            ),
        }
    )
    disks: dict[str, DiskCounters] = field(
        default_factory=lambda: {
            "sda": DiskCounters(
                read_count=100,
                write_count=200,
                read_bytes=51200,
                write_bytes=102400,
                read_time=1500,
                write_time=2500,
                read_merged_count=7,
                write_merged_count=8,
                busy_time=8104,
            ),
            "sda1": DiskCounters(1, 1, 512, 512, 1, 1, 0, 0, 1),
        }
    )
    load: tuple[float, float, float] = (0.5, 0.25, 0.125)
    boot: float = 1_700_000_000.0
    host: Uname = field(
        default_factory=lambda: Uname(
            sysname="Linux",
            nodename="db1",
            release="6.1.0-18-amd64",
            version="#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
            machine="x86_64",
            domainname="(none)",
        )
    )
    failing: set[str] = field(default_factory=set)

    def _check(self, method: str) -> None:
        if method in self.failing:
            raise OSError(f"injected failure in {method}")

    def cpu_times(self) -> Sequence[CpuTimes]:
        self._check("cpu_times")
        return list(self.cpus)

    def cpu_stats(self) -> CpuStats:
        self._check("cpu_stats")
        return self.stats

    def meminfo(self) -> Mapping[str, float]:
        self._check("meminfo")
        return dict(self.memory)

    def disk_partitions(self) -> Sequence[Partition]:
        self._check("disk_partitions")
        return list(self.partitions)

    def disk_usage(self, mountpoint: str) -> FilesystemUsage:
        self._check("disk_usage")
        usage = self.usage[mountpoint]
        if isinstance(usage, OSError):
            raise usage
        return usage

    def net_io_counters(self) -> Mapping[str, NetCounters]:
        self._check("net_io_counters")
        return dict(self.nics)

    def disk_io_counters(self) -> Mapping[str, DiskCounters]:
        self._check("disk_io_counters")
        return dict(self.disks)

    def getloadavg(self) -> tuple[float, float, float]:
        self._check("getloadavg")
        return self.load

    def boot_time(self) -> float:
        self._check("boot_time")
        return self.boot

    def uname(self) -> Uname:
        self._check("uname")
        return self.host


@dataclass(frozen=True)
class Family:
    """One parsed metric family: type, help and samples as (name, labels, value)."""

    type: str
    help: str
    samples: list[tuple[str, dict[str, str], float]]

    def label_names(self) -> set[str]:
        return {name for _, labels, _ in self.samples for name in labels}

    def label_values(self, label: str) -> set[str]:
        return {labels[label] for _, labels, _ in self.samples if label in labels}

    def value(self, **labels: str) -> float:
        hits = [v for _, got, v in self.samples if all(got.get(k) == want for k, want in labels.items())]
        assert len(hits) == 1, f"{len(hits)} samples match {labels}"
        return hits[0]


def parse_exposition(text: str) -> dict[str, Family]:
    """Text format 0.0.4 -> families by name (counters under their name without ``_total``)."""
    return {
        f.name: Family(f.type, f.documentation, [(s.name, dict(s.labels), s.value) for s in f.samples])
        for f in text_string_to_metric_families(text)
    }


def scrape(registry: CollectorRegistry) -> dict[str, Family]:
    return parse_exposition(generate_latest(registry).decode())
