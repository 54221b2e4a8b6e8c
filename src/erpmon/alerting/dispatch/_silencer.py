"""`silence.Silencer`: mutes alerts matched by an active silence and marks them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from erpmon.alerting._marker import Marker
from erpmon.alerting._types import fingerprint
from erpmon.model import Labels


class SilenceSource(Protocol):
    """What the silencer needs of the silences store."""

    @property
    def version(self) -> int: ...

    def mutes(self, labels: Labels, now_ns: int) -> tuple[list[str], list[str]]:
        """(active ids, pending ids) of the silences matching `labels`."""
        ...


class Silencer:
    def __init__(self, silences: SilenceSource, marker: Marker, now_ns: Callable[[], int]) -> None:
        self._silences = silences
        self._marker = marker
        self._now_ns = now_ns

    def mutes(self, labels: Labels) -> bool:
        fp = fingerprint(labels)
        version = self._silences.version
        active, pending = self._silences.mutes(labels, self._now_ns())
        self._marker.set_active_or_silenced(fp, version, sorted(active), sorted(pending))
        return bool(active)
