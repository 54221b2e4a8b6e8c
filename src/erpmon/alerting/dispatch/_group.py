"""`aggrGroup`: the alerts of one route and one set of group labels, and when they flush."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from erpmon.alerting._labelset import labelset_string, sort_alerts
from erpmon.alerting._types import Alert, fingerprint
from erpmon.alerting.routing import Route
from erpmon.model import Labels

MIN_TIMEOUT_NS = 10 * 1_000_000_000  # notify.MinTimeout


@dataclass(frozen=True)
class FlushContext:
    """What Alertmanager puts on a flush's context: the notification's identity and options."""

    now_ns: int
    group_key: str
    group_labels: Labels
    receiver: str
    repeat_interval_ns: int
    mute_time_intervals: tuple[str, ...]
    active_time_intervals: tuple[str, ...]
    timeout_ns: int


class AggregationGroup:
    def __init__(self, labels: Labels, route: Route, now_ns: int) -> None:
        self.labels = labels
        self.route = route
        self.route_key = route.key()
        self.group_key = f"{self.route_key}:{labelset_string(labels)}"
        self.fingerprint = fingerprint(labels)
        self.alerts: dict[int, Alert] = {}
        self.has_flushed = False
        self.next_due_ns = now_ns + route.options.group_wait_ns
        self.flushing: asyncio.Task[bool] | None = None

    def insert(self, alert: Alert, now_ns: int) -> bool:
        """Store the alert; True when it makes the first flush due at once (an old alert)."""
        self.alerts[alert.fingerprint] = alert
        if not self.has_flushed and alert.starts_at + self.route.options.group_wait_ns < now_ns:
            self.next_due_ns = now_ns
            return True
        return False

    def empty(self) -> bool:
        return not self.alerts

    def begin_flush(self, now_ns: int) -> tuple[FlushContext, list[Alert]]:
        """Reset the timer to group_interval and take the alerts to send, as `aggrGroup.run` does."""
        opts = self.route.options
        self.next_due_ns = now_ns + opts.group_interval_ns
        self.has_flushed = True
        ctx = FlushContext(
            now_ns=now_ns,
            group_key=self.group_key,
            group_labels=self.labels,
            receiver=opts.receiver,
            repeat_interval_ns=opts.repeat_interval_ns,
            mute_time_intervals=opts.mute_time_intervals,
            active_time_intervals=opts.active_time_intervals,
            timeout_ns=max(opts.group_interval_ns, MIN_TIMEOUT_NS),
        )
        return ctx, sort_alerts([a.exposed(now_ns) for a in self.alerts.values()])

    def end_flush(self, sent: list[Alert], ok: bool, now_ns: int) -> None:
        """After a successful notify, drop resolved alerts that were not updated meanwhile."""
        if not ok:
            return
        for a in sent:
            got = self.alerts.get(a.fingerprint)
            if got is not None and a.resolved_at(now_ns) and got.updated_at == a.updated_at:
                del self.alerts[a.fingerprint]
