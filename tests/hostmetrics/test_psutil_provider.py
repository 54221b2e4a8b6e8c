"""PsutilProvider: the procfs parsers, a procfs tree handed in, and this host read for real."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psutil
import pytest

from erpmon.hostmetrics import Partition, PsutilProvider
from erpmon.hostmetrics._psutil_provider import parse_loadavg, parse_meminfo, parse_mounts

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux procfs")

MEMINFO = """\
MemTotal:       24682416 kB
MemFree:        23845132 kB
MemAvailable:   24306612 kB
Buffers:            4324 kB
Cached:           592340 kB
Active(anon):      96556 kB
Inactive(file):   412340 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
"""

MOUNTS = """\
/dev/root / ext4 rw,relatime 0 0
none /sys/fs/bpf bpf rw,nosuid 0 0
/dev/sdb1 /mnt/my\\040disk\\011x xfs ro,noatime 0 0
server:/a\\040b /mnt/nfs nfs4 rw 0 0

"""


def test_parse_meminfo_uses_node_exporter_names_and_bytes() -> None:
    fields = parse_meminfo(MEMINFO)
    assert fields["MemTotal_bytes"] == 24682416 * 1024
    assert fields["Cached_bytes"] == 592340 * 1024
    assert fields["Active_anon_bytes"] == 96556 * 1024
    assert fields["Inactive_file_bytes"] == 412340 * 1024
    assert fields["HugePages_Total"] == 0.0
    assert fields["Hugepagesize_bytes"] == 2048 * 1024
    assert len(fields) == 9


def test_parse_meminfo_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="invalid line"):
        parse_meminfo("MemTotal 1 2 kB\n")
    with pytest.raises(ValueError):
        parse_meminfo("MemTotal: lots kB\n")


def test_parse_mounts_keeps_devices_verbatim_and_unescapes_mount_points_like_node_exporter() -> None:
    assert parse_mounts(MOUNTS) == [
        Partition("/dev/root", "/", "ext4", "rw,relatime"),
        Partition("none", "/sys/fs/bpf", "bpf", "rw,nosuid"),
        Partition("/dev/sdb1", "/mnt/my disk\tx", "xfs", "ro,noatime"),
        Partition("server:/a\\040b", "/mnt/nfs", "nfs4", "rw"),
    ]
    with pytest.raises(ValueError, match="malformed"):
        parse_mounts("/dev/sda1 /\n")


def test_parse_loadavg() -> None:
    assert parse_loadavg("0.19 0.24 0.12 1/123 4567\n") == (0.19, 0.24, 0.12)
    with pytest.raises(ValueError):
        parse_loadavg("0.19\n")


def _procfs(tmp_path: Path, *, pid1_mounts: bool) -> PsutilProvider:
    (tmp_path / "meminfo").write_text(MEMINFO)
    (tmp_path / "loadavg").write_text("1.50 0.75 0.25 2/300 999\n")
    (tmp_path / "self").mkdir()
    (tmp_path / "self" / "mounts").write_text("/dev/sda1 / ext4 rw 0 0\n")
    if pid1_mounts:
        (tmp_path / "1").mkdir()
        (tmp_path / "1" / "mounts").write_text(MOUNTS)
    (tmp_path / "sys" / "kernel").mkdir(parents=True)
    (tmp_path / "sys" / "kernel" / "domainname").write_text("example.org\n")
    return PsutilProvider(str(tmp_path), linux=True)


def test_procfs_tree_is_read_from_the_given_root(tmp_path: Path) -> None:
    provider = _procfs(tmp_path, pid1_mounts=True)
    assert provider.meminfo()["MemTotal_bytes"] == 24682416 * 1024
    assert provider.getloadavg() == (1.5, 0.75, 0.25)
    assert provider.disk_partitions()[0] == Partition("/dev/root", "/", "ext4", "rw,relatime")
    assert provider.uname().domainname == "example.org"
    assert provider.uname().sysname == os.uname().sysname


def test_mounts_fall_back_to_self_when_pid_1_is_hidden(tmp_path: Path) -> None:
    provider = _procfs(tmp_path, pid1_mounts=False)
    assert provider.disk_partitions() == [Partition("/dev/sda1", "/", "ext4", "rw")]


def test_missing_domainname_is_none_in_parentheses(tmp_path: Path) -> None:
    provider = PsutilProvider(str(tmp_path), linux=True)
    assert provider.uname().domainname == "(none)"


def test_non_linux_paths_use_psutil() -> None:
    provider = PsutilProvider(linux=False)
    memory = provider.meminfo()
    assert memory["MemTotal_bytes"] == psutil.virtual_memory().total
    assert {"MemFree_bytes", "MemAvailable_bytes", "SwapTotal_bytes", "SwapFree_bytes"} <= set(memory)
    assert len(provider.getloadavg()) == 3
    assert provider.disk_partitions()
    u = provider.uname()
    assert "." not in u.nodename
    assert u.domainname == (os.uname().nodename.partition(".")[2] or "(none)")


@linux_only
def test_this_host() -> None:
    provider = PsutilProvider()
    cpus = provider.cpu_times()
    assert len(cpus) == psutil.cpu_count()
    assert all(c.iowait is not None and c.steal is not None for c in cpus)
    assert provider.meminfo()["MemTotal_bytes"] == psutil.virtual_memory().total
    assert provider.boot_time() == psutil.boot_time()
    assert provider.cpu_stats().ctx_switches > 0
    root = provider.disk_usage("/")
    assert root.size >= root.free >= root.avail >= 0
    assert root.files >= root.files_free
    assert "/" in {p.mountpoint for p in provider.disk_partitions()}
    assert "lo" in provider.net_io_counters()
    assert isinstance(provider.disk_io_counters(), dict)
    with pytest.raises(OSError):
        provider.disk_usage("/nonexistent/mount/point")
