"""The filesystem group: ``node_filesystem_*{device,mountpoint,fstype}`` per mounted file system.

As node_exporter (collector/filesystem_linux.go): mounts whose mount point or type the
exclusion regexes match are skipped; a mount listed twice with the same labels is exported once;
read-only means "ro" among the mount options; a failing or timed-out statfs exports
``node_filesystem_device_error 1`` and ``node_filesystem_readonly`` and no sizes.
node_exporter 1.9 added a ``device_error`` label holding the error text; this collector keeps
the three labels of the 1.x series before it, the ones dashboards and rules match on.
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client.metrics_core import Metric

from erpmon.hostmetrics._options import NameFilter
from erpmon.hostmetrics._provider import HostProvider
from erpmon.hostmetrics._spec import FamilySpec, non_empty
from erpmon.hostmetrics._statfs import StatfsGuard

_LABELS = ("device", "mountpoint", "fstype")

SIZE = FamilySpec("node_filesystem_size_bytes", "gauge", "Filesystem size in bytes.", _LABELS)
FREE = FamilySpec("node_filesystem_free_bytes", "gauge", "Filesystem free space in bytes.", _LABELS)
AVAIL = FamilySpec(
    "node_filesystem_avail_bytes", "gauge", "Filesystem space available to non-root users in bytes.", _LABELS
)
FILES = FamilySpec("node_filesystem_files", "gauge", "Filesystem total file nodes.", _LABELS)
FILES_FREE = FamilySpec("node_filesystem_files_free", "gauge", "Filesystem total free file nodes.", _LABELS)
READONLY = FamilySpec("node_filesystem_readonly", "gauge", "Filesystem read-only status.", _LABELS)
DEVICE_ERROR = FamilySpec(
    "node_filesystem_device_error",
    "gauge",
    "Whether an error occurred while getting statistics for the given device.",
    _LABELS,
)
SPECS = (AVAIL, DEVICE_ERROR, FILES, FILES_FREE, FREE, READONLY, SIZE)


class FilesystemGroup:
    name = "filesystem"

    def __init__(
        self,
        provider: HostProvider,
        *,
        mount_points: NameFilter,
        fs_types: NameFilter,
        mount_timeout: float | None,
    ) -> None:
        self._provider = provider
        self._mount_points = mount_points
        self._fs_types = fs_types
        self._statfs = StatfsGuard(provider.disk_usage, mount_timeout)

    def describe(self) -> Sequence[Metric]:
        return [s.new() for s in SPECS]

    def collect(self) -> Sequence[Metric]:
        avail, device_error, files, files_free, free, readonly, size = (s.new() for s in SPECS)
        seen: set[tuple[str, str, str]] = set()
        for part in self._provider.disk_partitions():
            if self._mount_points.excludes(part.mountpoint) or self._fs_types.excludes(part.fstype):
                continue
            labels = (part.device, part.mountpoint, part.fstype)
            if labels in seen:
                continue
            seen.add(labels)
            ro = 1.0 if "ro" in part.opts.split(",") else 0.0
            try:
                usage = self._statfs.usage(part.mountpoint)
            except OSError:
                device_error.add_metric(labels, 1.0)
                readonly.add_metric(labels, ro)
                continue
            device_error.add_metric(labels, 0.0)
            readonly.add_metric(labels, ro)
            size.add_metric(labels, usage.size)
            free.add_metric(labels, usage.free)
            avail.add_metric(labels, usage.avail)
            files.add_metric(labels, usage.files)
            files_free.add_metric(labels, usage.files_free)
        return non_empty([avail, device_error, files, files_free, free, readonly, size])
