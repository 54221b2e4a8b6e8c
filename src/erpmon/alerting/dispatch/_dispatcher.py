"""`dispatch.Dispatcher`: routes each stored alert into aggregation groups and flushes them on time.

One asyncio task keeps every group's next flush time in a heap and sleeps until the earliest; a
flush runs as its own task so a slow receiver delays only its group. As in Alertmanager, a group
whose flush is still running when its next flush falls due flushes again right after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import itertools
from collections.abc import Awaitable, Callable, Sequence

import structlog
from prometheus_client import CollectorRegistry, Gauge, Summary

from erpmon.alerting._labelset import labelset_before, sort_alerts
from erpmon.alerting._types import Alert
from erpmon.alerting._views import AlertView, GroupView
from erpmon.alerting.dispatch._group import AggregationGroup, FlushContext
from erpmon.alerting.routing import Route
from erpmon.model import Labels

log = structlog.get_logger("erpmon.alerting.dispatch")

Notify = Callable[[FlushContext, Sequence[Alert]], Awaitable[bool]]
CLEANUP_NS = 30 * 1_000_000_000


class DispatcherMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.groups = Gauge(
            "erpmon_dispatcher_aggregation_groups",
            "Number of active aggregation groups",
            registry=registry,
        )
        self.processing = Summary(
            "erpmon_dispatcher_alert_processing_duration_seconds",
            "Summary of latencies for the processing of alerts.",
            registry=registry,
        )


class Dispatcher:
    def __init__(
        self,
        route: Route,
        notify: Notify,
        *,
        now_ns: Callable[[], int],
        metrics: DispatcherMetrics | None = None,
    ) -> None:
        self.route = route
        self._notify = notify
        self._now_ns = now_ns
        self._metrics = metrics
        self._groups: dict[Route, dict[Labels, AggregationGroup]] = {}
        self._heap: list[tuple[int, int, AggregationGroup]] = []
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._flushes: set[asyncio.Task[bool]] = set()
        self._stopped = False
        self._last_cleanup = now_ns()

    # -- alerts in --------------------------------------------------------------------------------

    def process(self, alert: Alert) -> None:
        """The store's subscriber: put the alert into the group of every route it matches."""
        now = self._now_ns()
        for route in self.route.match(alert.labels):
            self._process(alert, route, now)

    def _process(self, alert: Alert, route: Route, now: int) -> None:
        labels = route.group_labels(alert.labels)
        groups = self._groups.setdefault(route, {})
        group = groups.get(labels)
        if group is None:
            group = AggregationGroup(labels, route, now)
            groups[labels] = group
            if self._metrics is not None:
                self._metrics.groups.inc()
            self._schedule(group)
        if group.insert(alert, now):
            self._schedule(group)

    def _schedule(self, group: AggregationGroup) -> None:
        heapq.heappush(self._heap, (group.next_due_ns, next(self._seq), group))
        self._wake.set()

    # -- time -------------------------------------------------------------------------------------

    def run_due(self, now: int) -> list[asyncio.Task[bool]]:
        """Start the flush of every group due at `now`; returns the flush tasks started."""
        started: list[asyncio.Task[bool]] = []
        while self._heap and self._heap[0][0] <= now:
            due, _, group = heapq.heappop(self._heap)
            if due != group.next_due_ns or group.flushing is not None or self._removed(group):
                continue
            ctx, alerts = group.begin_flush(now)
            self._schedule(group)
            if not alerts:
                continue
            task = asyncio.get_running_loop().create_task(self._flush(group, ctx, alerts))
            group.flushing = task
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)
            started.append(task)
        if now - self._last_cleanup >= CLEANUP_NS:
            self._cleanup()
            self._last_cleanup = now
        return started

    async def _flush(self, group: AggregationGroup, ctx: FlushContext, alerts: list[Alert]) -> bool:
        ok = False
        try:
            # The integrations stop retrying at the timeout; this is only a backstop.
            ok = await asyncio.wait_for(self._notify(ctx, alerts), ctx.timeout_ns / 1e9 + 5)
        except TimeoutError:
            log.error("notify for alerts failed", group=ctx.group_key, num_alerts=len(alerts), err="timeout")
        except Exception:  # a receiver bug must not stop the group's timer
            log.exception("notify for alerts failed", group=ctx.group_key, num_alerts=len(alerts))
        finally:
            group.flushing = None
        group.end_flush(alerts, ok, self._now_ns())
        if group.next_due_ns <= self._now_ns():
            self._wake.set()
        return ok

    def next_due(self) -> int | None:
        return self._heap[0][0] if self._heap else None

    async def run(self) -> None:
        """Flush groups as they fall due until `stop()`."""
        while not self._stopped:
            now = self._now_ns()
            self.run_due(now)
            due = self.next_due()
            self._wake.clear()
            timeout = None if due is None else max(0.0, (due - self._now_ns()) / 1e9)
            timeout = CLEANUP_NS / 1e9 if timeout is None else min(timeout, CLEANUP_NS / 1e9)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def stop(self) -> None:
        self._stopped = True
        self._wake.set()
        for task in list(self._flushes):
            task.cancel()
        if self._flushes:
            await asyncio.gather(*self._flushes, return_exceptions=True)

    async def wait_flushes(self) -> None:
        """Wait for the flushes under way (tests and shutdown)."""
        while self._flushes:
            await asyncio.gather(*list(self._flushes), return_exceptions=True)

    # -- housekeeping and views -------------------------------------------------------------------

    def _removed(self, group: AggregationGroup) -> bool:
        return self._groups.get(group.route, {}).get(group.labels) is not group

    def _cleanup(self) -> None:
        for groups in self._groups.values():
            for key in [k for k, g in groups.items() if g.empty() and g.flushing is None]:
                del groups[key]
                if self._metrics is not None:
                    self._metrics.groups.dec()

    def group_count(self) -> int:
        return sum(len(g) for g in self._groups.values())

    def groups(self) -> list[AggregationGroup]:
        return [g for groups in self._groups.values() for g in groups.values()]

    def views(self, view_of: Callable[[Alert], AlertView]) -> list[GroupView]:
        """`Dispatcher.Groups`: non-empty groups with their alerts, in Alertmanager's order."""
        out: list[GroupView] = []
        for g in self.groups():
            if g.empty():
                continue
            alerts = tuple(view_of(a) for a in sort_alerts(list(g.alerts.values())))
            out.append(GroupView(g.labels, g.route.options.receiver, g.route_key, alerts))

        def cmp(a: GroupView, b: GroupView) -> int:
            if a.labels == b.labels:
                return (a.receiver > b.receiver) - (a.receiver < b.receiver)
            return -1 if labelset_before(a.labels, b.labels) else 1

        out.sort(key=functools.cmp_to_key(cmp))
        return out
