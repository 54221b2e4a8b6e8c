"""The real node_exporter as oracle: same families, types, help, label names and label values.

Needs the binary of Debian's ``prometheus-node-exporter`` package (``apt-get install -y
prometheus-node-exporter``); skipped without it. The test starts it on 127.0.0.1 with only the
collectors erpmon has, scrapes it between two collections of ours, and compares.

Debian patches node_exporter's defaults (mount points also exclude /run, /mnt and /media;
netdev excludes ``lo``), so the test passes upstream node_exporter's defaults as flags: the
comparison is then of our defaults with upstream's.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry

from erpmon.hostmetrics import COLLECTOR_GROUPS, HostCollector

from .fakes import Family, parse_exposition, scrape

BINARY = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="node_exporter oracle runs on Linux"),
    pytest.mark.skipif(
        BINARY is None,
        reason="node_exporter binary not found: install Debian package prometheus-node-exporter",
    ),
]

# Upstream node_exporter's defaults (collector/filesystem_linux.go, diskstats_linux.go, netdev: none).
UPSTREAM_DEFAULTS = [
    "--collector.filesystem.mount-points-exclude="
    "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)",
    "--collector.filesystem.fs-types-exclude="
    "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue"
    "|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$",
    "--collector.netdev.device-exclude=",
    r"--collector.diskstats.device-exclude=^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$",
]
COLLECTOR_FLAGS = ["--collector.disable-defaults", *(f"--collector.{g}" for g in COLLECTOR_GROUPS)]

# The families the infrastructure rules use; both sides must have each of them on any Linux host.
REQUIRED = {
    "node_cpu_seconds",
    "node_memory_MemAvailable_bytes",
    "node_memory_MemTotal_bytes",
    "node_memory_MemFree_bytes",
    "node_memory_Buffers_bytes",
    "node_memory_Cached_bytes",
    "node_memory_SwapTotal_bytes",
    "node_memory_SwapFree_bytes",
    "node_filesystem_avail_bytes",
    "node_filesystem_size_bytes",
    "node_filesystem_free_bytes",
    "node_filesystem_files",
    "node_filesystem_files_free",
    "node_filesystem_readonly",
    *(f"node_network_{d}_{s}" for d in ("receive", "transmit") for s in ("bytes", "packets", "errs", "drop")),
    "node_load1",
    "node_load5",
    "node_load15",
    "node_boot_time_seconds",
    "node_time_seconds",
    "node_uname_info",
    "node_scrape_collector_success",
}
# Present on both sides whenever the host has a block device that is not excluded.
DISK = {"node_disk_read_bytes", "node_disk_written_bytes", "node_disk_io_time_seconds"}
KEY_LABELS = ("device", "mountpoint", "fstype", "cpu", "mode", "collector")


@dataclass(frozen=True)
class Sandwich:
    """Our families just before and just after one node_exporter scrape."""

    before: dict[str, Family]
    oracle: dict[str, Family]
    after: dict[str, Family]

    def shared(self) -> list[str]:
        return sorted(set(self.before) & set(self.oracle))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _start(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """node_exporter on a free loopback port, once it answers; a lost port race is retried."""
    assert BINARY is not None
    for _ in range(3):
        url = f"http://127.0.0.1:{_free_port()}/metrics"
        address = url.removeprefix("http://").removesuffix("/metrics")
        with log.open("ab") as err:
            proc = subprocess.Popen(
                [BINARY, f"--web.listen-address={address}", *COLLECTOR_FLAGS, *UPSTREAM_DEFAULTS],
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        deadline = time.monotonic() + 15.0
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return proc, url
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # waiting for a child process to listen; bounded by the deadline
        _stop(proc)
    pytest.fail(f"node_exporter did not start; its log:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def sandwich(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandwich]:
    proc, url = _start(tmp_path_factory.mktemp("node_exporter") / "stderr.log")
    try:
        registry = CollectorRegistry()
        HostCollector(registry=registry)
        before = scrape(registry)
        response = httpx.get(url, timeout=10.0)
        response.raise_for_status()
        oracle = parse_exposition(response.text)
        after = scrape(registry)
        yield Sandwich(before, oracle, after)
    finally:
        _stop(proc)


def test_the_families_rules_need_are_on_both_sides(sandwich: Sandwich) -> None:
    shared = set(sandwich.shared())
    assert shared >= REQUIRED, f"missing on one side: {sorted(REQUIRED - shared)}"
    if DISK & set(sandwich.oracle):
        assert shared >= DISK, f"missing on one side: {sorted(DISK - shared)}"


def test_shared_families_have_the_same_type_help_and_label_names(sandwich: Sandwich) -> None:
    diffs = []
    for name in sandwich.shared():
        ours, theirs = sandwich.before[name], sandwich.oracle[name]
        if (ours.type, ours.help) != (theirs.type, theirs.help):
            diffs.append(
                f"{name}: ours {ours.type} {ours.help!r}, node_exporter {theirs.type} {theirs.help!r}"
            )
        if ours.label_names() != theirs.label_names():
            diffs.append(f"{name}: labels ours {ours.label_names()}, node_exporter {theirs.label_names()}")
    assert not diffs, "\n".join(diffs)


def test_shared_families_have_the_same_devices_mounts_cpus_and_modes(sandwich: Sandwich) -> None:
    # With upstream's defaults on both sides the sets are equal: mounts come from the same
    # /proc/1/mounts, devices from the same /proc/net/dev and /proc/diskstats, CPUs from /proc/stat.
    diffs = []
    for name in sandwich.shared():
        for label in KEY_LABELS:
            ours = sandwich.before[name].label_values(label)
            theirs = sandwich.oracle[name].label_values(label)
            if ours != theirs:
                diffs.append(
                    f"{name}{{{label}}}: only ours {ours - theirs}, only node_exporter {theirs - ours}"
                )
    assert not diffs, "\n".join(diffs)


def test_fixed_values_are_identical(sandwich: Sandwich) -> None:
    ours, theirs = sandwich.before, sandwich.oracle
    for name in ("node_memory_MemTotal_bytes", "node_memory_SwapTotal_bytes", "node_boot_time_seconds"):
        assert ours[name].value() == theirs[name].value(), name
    assert ours["node_uname_info"].samples == theirs["node_uname_info"].samples
    for name in ("node_filesystem_size_bytes", "node_filesystem_files", "node_filesystem_readonly"):
        for _, labels, value in theirs[name].samples:
            assert ours[name].value(**labels) == value, (name, labels)


def test_counters_read_by_node_exporter_lie_between_our_two_reads(sandwich: Sandwich) -> None:
    # Both read the same kernel counters, node_exporter in between our reads. CPU modes get a
    # little slack: the kernel can step iowait back, and both sides then hold different values.
    diffs = []
    for name in sandwich.shared():
        if sandwich.oracle[name].type != "counter":
            continue
        slack = 0.05 if name.startswith("node_cpu_") else 0.0
        for _, labels, value in sandwich.oracle[name].samples:
            low = sandwich.before[name].value(**labels) - slack
            high = sandwich.after[name].value(**labels) + slack
            if not low <= value <= high:
                diffs.append(f"{name}{labels}: node_exporter {value} not in [{low}, {high}]")
    assert not diffs, "\n".join(diffs)


def test_gauges_agree(sandwich: Sandwich) -> None:
    before, oracle, after = sandwich.before, sandwich.oracle, sandwich.after
    # Our clock has millisecond resolution; node_exporter's nanosecond.
    assert before["node_time_seconds"].value() - 0.001 <= oracle["node_time_seconds"].value()
    assert oracle["node_time_seconds"].value() <= after["node_time_seconds"].value() + 0.001
    for name in ("node_load1", "node_load5", "node_load15"):  # /proc/loadavg moves every 5 s
        assert oracle[name].value() in {before[name].value(), after[name].value()}, name
    # Free memory and free space move while other processes run: node_exporter's reading must lie
    # within our two readings, give or take 1% of the total.
    total = oracle["node_memory_MemTotal_bytes"].value()
    for name in sandwich.shared():
        if name.startswith("node_memory_") and name.endswith("_bytes"):
            assert _near(oracle[name].value(), before[name].value(), after[name].value(), 0.01 * total), name
    for name, size_name in (
        ("node_filesystem_free_bytes", "node_filesystem_size_bytes"),
        ("node_filesystem_avail_bytes", "node_filesystem_size_bytes"),
        ("node_filesystem_files_free", "node_filesystem_files"),
    ):
        for _, labels, value in oracle[name].samples:
            slack = 0.01 * oracle[size_name].value(**labels)
            assert _near(value, before[name].value(**labels), after[name].value(**labels), slack), (
                name,
                labels,
            )
    for name in ("node_filesystem_device_error", "node_scrape_collector_success"):
        for _, labels, value in oracle[name].samples:
            assert before[name].value(**labels) == value, (name, labels)


def _near(value: float, before: float, after: float, slack: float) -> bool:
    return min(before, after) - slack <= value <= max(before, after) + slack
