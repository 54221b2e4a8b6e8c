"""Registries for the server to expose with ``generate_latest(registry)``: erpmon's own, and the host's.

Both are new `CollectorRegistry` objects; nothing here touches prometheus_client's global REGISTRY.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import CollectorRegistry

from erpmon.clock import Clock
from erpmon.hostmetrics._collector import HostCollector
from erpmon.hostmetrics._options import HostOptions
from erpmon.hostmetrics._provider import HostProvider


def _self_pid() -> int | str:
    return "self"


@dataclass(frozen=True)
class SelfMetricsOptions:
    """What goes into erpmon's own ``/metrics`` besides its application metrics.

    ``namespace`` prefixes the process_* names (``erpmon_process_...``); ``pid`` and ``proc`` are
    ProcessCollector's (which process, where procfs is); ``platform`` is PlatformCollector's
    (the ``platform`` module when None); ``gc`` adds the python_gc_* counters.
    """

    namespace: str = ""
    pid: Callable[[], int | str] = _self_pid
    proc: str = "/proc"
    platform: Any = None
    gc: bool = True


def self_registry(options: SelfMetricsOptions | None = None) -> CollectorRegistry:
    """A registry with process_* (ProcessCollector), python_info (PlatformCollector), python_gc_*."""
    o = options if options is not None else SelfMetricsOptions()
    registry = CollectorRegistry()
    ProcessCollector(namespace=o.namespace, pid=o.pid, proc=o.proc, registry=registry)
    PlatformCollector(registry=registry, platform=o.platform)
    if o.gc:
        GCCollector(registry=registry)
    return registry


def host_registry(
    options: HostOptions | None = None,
    *,
    provider: HostProvider | None = None,
    clock: Clock | None = None,
) -> CollectorRegistry:
    """A registry holding one `HostCollector`: the node_* metrics of a ``/node/metrics`` page."""
    registry = CollectorRegistry()
    HostCollector(options, provider=provider, clock=clock, registry=registry)
    return registry
