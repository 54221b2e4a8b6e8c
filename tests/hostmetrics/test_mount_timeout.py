"""A hung statfs (dead NFS server) costs one timeout, then its mount is a device error until it returns."""

from __future__ import annotations

import threading

import pytest
from prometheus_client import CollectorRegistry

from erpmon.clock import FakeClock
from erpmon.hostmetrics import FilesystemUsage, HostCollector, HostOptions, Partition
from erpmon.hostmetrics._statfs import StatfsGuard

from .fakes import FakeProvider, scrape

USAGE = FilesystemUsage(size=100, free=50, avail=40, files=10, files_free=5)
TIMEOUT = 0.05  # how long one scrape waits for the hung call; the only wait in these tests


class HangingProvider(FakeProvider):
    """statfs of /mnt/nfs blocks until ``release`` is set."""

    def __init__(self) -> None:
        super().__init__(
            partitions=[
                Partition("/dev/sda1", "/", "ext4", "rw"),
                Partition("srv:/x", "/mnt/nfs", "nfs4", "rw"),
            ],
            usage={"/": USAGE, "/mnt/nfs": USAGE},
        )
        self.release = threading.Event()
        self.calls: list[str] = []

    def disk_usage(self, mountpoint: str) -> FilesystemUsage:
        self.calls.append(mountpoint)
        if mountpoint == "/mnt/nfs":
            assert self.release.wait(10.0), "test never released the hung statfs"
        return super().disk_usage(mountpoint)


def _join_statfs_threads() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("statfs "):
            thread.join(10.0)


def test_hung_mount_is_a_device_error_and_is_not_called_again_until_it_returns() -> None:
    fake = HangingProvider()
    registry = CollectorRegistry()
    options = HostOptions(collectors=frozenset({"filesystem"}), mount_timeout=TIMEOUT)
    HostCollector(options, provider=fake, clock=FakeClock(), registry=registry)
    try:
        fams = scrape(registry)
        assert fams["node_filesystem_device_error"].value(mountpoint="/mnt/nfs") == 1.0
        assert fams["node_filesystem_device_error"].value(mountpoint="/") == 0.0
        assert fams["node_filesystem_size_bytes"].label_values("mountpoint") == {"/"}
        assert fams["node_scrape_collector_success"].value(collector="filesystem") == 1.0

        fams = scrape(registry)  # still hung: no second call, no second wait
        assert fake.calls.count("/mnt/nfs") == 1
        assert fams["node_filesystem_device_error"].value(mountpoint="/mnt/nfs") == 1.0
    finally:
        fake.release.set()
        _join_statfs_threads()

    fams = scrape(registry)  # recovered
    assert fams["node_filesystem_device_error"].value(mountpoint="/mnt/nfs") == 0.0
    assert fams["node_filesystem_size_bytes"].value(mountpoint="/mnt/nfs") == 100.0
    assert fake.calls.count("/mnt/nfs") == 2


def test_guard_passes_results_and_errors_through() -> None:
    def usage(mountpoint: str) -> FilesystemUsage:
        if mountpoint == "/gone":
            raise FileNotFoundError(mountpoint)
        if mountpoint == "/bug":
            raise ZeroDivisionError(mountpoint)
        return USAGE

    for timeout in (None, 5.0):
        guard = StatfsGuard(usage, timeout)
        assert guard.usage("/") == USAGE
        with pytest.raises(FileNotFoundError):
            guard.usage("/gone")
        with pytest.raises(ZeroDivisionError):  # not an OSError: the group fails, as for any bug
            guard.usage("/bug")
        assert guard.stuck() == set()


def test_mount_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="mount_timeout"):
        HostOptions(mount_timeout=0)
    assert HostOptions(mount_timeout=None).mount_timeout is None
