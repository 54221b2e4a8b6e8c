"""`types.Marker`: whether each alert is unprocessed, active or suppressed, and by what."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

UNPROCESSED = "unprocessed"
ACTIVE = "active"
SUPPRESSED = "suppressed"


@dataclass
class AlertStatus:
    state: str = UNPROCESSED
    silenced_by: tuple[str, ...] = ()
    pending_silences: tuple[str, ...] = ()
    silences_version: int = 0
    inhibited_by: tuple[str, ...] = ()


class Marker:
    """Statuses by alert fingerprint; an alert never marked is unprocessed."""

    def __init__(self) -> None:
        self._status: dict[int, AlertStatus] = {}

    def status(self, fp: int) -> AlertStatus:
        s = self._status.get(fp)
        return AlertStatus() if s is None else AlertStatus(**vars(s))

    def silenced(self, fp: int) -> tuple[tuple[str, ...], tuple[str, ...], int, bool]:
        """(active ids, pending ids, silences version, whether the alert was ever marked)."""
        s = self._status.get(fp)
        if s is None:
            return (), (), 0, False
        return s.silenced_by, s.pending_silences, s.silences_version, True

    def set_active_or_silenced(
        self, fp: int, version: int, active_ids: Sequence[str], pending_ids: Sequence[str]
    ) -> None:
        s = self._status.setdefault(fp, AlertStatus())
        s.silenced_by = tuple(active_ids)
        s.pending_silences = tuple(pending_ids)
        s.silences_version = version
        s.state = SUPPRESSED if s.silenced_by or s.inhibited_by else ACTIVE

    def set_inhibited(self, fp: int, ids: Sequence[str] = ()) -> None:
        s = self._status.setdefault(fp, AlertStatus())
        s.inhibited_by = tuple(ids)
        s.state = SUPPRESSED if s.silenced_by or s.inhibited_by else ACTIVE

    def delete(self, fp: int) -> None:
        self._status.pop(fp, None)

    def count(self, state: str) -> int:
        return sum(1 for s in self._status.values() if s.state == state)
