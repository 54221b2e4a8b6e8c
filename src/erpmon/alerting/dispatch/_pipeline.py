"""The notification pipeline Alertmanager 0.25 builds per receiver (`notify.PipelineBuilder.New`).

Stages, in order: inhibition, active time intervals, mute time intervals, silences; then, for each
of the receiver's integrations at once: dedup against the notification log, delivery (retries are
the integration's `deliver`), and logging what was sent. A flush succeeds only if every
integration succeeded, so resolved alerts stay in the group until they were delivered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

import structlog

from erpmon.alerting._labelset import alert_hash
from erpmon.alerting._nflog import Entry, NotificationLog
from erpmon.alerting._types import Alert
from erpmon.alerting.dispatch._group import FlushContext
from erpmon.model import Labels

log = structlog.get_logger("erpmon.alerting.notify")


class Integration(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def index(self) -> int: ...
    @property
    def send_resolved(self) -> bool: ...


class Muter(Protocol):
    def mutes(self, labels: Labels) -> bool: ...


Deliver = Callable[[Integration, FlushContext, Sequence[Alert]], Awaitable[bool]]
InIntervals = Callable[[Sequence[str], int], bool]
# Sees each flush's alerts after inhibition, time intervals and silences (the incident engine).
Observer = Callable[[FlushContext, Sequence[Alert]], None]


class Pipeline:
    def __init__(
        self,
        receivers: Mapping[str, Sequence[Integration]],
        *,
        inhibitor: Muter,
        silencer: Muter,
        in_intervals: InIntervals,
        nflog: NotificationLog,
        deliver: Deliver,
        now_ns: Callable[[], int],
        observe: Observer | None = None,
    ) -> None:
        self._receivers = receivers
        self._observe = observe
        self._inhibitor = inhibitor
        self._silencer = silencer
        self._in_intervals = in_intervals
        self._nflog = nflog
        self._deliver = deliver
        self._now_ns = now_ns

    async def __call__(self, ctx: FlushContext, alerts: Sequence[Alert]) -> bool:
        integrations = self._receivers.get(ctx.receiver)
        if integrations is None:
            log.error("notify for alerts failed", receiver=ctx.receiver, err="stage for receiver missing")
            return False
        alerts = [a for a in alerts if not self._inhibitor.mutes(a.labels)]
        if not alerts:
            return True
        if ctx.active_time_intervals and not self._in_intervals(ctx.active_time_intervals, ctx.now_ns):
            return True
        if ctx.mute_time_intervals and self._in_intervals(ctx.mute_time_intervals, ctx.now_ns):
            return True
        alerts = [a for a in alerts if not self._silencer.mutes(a.labels)]
        if not alerts:
            return True
        if self._observe is not None:
            try:
                self._observe(ctx, alerts)
            except Exception:  # an observer's failure must not cost the notification
                log.exception("flush observer failed", group=ctx.group_key)
        results = await asyncio.gather(*(self._integration(ctx, i, alerts) for i in integrations))
        return all(results)

    async def _integration(
        self, ctx: FlushContext, integration: Integration, alerts: Sequence[Alert]
    ) -> bool:
        key = f"{ctx.receiver}/{integration.name}/{integration.index}"
        now = self._now_ns()
        firing: set[int] = set()
        resolved: set[int] = set()
        for a in alerts:
            (resolved if a.resolved_at(now) else firing).add(alert_hash(a.labels))
        entry = self._nflog.query(ctx.group_key, key)
        if not needs_update(entry, firing, resolved, integration.send_resolved, ctx.repeat_interval_ns, now):
            return True
        ok = await self._deliver(integration, ctx, alerts)
        if ok:
            expiry = 2 * ctx.repeat_interval_ns
            self._nflog.log(key, ctx.group_key, frozenset(firing), frozenset(resolved), expiry)
        return ok


def needs_update(
    entry: Entry | None,
    firing: set[int],
    resolved: set[int],
    send_resolved: bool,
    repeat_ns: int,
    now_ns: int,
) -> bool:
    """`DedupStage.needsUpdate`: new firing alerts, all resolved, new resolved (if sent), or repeat due."""
    if entry is None:
        return bool(firing)
    if not firing <= entry.firing:
        return True
    if not firing:
        return bool(entry.firing)
    if send_resolved and not resolved <= entry.resolved:
        return True
    return entry.timestamp_ns < now_ns - repeat_ns
