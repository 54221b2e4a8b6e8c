"""The netdev group: ``node_network_{receive,transmit}_{bytes,packets,errs,drop}_total{device}``.

Names and help are node_exporter's /proc/net/dev ("legacy") set; ``lo`` is kept unless excluded.
node_exporter's fifo, frame, compressed, multicast, colls and carrier counters are not
exported: psutil does not read them.
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client.metrics_core import Metric

from erpmon.hostmetrics._options import NameFilter
from erpmon.hostmetrics._provider import HostProvider
from erpmon.hostmetrics._spec import FamilySpec, non_empty

#: (node_exporter statistic, NetCounters field)
STATISTICS: tuple[tuple[str, str], ...] = (
    ("receive_bytes", "bytes_recv"),
    ("receive_packets", "packets_recv"),
    ("receive_errs", "errin"),
    ("receive_drop", "dropin"),
    ("transmit_bytes", "bytes_sent"),
    ("transmit_packets", "packets_sent"),
    ("transmit_errs", "errout"),
    ("transmit_drop", "dropout"),
)
SPECS: tuple[FamilySpec, ...] = tuple(
    FamilySpec(f"node_network_{stat}_total", "counter", f"Network device statistic {stat}.", ("device",))
    for stat, _ in STATISTICS
)


class NetdevGroup:
    name = "netdev"

    def __init__(self, provider: HostProvider, *, devices: NameFilter) -> None:
        self._provider = provider
        self._devices = devices

    def describe(self) -> Sequence[Metric]:
        return [s.new() for s in SPECS]

    def collect(self) -> Sequence[Metric]:
        families = [s.new() for s in SPECS]
        for device, counters in sorted(self._provider.net_io_counters().items()):
            if self._devices.excludes(device):
                continue
            for family, (_, attr) in zip(families, STATISTICS, strict=True):
                family.add_metric([device], getattr(counters, attr))
        return non_empty(families)
