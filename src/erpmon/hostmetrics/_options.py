"""Host collector options: enabled groups and exclusion regexes, with node_exporter's defaults.

Regexes are RE2 and fully anchored, as everywhere in Prometheus's configuration (``^(?s:re)$``).
node_exporter's flags are unanchored Go regexps, so its defaults are rewritten here to the
equivalent anchored form; ``tests/hostmetrics`` checks the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import re2

from erpmon.model import RegexError

#: node_exporter's collector names, in the order this collector runs them.
COLLECTOR_GROUPS: tuple[str, ...] = (
    "cpu",
    "diskstats",
    "filesystem",
    "loadavg",
    "meminfo",
    "netdev",
    "stat",
    "time",
    "uname",
)

#: node_exporter: ``^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)``
DEFAULT_MOUNT_POINTS_EXCLUDE = (
    "/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)(/.*)?"
)
#: node_exporter (1.9): the same alternatives between ``^(`` and ``)$``.
DEFAULT_FS_TYPES_EXCLUDE = (
    "autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue"
    "|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs"
)
#: node_exporter (1.9), skipping partitions, RAM and loop disks:
#: ``^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$``
DEFAULT_DISKSTATS_DEVICE_EXCLUDE = r"(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+"


@dataclass(frozen=True)
class HostOptions:
    """What `HostCollector` exports.

    ``collectors``: enabled groups, a subset of `COLLECTOR_GROUPS` (default: all).
    ``*_exclude``: anchored RE2 on the mount point, file system type, or device name; ``None``
    excludes nothing. ``netdev_device_exclude`` defaults to ``None``: node_exporter keeps ``lo``.
    ``cpu_guest``: also export ``node_cpu_guest_seconds_total`` (node_exporter's default).
    ``mount_timeout``: seconds a statfs may take before its mount is reported as a device error
    and left alone until the call returns (node_exporter: 5 s); ``None`` calls statfs inline.
    """

    collectors: frozenset[str] = field(default_factory=lambda: frozenset(COLLECTOR_GROUPS))
    mount_points_exclude: str | None = DEFAULT_MOUNT_POINTS_EXCLUDE
    fs_types_exclude: str | None = DEFAULT_FS_TYPES_EXCLUDE
    netdev_device_exclude: str | None = None
    diskstats_device_exclude: str | None = DEFAULT_DISKSTATS_DEVICE_EXCLUDE
    cpu_guest: bool = True
    mount_timeout: float | None = 5.0

    def __post_init__(self) -> None:
        if self.mount_timeout is not None and not self.mount_timeout > 0:
            raise ValueError(f"mount_timeout must be positive seconds or None, not {self.mount_timeout!r}")
        unknown = set(self.collectors) - set(COLLECTOR_GROUPS)
        if unknown:
            raise ValueError(
                f"unknown host collector(s) {sorted(unknown)}; known: {', '.join(COLLECTOR_GROUPS)}"
            )
        object.__setattr__(self, "collectors", frozenset(self.collectors))
        for pattern in (
            self.mount_points_exclude,
            self.fs_types_exclude,
            self.netdev_device_exclude,
            self.diskstats_device_exclude,
        ):
            NameFilter(pattern)  # fail at configuration time, not at the first scrape

    def enabled(self, group: str) -> bool:
        return group in self.collectors


class NameFilter:
    """``excludes(name)``: whether an anchored RE2 ``pattern`` matches; ``None`` matches nothing."""

    __slots__ = ("_regex", "pattern")

    def __init__(self, pattern: str | None) -> None:
        self.pattern = pattern
        self._regex: Any = None if pattern is None else _compile_anchored(pattern)

    def excludes(self, name: str) -> bool:
        return self._regex is not None and self._regex.match(name) is not None


def _compile_anchored(pattern: str) -> Any:
    opts = re2.Options()
    opts.log_errors = False
    try:
        return re2.compile("^(?s:" + pattern + ")$", opts)
    except re2.error as err:
        reason = err.args[0] if err.args else err
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise RegexError(f"error parsing regexp: {reason}: `{pattern}`") from err
