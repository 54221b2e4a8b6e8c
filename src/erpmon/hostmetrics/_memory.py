"""The meminfo group: one ``node_memory_<field>`` gauge per memory field, as node_exporter.

On Linux that is every /proc/meminfo field (``MemTotal_bytes``, ``Active_anon_bytes``,
``HugePages_Total``...); elsewhere the fields psutil has, under the same Linux names.
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client.metrics_core import Metric

from erpmon.hostmetrics._provider import HostProvider
from erpmon.hostmetrics._spec import FamilySpec
from erpmon.model import is_valid_metric_name

#: The fields infrastructure rules lean on; present on every platform psutil supports.
CORE_FIELDS: tuple[str, ...] = (
    "MemTotal_bytes",
    "MemFree_bytes",
    "MemAvailable_bytes",
    "Buffers_bytes",
    "Cached_bytes",
    "SwapTotal_bytes",
    "SwapFree_bytes",
)


def memory_spec(field: str) -> FamilySpec:
    # node_exporter types a field ending in "_total" as a counter; /proc/meminfo has none today.
    if field.endswith("_total"):
        return FamilySpec(f"node_memory_{field}", "counter", f"Memory information field {field}.")
    return FamilySpec(f"node_memory_{field}", "gauge", f"Memory information field {field}.")


class MeminfoGroup:
    name = "meminfo"

    def __init__(self, provider: HostProvider) -> None:
        self._provider = provider

    def describe(self) -> Sequence[Metric]:
        return [memory_spec(f).new() for f in CORE_FIELDS]

    def collect(self) -> Sequence[Metric]:
        families: list[Metric] = []
        for field, value in sorted(self._provider.meminfo().items()):
            spec = memory_spec(field)
            if not is_valid_metric_name(spec.name):
                continue
            family = spec.new()
            family.add_metric([], value)
            families.append(family)
        return families
