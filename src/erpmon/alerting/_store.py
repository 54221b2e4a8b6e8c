"""The alert store (`provider/mem`): the current version of every alert, merged as Alertmanager merges.

Subscribers (the dispatcher, the inhibitor) are called synchronously for every stored alert, in the
order alerts arrive, which is what Alertmanager's buffered channels give a single subscriber.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from erpmon.alerting._marker import Marker
from erpmon.alerting._types import Alert

Subscriber = Callable[[Alert], None]


class AlertStore:
    def __init__(self, marker: Marker, now_ns: Callable[[], int]) -> None:
        self._alerts: dict[int, Alert] = {}
        self._marker = marker
        self._now_ns = now_ns
        self._subscribers: list[Subscriber] = []

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Call `fn` with every alert stored from now on, after replaying the current ones."""
        self._subscribers.append(fn)
        for alert in list(self._alerts.values()):
            fn(alert)
        return lambda: self._subscribers.remove(fn)

    def put(self, alerts: Iterable[Alert]) -> None:
        """`mem.Alerts.Put`: merge with the stored version where the spans overlap."""
        now = self._now_ns()
        for alert in alerts:
            fp = alert.fingerprint
            old = self._alerts.get(fp)
            if old is not None and _overlaps(alert, old):
                alert = old.merge(alert, now)
            self._alerts[fp] = alert
            for fn in self._subscribers:
                fn(alert)

    def get(self, fp: int) -> Alert | None:
        return self._alerts.get(fp)

    def list(self) -> list[Alert]:
        return list(self._alerts.values())

    def __len__(self) -> int:
        return len(self._alerts)

    def gc(self) -> int:
        """Drop resolved alerts and their marks; returns how many went."""
        now = self._now_ns()
        gone = [fp for fp, a in self._alerts.items() if a.resolved_at(now)]
        for fp in gone:
            del self._alerts[fp]
            self._marker.delete(fp)
        return len(gone)


def _overlaps(new: Alert, old: Alert) -> bool:
    """The condition in `mem.Alerts.Put` (Go's zero time for a missing end sorts first)."""
    old_end = old.ends_at
    new_end = new.ends_at
    ends_inside = (
        new_end is not None and new_end > old.starts_at and old_end is not None and new_end < old_end
    )
    starts_inside = new.starts_at > old.starts_at and old_end is not None and new.starts_at < old_end
    return ends_inside or starts_inside
