"""Host metrics under node_exporter's names, so infrastructure rules work without node_exporter.

Owns: `HostCollector` (a prometheus_client collector of node_cpu_*, node_memory_*,
node_filesystem_*, node_network_*, node_disk_*, node_load*, node_boot_time_seconds,
node_time_seconds, node_uname_info), its `HostOptions` with node_exporter's default
exclusions, the `HostProvider` protocol with its psutil/procfs implementation, and the
registries erpmon's ``/metrics`` and ``/node/metrics`` pages are rendered from.
Reads from: the host through psutil and procfs (or an injected provider); `erpmon.clock`;
`erpmon.model` for name validity and `RegexError`.
Hands on: `prometheus_client.CollectorRegistry` objects to the web server, which serves
``generate_latest(registry)``; nothing here serves HTTP or touches the global REGISTRY.
"""

from erpmon.hostmetrics._collector import HostCollector
from erpmon.hostmetrics._options import (
    COLLECTOR_GROUPS,
    DEFAULT_DISKSTATS_DEVICE_EXCLUDE,
    DEFAULT_FS_TYPES_EXCLUDE,
    DEFAULT_MOUNT_POINTS_EXCLUDE,
    HostOptions,
)
from erpmon.hostmetrics._provider import (
    CpuStats,
    CpuTimes,
    DiskCounters,
    FilesystemUsage,
    HostProvider,
    NetCounters,
    Partition,
    Uname,
)
from erpmon.hostmetrics._psutil_provider import PsutilProvider
from erpmon.hostmetrics._registries import SelfMetricsOptions, host_registry, self_registry

__all__ = [
    "COLLECTOR_GROUPS",
    "DEFAULT_DISKSTATS_DEVICE_EXCLUDE",
    "DEFAULT_FS_TYPES_EXCLUDE",
    "DEFAULT_MOUNT_POINTS_EXCLUDE",
    "CpuStats",
    "CpuTimes",
    "DiskCounters",
    "FilesystemUsage",
    "HostCollector",
    "HostOptions",
    "HostProvider",
    "NetCounters",
    "Partition",
    "PsutilProvider",
    "SelfMetricsOptions",
    "Uname",
    "host_registry",
    "self_registry",
]
