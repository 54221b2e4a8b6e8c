"""Prometheus 2.42's notifier.Manager: a bounded queue, one loop posting batches to every Alertmanager.

`send` may be called from any thread (the rules engine evaluates in a worker thread); the sender
loop runs on the asyncio loop that awaits `run`.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import threading
import time
from collections.abc import Callable, Sequence

import structlog
from prometheus_client import CollectorRegistry

from erpmon.alerting._types import Alert
from erpmon.alerting.forward._amset import AlertmanagerSet
from erpmon.alerting.forward._metrics import ForwardMetrics
from erpmon.alerting.forward._payload import body
from erpmon.config import AlertingConfig
from erpmon.model import Labels
from erpmon.relabel import relabel

log = structlog.get_logger("erpmon.alerting.forward")

MAX_BATCH_SIZE = 64
DEFAULT_QUEUE_CAPACITY = 10_000


def with_external_labels(labels: Labels, external: Labels) -> Labels:
    """External labels fill in only names the alert has no (non-empty) value for."""
    missing = {name: value for name, value in external.pairs if not labels.get(name)}
    return labels.merged(missing) if missing else labels


class AlertForwarder:
    """Queues alerts and sends them, in batches of at most 64, to the Alertmanagers `config` names."""

    def __init__(
        self,
        config: AlertingConfig,
        *,
        external_labels: Labels,
        registry: CollectorRegistry | None = None,
        queue_capacity: int = DEFAULT_QUEUE_CAPACITY,
        base_dir: str = ".",
    ) -> None:
        # base_dir is kept for symmetry with the loaders: decoded configs already hold joined paths.
        self._base_dir = base_dir
        self._capacity = queue_capacity
        self._queue: collections.deque[Alert] = collections.deque()
        self._lock = threading.Lock()
        self._metrics = ForwardMetrics(
            registry if registry is not None else CollectorRegistry(),
            queue_capacity,
            lambda: float(self.queue_length()),
            lambda: float(len(self.alertmanagers()[0])),
        )
        self._config = config
        self._external = external_labels
        self._sets: list[AlertmanagerSet] = []
        self._retired: list[AlertmanagerSet] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._more = asyncio.Event()
        self._done = asyncio.Event()
        self._stopping = False
        self._deadline = 0.0
        self._cut: asyncio.Timeout | None = None
        self._sets = self._build_sets(config)

    def _build_sets(self, config: AlertingConfig) -> list[AlertmanagerSet]:
        ams = config.alertmanagers
        return [AlertmanagerSet(f"config-{i}", cfg, self._metrics) for i, cfg in enumerate(ams)]

    # -- the producer side ------------------------------------------------------------------

    def send(self, alerts: Sequence[Alert]) -> None:
        """Queue `alerts` after external labels and alert relabeling; the oldest make room when full."""
        with self._lock:
            external, configs = self._external, self._config.alert_relabel_configs
        kept: list[Alert] = []
        for a in alerts:
            labels = relabel(with_external_labels(a.labels, external), configs)
            if labels is not None:
                kept.append(a if labels is a.labels else _with_labels(a, labels))
        if not kept:
            return
        dropped = 0
        with self._lock:
            if len(kept) > self._capacity:
                dropped_batch = len(kept) - self._capacity
                kept = kept[dropped_batch:]
                log.warning(
                    "Alert batch larger than queue capacity, dropping alerts", num_dropped=dropped_batch
                )
                dropped += dropped_batch
            overflow = len(self._queue) + len(kept) - self._capacity
            if overflow > 0:
                for _ in range(overflow):
                    self._queue.popleft()
                log.warning("Alert notification queue full, dropping alerts", num_dropped=overflow)
                dropped += overflow
            self._queue.extend(kept)
        if dropped:
            self._metrics.dropped.inc(dropped)
        self._wake()

    def _wake(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._more.set)

    def queue_length(self) -> int:
        with self._lock:
            return len(self._queue)

    def _next_batch(self) -> list[Alert]:
        with self._lock:
            n = min(MAX_BATCH_SIZE, len(self._queue))
            return [self._queue.popleft() for _ in range(n)]

    # -- configuration and discovery -------------------------------------------------------

    def apply_config(self, config: AlertingConfig, external_labels: Labels) -> None:
        """Take a reloaded config: new label rules at once, Alertmanager sets rebuilt; the queue is kept."""
        new_sets = self._build_sets(config)
        with self._lock:
            self._config, self._external = config, external_labels
            old, self._sets = self._sets, new_sets
            self._retired.extend(old)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        for s in new_sets:
            loop.call_soon_threadsafe(s.start)
        self._wake()

    def alertmanagers(self) -> tuple[list[str], list[str]]:
        """(active, dropped) Alertmanager URLs over all config entries, in config order."""
        with self._lock:
            sets = list(self._sets)
        active: list[str] = []
        dropped: list[str] = []
        for s in sets:
            ep = s.endpoints()
            active.extend(ep.active)
            dropped.extend(ep.dropped)
        return active, dropped

    # -- the sender loop -------------------------------------------------------------------

    async def run(self) -> None:
        """Discover Alertmanagers and send queued alerts until `stop`, then drain what is left."""
        self._loop = asyncio.get_running_loop()
        with self._lock:
            sets = list(self._sets)
        for s in sets:
            s.start()
        if self.queue_length():
            self._more.set()
        try:
            while not self._stopping:
                await self._more.wait()
                self._more.clear()
                if self._stopping:
                    break
                try:
                    # stop() moves this deadline, so a batch in flight cannot outlast its timeout_s.
                    async with asyncio.timeout(None) as self._cut:
                        await self._send_batch()
                except TimeoutError:
                    pass
                finally:
                    self._cut = None
                await self._close_retired()
                if self.queue_length():
                    self._more.set()
            await self._drain()
        finally:
            await self._close_all()
            self._done.set()

    async def _send_batch(self) -> None:
        batch = self._next_batch()
        if not batch:
            return
        ok = False
        try:
            ok = await self._send_all(batch)
        finally:
            # Also when a stop deadline cancels the batch in flight.
            if not ok:
                self._metrics.dropped.inc(len(batch))

    async def _send_all(self, alerts: list[Alert]) -> bool:
        """`sendAll`: the batch to every Alertmanager at once; True when at least one accepted it."""
        started = time.monotonic()
        with self._lock:
            sets = list(self._sets)
        payloads: dict[str, bytes] = {}
        posts = []
        for s in sets:
            version = s.cfg.api_version
            if version not in payloads:
                try:
                    payloads[version] = body(version, alerts)
                except ValueError as err:
                    log.error("Encoding alerts for Alertmanager failed", err=str(err))
                    return False
            for url in s.endpoints().active:
                posts.append(s.post(url, payloads[version], started, len(alerts)))
        if not posts:
            return False
        results = await asyncio.gather(*posts)
        return any(results)

    async def _drain(self) -> None:
        remaining = self._deadline - time.monotonic()
        try:
            async with asyncio.timeout(max(remaining, 0.0)):
                while self.queue_length():
                    await self._send_batch()
        except TimeoutError:
            pass
        left = self._next_all()
        if left:
            log.warning("Alerts left in the queue at shutdown were dropped", num_dropped=left)
            self._metrics.dropped.inc(left)

    def _next_all(self) -> int:
        with self._lock:
            n = len(self._queue)
            self._queue.clear()
            return n

    async def _close_retired(self) -> None:
        with self._lock:
            retired, self._retired = self._retired, []
        for s in retired:
            await s.close()

    async def _close_all(self) -> None:
        await self._close_retired()
        with self._lock:
            sets = list(self._sets)
        for s in sets:
            await s.close()

    async def stop(self, timeout_s: float = 5.0) -> None:
        """Stop the loop, sending what is queued for at most `timeout_s`; the rest is dropped and counted."""
        log.info("Stopping notification manager...")
        self._deadline = time.monotonic() + timeout_s
        self._stopping = True
        if self._loop is None:
            await self._close_all()
            return
        if self._cut is not None:
            self._cut.reschedule(self._loop.time() + timeout_s)
        self._more.set()
        await self._done.wait()


def _with_labels(alert: Alert, labels: Labels) -> Alert:
    return dataclasses.replace(alert, labels=labels)


def alertmanagers_api_data(
    get: Callable[[], tuple[list[str], list[str]]],
) -> dict[str, list[dict[str, str]]]:
    """The `data` of Prometheus's `GET /api/v1/alertmanagers` for the URLs `get` returns."""
    active, dropped = get()
    return {
        "activeAlertmanagers": [{"url": u} for u in active],
        "droppedAlertmanagers": [{"url": u} for u in dropped],
    }
