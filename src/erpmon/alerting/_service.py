"""The embedded Alertmanager: one object that owns the alert store, silences, notification log,
inhibitor and dispatcher, builds them from an alertmanager.yml, and swaps them on reload.

A reload builds the new inhibitor, receivers and dispatcher first — a config whose templates or
receivers fail to build leaves the running ones in place — then replays the stored alerts into
them, as Alertmanager 0.25's coordinator does. The notification log and silences outlive reloads,
so groups that keep their key are not notified again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence

import httpx
import structlog
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric

from erpmon.alerting._inhibit import Inhibitor
from erpmon.alerting._marker import ACTIVE, SUPPRESSED, UNPROCESSED, Marker
from erpmon.alerting._nflog import NotificationLog
from erpmon.alerting._store import AlertStore
from erpmon.alerting._types import Alert
from erpmon.alerting._views import AlertView, GroupView
from erpmon.alerting.config import AlertmanagerConfig
from erpmon.alerting.dispatch import Dispatcher, DispatcherMetrics, FlushContext, Pipeline, Silencer
from erpmon.alerting.dispatch import Integration as PipelineIntegration
from erpmon.alerting.notify import (
    Integration,
    NotifyContext,
    NotifyMetrics,
    build_integrations,
    close_clients,
    deliver,
)
from erpmon.alerting.silences import Silences
from erpmon.alerting.templates import TemplateSet
from erpmon.alerting.timeinterval import TimeInterval, intervals_contain

log = structlog.get_logger("erpmon.alerting")

GC_INTERVAL_NS = 15 * 60 * 1_000_000_000
MAX_REQUESTS_IN_FLIGHT = 64  # below httpx's pool of 100 connections


class AlertingService:
    def __init__(
        self,
        *,
        data_dir: str | None,
        external_url: str,
        registry: CollectorRegistry | None = None,
        now_ns: Callable[[], int] = time.time_ns,
        extra_templates: Sequence[str] = (),
    ) -> None:
        """`extra_templates`: template files loaded before alertmanager.yml's, which can override them."""
        self.external_url = external_url
        self.extra_templates = tuple(extra_templates)
        self.now_ns = now_ns
        self.started_ns = now_ns()
        if data_dir is not None:
            os.makedirs(data_dir, exist_ok=True)
        path = (lambda name: os.path.join(data_dir, name)) if data_dir is not None else (lambda name: None)
        self.marker = Marker()
        self.store = AlertStore(self.marker, now_ns)
        self.silences = Silences(path("silences.json"), now_ns=now_ns, registry=registry)
        self.nflog = NotificationLog(path("nflog.jsonl"), now_ns=now_ns)
        self.silencer = Silencer(self.silences, self.marker, now_ns)
        self.notify_metrics = NotifyMetrics(registry)
        self.dispatcher_metrics = DispatcherMetrics(registry)
        if registry is not None:
            registry.register(_AlertsByState(self))
        self.config: AlertmanagerConfig | None = None
        self.dispatcher: Dispatcher | None = None
        self.inhibitor: Inhibitor | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._client = httpx.AsyncClient(follow_redirects=False, limits=httpx.Limits(max_connections=None))
        self._in_flight = asyncio.Semaphore(MAX_REQUESTS_IN_FLIGHT)
        self._stopped = asyncio.Event()
        self._swapped = asyncio.Event()
        self._old: list[Dispatcher] = []
        self._integrations: list[Integration] = []
        self._retired: list[Integration] = []  # closed once the dispatcher using them has stopped
        # Called with every flush's alerts that survived inhibition and silences (incidents).
        self.flush_observers: list[Callable[[FlushContext, Sequence[Alert]], None]] = []
        self.templates: TemplateSet | None = None

    # -- configuration ----------------------------------------------------------------------------

    def prepare_config(self, cfg: AlertmanagerConfig) -> Callable[[], None]:
        """Build everything the config describes; the returned call swaps it in.

        Raises (and the running setup stays) when templates or receivers cannot be built.
        """
        templates = TemplateSet.load([*self.extra_templates, *cfg.templates], external_url=self.external_url)
        receivers: dict[str, list[Integration]] = {
            r.name: build_integrations(r, templates, client=self._client) for r in cfg.receivers
        }
        inhibitor = Inhibitor(
            [(r.source_matchers, r.target_matchers, r.equal) for r in cfg.inhibit_rules],
            self.marker,
            self.now_ns,
        )
        intervals = cfg.time_intervals
        pipeline = Pipeline(
            receivers,
            inhibitor=inhibitor,
            silencer=self.silencer,
            in_intervals=lambda names, now: _in_intervals(intervals, names, now),
            nflog=self.nflog,
            deliver=self._deliver,
            now_ns=self.now_ns,
            observe=self._observe,
        )
        dispatcher = Dispatcher(cfg.route, pipeline, now_ns=self.now_ns, metrics=self.dispatcher_metrics)
        built = [i for integrations in receivers.values() for i in integrations]
        return lambda: self._swap(cfg, inhibitor, dispatcher, built, templates)

    def apply_config(self, cfg: AlertmanagerConfig) -> None:
        self.prepare_config(cfg)()

    def _swap(
        self,
        cfg: AlertmanagerConfig,
        inhibitor: Inhibitor,
        dispatcher: Dispatcher,
        built: list[Integration],
        templates: TemplateSet,
    ) -> None:
        self.templates = templates
        self._retired.extend(self._integrations)
        self._integrations = built
        for undo in self._unsubscribe:
            undo()
        if self.dispatcher is not None:
            self._old.append(self.dispatcher)
        self.config, self.inhibitor, self.dispatcher = cfg, inhibitor, dispatcher
        self._unsubscribe = [
            self.store.subscribe(inhibitor.observe),
            self.store.subscribe(dispatcher.process),
        ]
        self._swapped.set()
        log.info(
            "alertmanager configuration applied",
            receivers=len(cfg.receivers),
            inhibit_rules=len(cfg.inhibit_rules),
        )

    async def _deliver(
        self, integration: PipelineIntegration, ctx: FlushContext, alerts: Sequence[Alert]
    ) -> bool:
        nctx = NotifyContext(ctx.receiver, ctx.group_key, ctx.group_labels, ctx.now_ns)
        assert isinstance(integration, Integration)
        return await deliver(
            integration,
            nctx,
            alerts,
            timeout_s=ctx.timeout_ns / 1e9,
            metrics=self.notify_metrics,
            limiter=self._in_flight,
        )

    def _observe(self, ctx: FlushContext, alerts: Sequence[Alert]) -> None:
        for observer in self.flush_observers:
            observer(ctx, alerts)

    # -- alerts in --------------------------------------------------------------------------------

    def put_alerts(self, alerts: Sequence[Alert]) -> None:
        self.store.put(alerts)

    # -- running ----------------------------------------------------------------------------------

    async def run(self) -> None:
        """Run the current dispatcher (and the next one after a reload) plus housekeeping."""
        housekeeping = asyncio.get_running_loop().create_task(self._housekeeping())
        try:
            while not self._stopped.is_set():
                for old in self._old:
                    await old.stop()
                self._old.clear()
                await self._close_retired()
                current = self.dispatcher
                if current is None:
                    self._swapped.clear()
                    await self._swapped.wait()
                    continue
                self._swapped.clear()
                runner = asyncio.get_running_loop().create_task(current.run())
                swapped = asyncio.get_running_loop().create_task(self._swapped.wait())
                stopped = asyncio.get_running_loop().create_task(self._stopped.wait())
                await asyncio.wait({runner, swapped, stopped}, return_when=asyncio.FIRST_COMPLETED)
                for t in (swapped, stopped):
                    t.cancel()
                await current.stop()
                await asyncio.gather(runner, return_exceptions=True)
                await self._close_retired()
        finally:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping

    async def _close_retired(self) -> None:
        retired, self._retired = self._retired, []
        await close_clients(retired)

    async def _housekeeping(self) -> None:
        while True:
            await asyncio.sleep(GC_INTERVAL_NS / 1e9)
            self.gc()

    def gc(self) -> None:
        self.store.gc()
        if self.inhibitor is not None:
            self.inhibitor.gc()
        self.nflog.gc()
        self.silences.gc(self.now_ns())

    async def stop(self) -> None:
        self._stopped.set()
        if self.dispatcher is not None:
            await self.dispatcher.stop()
        await close_clients([*self._retired, *self._integrations])
        await self._client.aclose()
        self.nflog.close()

    # -- views for the API and UI -----------------------------------------------------------------

    def _view(self, alert: Alert) -> AlertView:
        status = self.marker.status(alert.fingerprint)
        receivers: tuple[str, ...] = ()
        if self.dispatcher is not None:
            receivers = tuple(r.options.receiver for r in self.dispatcher.route.match(alert.labels))
        return AlertView(alert, status.state, status.silenced_by, status.inhibited_by, receivers)

    def _refresh_status(self, alert: Alert) -> None:
        """What the API does before showing an alert: run it past the inhibitor and silences."""
        if self.inhibitor is not None:
            self.inhibitor.mutes(alert.labels)
        self.silencer.mutes(alert.labels)

    def alert_views(self) -> list[AlertView]:
        out = []
        for alert in self.store.list():
            self._refresh_status(alert)
            out.append(self._view(alert))
        return out

    def group_views(self) -> list[GroupView]:
        if self.dispatcher is None:
            return []
        for alert in self.store.list():
            self._refresh_status(alert)
        return self.dispatcher.views(self._view)

    def receiver_names(self) -> list[str]:
        return [] if self.config is None else [r.name for r in self.config.receivers]

    def config_yaml(self) -> str:
        return "" if self.config is None else self.config.masked_yaml()

    def resolve_timeout_ns(self) -> int:
        return 5 * 60 * 1_000_000_000 if self.config is None else self.config.global_.resolve_timeout_ns


def _in_intervals(intervals: Mapping[str, Sequence[TimeInterval]], names: Sequence[str], now_ns: int) -> bool:
    for name in names:
        found = intervals.get(name)
        if found is None:
            log.error("time interval missing from config", name=name)
            return False
        if intervals_contain(found, now_ns):
            return True
    return False


class _AlertsByState:
    """`alertmanager_alerts{state}`: unresolved alerts by their marked state."""

    def __init__(self, service: AlertingService) -> None:
        self._service = service

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily("erpmon_alerts", "How many alerts by state.", labels=["state"])
        now = self._service.now_ns()
        counts = dict.fromkeys((ACTIVE, SUPPRESSED, UNPROCESSED), 0)
        for alert in self._service.store.list():
            if not alert.resolved_at(now):
                counts[self._service.marker.status(alert.fingerprint).state] += 1
        for state, n in counts.items():
            family.add_metric([state], n)
        yield family
