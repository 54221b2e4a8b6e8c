"""The production `HostProvider`: psutil, plus procfs where psutil's answer differs from node_exporter's.

On Linux four things are read from procfs directly, because psutil reshapes them:
- /proc/meminfo: psutil's ``cached`` adds SReclaimable, node_exporter's ``Cached_bytes`` does not;
  and node_exporter exports every field, psutil a handful.
- /proc/1/mounts (else /proc/self/mounts): psutil reads /etc/mtab, rewrites "none" to "" and
  "/dev/root" to the real device; node_exporter shows the mount table verbatim.
- /proc/loadavg: psutil gives the unrounded fixed-point load (0.3740234375), node_exporter this
  file's two decimals (0.37).
- /proc/sys/kernel/domainname: ``os.uname()`` has no domain name.
Free space and inodes come from ``os.statvfs`` (psutil's disk_usage has no inode counts).
Everything else is psutil, with ``nowrap=False`` so counters are the kernel's own.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import psutil

from erpmon.hostmetrics._provider import (
    CpuStats,
    CpuTimes,
    DiskCounters,
    FilesystemUsage,
    NetCounters,
    Partition,
    Uname,
)

_PARENS = re.compile(r"\((.*)\)")


class PsutilProvider:
    """Reads the host this process runs on.

    ``procfs`` is where procfs is mounted (a container watching its host passes "/host/proc");
    ``linux`` forces or disables the procfs reads (default: ``sys.platform``).
    """

    def __init__(self, procfs: str = "/proc", *, linux: bool | None = None) -> None:
        self._procfs = procfs.rstrip("/") or "/"
        self._linux = sys.platform.startswith("linux") if linux is None else linux

    def cpu_times(self) -> Sequence[CpuTimes]:
        per_cpu: list[Any] = psutil.cpu_times(percpu=True)
        return [_cpu_times(t) for t in per_cpu]

    def cpu_stats(self) -> CpuStats:
        s = psutil.cpu_stats()
        return CpuStats(ctx_switches=s.ctx_switches, interrupts=s.interrupts)

    def meminfo(self) -> Mapping[str, float]:
        if self._linux:
            with open(os.path.join(self._procfs, "meminfo"), encoding="ascii") as f:
                return parse_meminfo(f.read())
        vm: Any = psutil.virtual_memory()
        swap = psutil.swap_memory()
        fields: dict[str, float] = {
            "MemTotal_bytes": vm.total,
            "MemAvailable_bytes": vm.available,
            "MemFree_bytes": vm.free,
            "SwapTotal_bytes": swap.total,
            "SwapFree_bytes": swap.free,
        }
        for attr, key in (("buffers", "Buffers_bytes"), ("cached", "Cached_bytes")):
            value = getattr(vm, attr, None)
            if value is not None:
                fields[key] = value
        return fields

    def disk_partitions(self) -> Sequence[Partition]:
        if not self._linux:
            return [
                Partition(device=p.device, mountpoint=p.mountpoint, fstype=p.fstype, opts=p.opts)
                for p in psutil.disk_partitions(all=True)
            ]
        # As node_exporter: the root mount namespace's table, or ours where pid 1's is hidden.
        try:
            with open(os.path.join(self._procfs, "1", "mounts"), encoding="utf-8", errors="replace") as f:
                text = f.read()
        except (FileNotFoundError, PermissionError):
            with open(os.path.join(self._procfs, "self", "mounts"), encoding="utf-8", errors="replace") as f:
                text = f.read()
        return parse_mounts(text)

    def disk_usage(self, mountpoint: str) -> FilesystemUsage:
        st = os.statvfs(mountpoint)
        # node_exporter multiplies by statfs's f_bsize, which glibc's statvfs passes through.
        return FilesystemUsage(
            size=st.f_blocks * st.f_bsize,
            free=st.f_bfree * st.f_bsize,
            avail=st.f_bavail * st.f_bsize,
            files=st.f_files,
            files_free=st.f_ffree,
        )

    def net_io_counters(self) -> Mapping[str, NetCounters]:
        nics = psutil.net_io_counters(pernic=True, nowrap=False)
        return {
            name: NetCounters(
                bytes_sent=c.bytes_sent,
                bytes_recv=c.bytes_recv,
                packets_sent=c.packets_sent,
                packets_recv=c.packets_recv,
                errin=c.errin,
                errout=c.errout,
                dropin=c.dropin,
                dropout=c.dropout,
            )
            for name, c in nics.items()
        }

    def disk_io_counters(self) -> Mapping[str, DiskCounters]:
        disks: Mapping[str, Any] | None = psutil.disk_io_counters(perdisk=True, nowrap=False)
        return {name: _disk_counters(c) for name, c in (disks or {}).items()}

    def getloadavg(self) -> tuple[float, float, float]:
        if not self._linux:
            return psutil.getloadavg()
        with open(os.path.join(self._procfs, "loadavg"), encoding="ascii") as f:
            return parse_loadavg(f.read())

    def boot_time(self) -> float:
        return psutil.boot_time()

    def uname(self) -> Uname:
        u = os.uname()
        if self._linux:
            path = os.path.join(self._procfs, "sys", "kernel", "domainname")
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    domainname = f.read().strip()
            except FileNotFoundError:
                domainname = "(none)"
            nodename = u.nodename
        else:
            # node_exporter's BSD/Darwin emulation: the part after the first dot is the domain.
            nodename, _, domainname = u.nodename.partition(".")
            domainname = domainname or "(none)"
        return Uname(
            sysname=u.sysname,
            nodename=nodename,
            release=u.release,
            version=u.version,
            machine=u.machine,
            domainname=domainname,
        )


def parse_meminfo(text: str) -> dict[str, float]:
    """/proc/meminfo as node_exporter names it: "Active(anon): 4 kB" -> ``Active_anon_bytes``: 4096."""
    fields: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) not in (2, 3) or not parts[0].endswith(":"):
            raise ValueError(f"invalid line in meminfo: {line!r}")
        key = _PARENS.sub(r"_\1", parts[0][:-1])
        value = float(parts[1])
        if len(parts) == 3:  # has a unit, always kB
            value *= 1024
            key += "_bytes"
        fields[key] = value
    return fields


def parse_loadavg(text: str) -> tuple[float, float, float]:
    """/proc/loadavg's first three fields ("0.19 0.24 0.12 1/123 4567")."""
    parts = text.split()
    if len(parts) < 3:
        raise ValueError(f"unexpected /proc/loadavg content: {text!r}")
    return float(parts[0]), float(parts[1]), float(parts[2])


def parse_mounts(text: str) -> list[Partition]:
    """/proc/mounts lines; like node_exporter, only the mount point's \\040 and \\011 are unescaped."""
    partitions: list[Partition] = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 4:
            raise ValueError(f"malformed mount point information: {line!r}")
        mountpoint = parts[1].replace("\\040", " ").replace("\\011", "\t")
        partitions.append(Partition(device=parts[0], mountpoint=mountpoint, fstype=parts[2], opts=parts[3]))
    return partitions


def _cpu_times(t: Any) -> CpuTimes:
    return CpuTimes(
        user=t.user,
        system=t.system,
        idle=t.idle,
        nice=getattr(t, "nice", None),
        iowait=getattr(t, "iowait", None),
        irq=getattr(t, "irq", None),
        softirq=getattr(t, "softirq", None),
        steal=getattr(t, "steal", None),
        guest=getattr(t, "guest", None),
        guest_nice=getattr(t, "guest_nice", None),
    )


def _disk_counters(c: Any) -> DiskCounters:
    return DiskCounters(
        read_count=c.read_count,
        write_count=c.write_count,
        read_bytes=c.read_bytes,
        write_bytes=c.write_bytes,
        read_time=c.read_time,
        write_time=c.write_time,
        read_merged_count=getattr(c, "read_merged_count", None),
        write_merged_count=getattr(c, "write_merged_count", None),
        busy_time=getattr(c, "busy_time", None),
    )
