"""HostCollector behaviour: exclusions, disabled groups, failing groups, counters going backwards."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import CollectorRegistry

from erpmon.clock import FakeClock
from erpmon.hostmetrics import (
    COLLECTOR_GROUPS,
    CpuTimes,
    DiskCounters,
    FilesystemUsage,
    HostCollector,
    HostOptions,
    Partition,
    Uname,
)
from erpmon.model import RegexError

from .fakes import FakeProvider, scrape


def mounts(fake: FakeProvider, options: HostOptions | None = None) -> set[str]:
    fams = scrape(_registry(fake, options))
    return fams["node_filesystem_device_error"].label_values("mountpoint")


def _registry(fake: FakeProvider, options: HostOptions | None = None) -> CollectorRegistry:
    registry = CollectorRegistry()
    HostCollector(options, provider=fake, clock=FakeClock(), registry=registry)
    return registry


def _fs_fake(partitions: list[Partition]) -> FakeProvider:
    usage = FilesystemUsage(size=10, free=5, avail=4, files=3, files_free=2)
    fake = FakeProvider(partitions=partitions)
    fake.usage = {p.mountpoint: usage for p in partitions}
    return fake


# --- filesystem ---------------------------------------------------------------------------------


def test_default_mount_point_and_fs_type_exclusions() -> None:
    fake = _fs_fake(
        [
            Partition("/dev/sda1", "/", "ext4", "rw"),
            Partition("proc", "/proc", "proc", "rw"),
            Partition("sysfs", "/sys", "sysfs", "rw"),
            Partition("tmpfs", "/sys/fs/cgroup", "tmpfs", "rw"),
            Partition("devtmpfs", "/dev", "devtmpfs", "rw"),
            Partition("tmpfs", "/dev/shm", "tmpfs", "rw"),
            Partition("tmpfs", "/run", "tmpfs", "rw"),  # kept: node_exporter excludes /run/credentials only
            Partition("tmpfs", "/run/credentials/foo.service", "tmpfs", "ro"),
            Partition("tmpfs", "/run/user/1000", "tmpfs", "rw"),
            Partition("overlay", "/var/lib/docker/overlay2/abc/merged", "overlay", "rw"),
            Partition("/dev/sda2", "/var/lib/docker", "ext4", "rw"),  # kept: only what is below it goes
            Partition("/dev/sdb1", "/var/lib/containers/storage/vfs", "xfs", "rw"),
            Partition("/dev/sdc1", "/mnt/backup", "ext4", "rw"),
            Partition("/dev/sdd1", "/devices", "ext4", "rw"),  # kept: "/dev" must be a whole segment
            Partition("/dev/loop0", "/snap/core/1", "squashfs", "ro"),
            Partition("/dev/loop1", "/media/cd", "iso9660", "ro"),
            Partition("/dev/loop2", "/opt/img", "erofs", "ro"),
            Partition("overlay", "/", "overlay", "rw"),
            Partition("binfmt_misc", "/proc/sys/fs/binfmt_misc", "binfmt_misc", "rw"),
            Partition("nsfs", "/tmp/ns", "nsfs", "rw"),
            Partition("cgroup2", "/tmp/cg2", "cgroup2", "rw"),
            Partition("cgroup", "/tmp/cg1", "cgroup", "rw"),  # cgroup2? covers v1 too
        ]
    )
    assert mounts(fake) == {
        "/",
        "/run",
        "/run/user/1000",
        "/var/lib/docker",
        "/mnt/backup",
        "/devices",
    }


def test_exclusions_are_options_and_fully_anchored() -> None:
    fake = _fs_fake(
        [
            Partition("/dev/sda1", "/", "ext4", "rw"),
            Partition("/dev/sdb1", "/data", "xfs", "rw"),
            Partition("/dev/sdb2", "/data2", "xfs", "rw"),
            Partition("tmpfs", "/tmp", "tmpfs", "rw"),
        ]
    )
    # "/data" matches the mount point /data only, not /data2: Prometheus-style anchoring.
    only_data = HostOptions(mount_points_exclude="/data", fs_types_exclude="tmp")
    assert mounts(fake, only_data) == {"/", "/data2", "/tmp"}
    assert mounts(fake, HostOptions(mount_points_exclude=None, fs_types_exclude="tmpfs|xfs")) == {"/"}
    assert mounts(fake, HostOptions(mount_points_exclude=None, fs_types_exclude=None)) == {
        "/",
        "/data",
        "/data2",
        "/tmp",
    }


def test_duplicate_mounts_are_exported_once_and_statfs_errors_are_device_errors() -> None:
    fake = _fs_fake(
        [
            Partition("/dev/sda1", "/", "ext4", "rw"),
            Partition("/dev/sda1", "/", "ext4", "rw,relatime"),
            Partition("nfs:/export", "/mnt/nfs", "nfs4", "ro"),
        ]
    )
    fake.usage["/mnt/nfs"] = OSError(5, "Input/output error")
    fams = scrape(_registry(fake))
    nfs = {"mountpoint": "/mnt/nfs"}
    assert fams["node_filesystem_device_error"].value(**nfs) == 1.0
    assert fams["node_filesystem_device_error"].value(mountpoint="/") == 0.0
    assert fams["node_filesystem_readonly"].value(**nfs) == 1.0
    assert fams["node_filesystem_size_bytes"].label_values("mountpoint") == {"/"}
    assert len(fams["node_filesystem_size_bytes"].samples) == 1


# --- netdev and diskstats -----------------------------------------------------------------------


def test_netdev_keeps_lo_by_default_and_excludes_on_request() -> None:
    assert scrape(_registry(FakeProvider()))["node_network_receive_bytes"].label_values("device") == {
        "eth0",
        "lo",
    }
    no_lo = HostOptions(netdev_device_exclude="lo")
    assert scrape(_registry(FakeProvider(), no_lo))["node_network_receive_bytes"].label_values("device") == {
        "eth0"
    }


def test_diskstats_default_exclusion_drops_partitions_ram_and_loop_devices() -> None:
    zero = DiskCounters(0, 0, 0, 0, 0, 0, 0, 0, 0)
    names = ["sda", "sda1", "vda", "vda2", "xvda", "xvda1", "hda3", "nvme0n1", "nvme0n1p1", "nvme10n2p12"]
    names += ["loop0", "ram0", "zram0", "fd0", "dm-0", "md127", "sr0", "mmcblk0", "mmcblk0p1"]
    fake = FakeProvider(disks=dict.fromkeys(names, zero))
    devices = scrape(_registry(fake))["node_disk_reads_completed"].label_values("device")
    # mmcblk0p1 is kept, as node_exporter keeps it.
    assert devices == {"sda", "vda", "xvda", "nvme0n1", "dm-0", "md127", "sr0", "mmcblk0", "mmcblk0p1"}
    everything = HostOptions(diskstats_device_exclude=None)
    assert scrape(_registry(fake, everything))["node_disk_reads_completed"].label_values("device") == set(
        names
    )


def test_counters_a_platform_lacks_are_left_out() -> None:
    fake = FakeProvider(
        cpus=[CpuTimes(user=1.0, system=2.0, idle=3.0, nice=0.0)],
        disks={"disk0": DiskCounters(1, 2, 3, 4, 5, 6)},
    )
    fams = scrape(_registry(fake))
    assert fams["node_cpu_seconds"].label_values("mode") == {"user", "nice", "system", "idle"}
    assert "node_cpu_guest_seconds" not in fams
    assert "node_disk_reads_merged" not in fams
    assert "node_disk_io_time_seconds" not in fams
    assert fams["node_disk_read_time_seconds"].value(device="disk0") == 0.005


# --- groups -------------------------------------------------------------------------------------


def test_disabled_groups_export_nothing() -> None:
    fams = scrape(_registry(FakeProvider(), HostOptions(collectors=frozenset({"meminfo"}))))
    assert {n for n in fams if not n.startswith("node_memory_")} == {
        "node_scrape_collector_duration_seconds",
        "node_scrape_collector_success",
    }
    assert fams["node_scrape_collector_success"].label_values("collector") == {"meminfo"}
    nothing = scrape(_registry(FakeProvider(), HostOptions(collectors=frozenset())))
    assert set(nothing) == set()


def test_all_groups_enabled_by_default() -> None:
    fams = scrape(_registry(FakeProvider()))
    assert fams["node_scrape_collector_success"].label_values("collector") == set(COLLECTOR_GROUPS)


def test_a_failing_group_is_reported_and_the_others_still_export(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeProvider(failing={"meminfo", "disk_partitions"})
    registry = CollectorRegistry()
    collector = HostCollector(provider=fake, clock=FakeClock(), registry=registry)
    with caplog.at_level(logging.WARNING, logger="erpmon.hostmetrics"):
        fams = scrape(registry)
    success = fams["node_scrape_collector_success"]
    assert success.value(collector="meminfo") == 0.0
    assert success.value(collector="filesystem") == 0.0
    assert success.value(collector="cpu") == 1.0
    assert not any(n.startswith(("node_memory_", "node_filesystem_")) for n in fams)
    assert "node_cpu_seconds" in fams
    assert collector.last_errors() == {
        "meminfo": "OSError: injected failure in meminfo",
        "filesystem": "OSError: injected failure in disk_partitions",
    }
    assert "host collector meminfo failed" in caplog.text

    fake.failing.clear()
    fams = scrape(registry)
    assert fams["node_scrape_collector_success"].value(collector="meminfo") == 1.0
    assert collector.last_errors() == {}


def test_a_group_failing_halfway_exports_none_of_its_families() -> None:
    fake = FakeProvider(failing={"boot_time"})
    fams = scrape(_registry(fake))
    assert fams["node_scrape_collector_success"].value(collector="stat") == 0.0
    assert "node_context_switches" not in fams


def test_durations_come_from_the_injected_clock() -> None:
    clock = FakeClock()

    class SlowUname(FakeProvider):
        def uname(self) -> Uname:
            clock.advance(250)
            return super().uname()

    registry = CollectorRegistry()
    HostCollector(
        HostOptions(collectors=frozenset({"uname"})), provider=SlowUname(), clock=clock, registry=registry
    )
    assert scrape(registry)["node_scrape_collector_duration_seconds"].value(collector="uname") == 0.25


# --- cpu counters -------------------------------------------------------------------------------


def _cpu(idle: float, iowait: float, user: float = 10.0) -> CpuTimes:
    return CpuTimes(
        user=user, system=1.0, idle=idle, nice=0.0, iowait=iowait, irq=0.0, softirq=0.0, steal=0.0
    )


def test_cpu_counters_going_backwards_are_held_like_node_exporter() -> None:
    fake = FakeProvider(cpus=[_cpu(idle=100.0, iowait=5.0)])
    registry = _registry(fake)
    assert scrape(registry)["node_cpu_seconds"].value(cpu="0", mode="iowait") == 5.0
    fake.cpus = [_cpu(idle=101.0, iowait=4.9, user=11.0)]  # iowait is known to step back
    fams = scrape(registry)
    assert fams["node_cpu_seconds"].value(cpu="0", mode="iowait") == 5.0
    assert fams["node_cpu_seconds"].value(cpu="0", mode="idle") == 101.0
    assert fams["node_cpu_seconds"].value(cpu="0", mode="user") == 11.0
    fake.cpus = [_cpu(idle=102.0, iowait=5.5)]
    assert scrape(registry)["node_cpu_seconds"].value(cpu="0", mode="iowait") == 5.5


def test_cpu_idle_dropping_three_seconds_is_a_hotplug_and_resets() -> None:
    fake = FakeProvider(cpus=[_cpu(idle=100.0, iowait=5.0), _cpu(idle=100.0, iowait=5.0)])
    registry = _registry(fake)
    scrape(registry)
    fake.cpus = [_cpu(idle=100.5, iowait=5.0), _cpu(idle=97.0, iowait=1.0, user=2.0)]
    fams = scrape(registry)["node_cpu_seconds"]
    assert fams.value(cpu="1", mode="idle") == 97.0
    assert fams.value(cpu="1", mode="iowait") == 1.0
    assert fams.value(cpu="1", mode="user") == 2.0
    assert fams.value(cpu="0", mode="idle") == 100.5


def test_cpus_that_go_away_are_forgotten() -> None:
    fake = FakeProvider(cpus=[_cpu(100.0, 5.0), _cpu(100.0, 5.0)])
    registry = _registry(fake)
    scrape(registry)
    fake.cpus = [_cpu(100.0, 5.0)]
    assert scrape(registry)["node_cpu_seconds"].label_values("cpu") == {"0"}
    fake.cpus = [_cpu(100.0, 5.0), _cpu(1.0, 0.5)]  # back, with fresh counters
    assert scrape(registry)["node_cpu_seconds"].value(cpu="1", mode="idle") == 1.0


# --- options and registration -------------------------------------------------------------------


def test_unknown_groups_and_bad_regexes_are_rejected_when_configured() -> None:
    with pytest.raises(ValueError, match="unknown host collector"):
        HostOptions(collectors=frozenset({"cpu", "systemd"}))
    with pytest.raises(RegexError, match="missing"):
        HostOptions(mount_points_exclude="(unclosed")
    with pytest.raises(RegexError):
        HostOptions(netdev_device_exclude="a{2,1}")


def test_enabled_groups() -> None:
    opts = HostOptions(collectors=frozenset({"cpu"}))
    assert opts.enabled("cpu")
    assert not opts.enabled("meminfo")


def test_registering_twice_on_one_registry_is_a_name_collision() -> None:
    registry = CollectorRegistry()
    HostCollector(provider=FakeProvider(), registry=registry)
    with pytest.raises(ValueError, match="Duplicated timeseries"):
        HostCollector(provider=FakeProvider(), registry=registry)


def test_no_registry_means_not_registered_anywhere() -> None:
    collector = HostCollector(provider=FakeProvider(), clock=FakeClock())
    names = {m.name for m in collector.collect()}
    assert "node_cpu_seconds" in names
    assert collector.options == HostOptions()
