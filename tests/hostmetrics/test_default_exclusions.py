"""Our anchored default exclusions match exactly what node_exporter's unanchored defaults match.

node_exporter applies its flags with Go's ``regexp.MatchString`` (a search, not a full match);
Python's ``re.search`` behaves the same on these patterns, so it stands in for Go here.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from erpmon.hostmetrics import (
    DEFAULT_DISKSTATS_DEVICE_EXCLUDE,
    DEFAULT_FS_TYPES_EXCLUDE,
    DEFAULT_MOUNT_POINTS_EXCLUDE,
)
from erpmon.hostmetrics._options import NameFilter

# Copied from node_exporter's collector/filesystem_linux.go and diskstats_linux.go (v1.9).
NE_MOUNT_POINTS = r"^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"
NE_FS_TYPES = (
    r"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue"
    r"|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$"
)
NE_DISKSTATS = r"^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$"

SEGMENTS = ["dev", "proc", "run", "credentials", "sys", "var", "lib", "docker", "containers", "storage"]
SEGMENTS += ["devices", "system", "x", "", "shm", "user", "mnt", "sysfs", "procx"]
mount_points = st.lists(st.sampled_from(SEGMENTS), min_size=0, max_size=6).map(lambda s: "/" + "/".join(s))
fs_types = st.sampled_from(
    [
        *("ext4", "xfs", "tmpfs", "cgroup", "cgroup2", "cgroup3", "proc", "procfs", "procfsx", "overlay"),
        *("erofs", "nfs4", "squashfs", "fuse.sshfs", "fusectl", "sysfs", "autofs", "zfs", "btrfs", "xproc"),
    ]
)
devices = st.from_regex(
    r"(z?ram|loop|fd|sd|vd|xvd|hd|nvme|mmcblk|dm-|md|sr)[a-z]?[0-9]{0,3}(n[0-9]p?[0-9]?)?", fullmatch=True
)


@settings(deadline=None)
@given(mount_points)
def test_mount_points_default_agrees_with_node_exporter(path: str) -> None:
    assert NameFilter(DEFAULT_MOUNT_POINTS_EXCLUDE).excludes(path) == bool(re.search(NE_MOUNT_POINTS, path))


@settings(deadline=None)
@given(fs_types)
def test_fs_types_default_agrees_with_node_exporter(fstype: str) -> None:
    assert NameFilter(DEFAULT_FS_TYPES_EXCLUDE).excludes(fstype) == bool(re.search(NE_FS_TYPES, fstype))


@settings(deadline=None)
@given(devices)
def test_diskstats_default_agrees_with_node_exporter(device: str) -> None:
    assert NameFilter(DEFAULT_DISKSTATS_DEVICE_EXCLUDE).excludes(device) == bool(
        re.search(NE_DISKSTATS, device)
    )


def test_known_mount_points() -> None:
    excluded = NameFilter(DEFAULT_MOUNT_POINTS_EXCLUDE).excludes
    for path in ["/dev", "/dev/", "/dev/shm", "/proc/sys/fs/binfmt_misc", "/sys", "/run/credentials/a"]:
        assert excluded(path), path
    for path in ["/", "/run", "/run/credentials", "/var/lib/docker", "/devices", "/home/dev", "/mnt"]:
        assert not excluded(path), path


def test_no_pattern_excludes_nothing() -> None:
    assert not NameFilter(None).excludes("")
    assert not NameFilter(None).excludes("lo")
