"""The alerting side of `erpmon up`: the embedded Alertmanager and forwarding to external ones.

With `--alertmanager.config.file`, rule alerts go to the embedded Alertmanager (`AlertingService`)
and its v2 API is served; with `alerting.alertmanagers` in prometheus.yml they are also (or only)
sent to external Alertmanagers, as Prometheus sends them. Both reload with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from erpmon.alerting.forward import AlertForwarder, alertmanagers_api_data, rule_alerts_to_am
from erpmon.config import PrometheusConfig
from erpmon.rules import Alert as RuleAlert

if TYPE_CHECKING:
    from erpmon.alerting._service import AlertingService
    from erpmon.alerting.config import AlertmanagerConfig


class AlertingConfigError(Exception):
    """alertmanager.yml, or something it names (templates, secret files), could not be used."""


class AlertingRuntime:
    def __init__(self, args: argparse.Namespace, cfg: PrometheusConfig, registry: CollectorRegistry) -> None:
        self._args = args
        self._registry = registry
        self._external_url = args.external_url.rstrip("/")
        self.service: AlertingService | None = None
        if args.alertmanager_config_file:
            # Imported here: a server that only forwards never loads the embedded Alertmanager.
            from erpmon.alerting._service import AlertingService
            from erpmon.incidents import incident_template_path

            self.service = AlertingService(
                data_dir=args.alertmanager_storage_path,
                external_url=self._external_url,
                registry=registry,
                extra_templates=[incident_template_path()],
            )
            self._prepare_service()()
        self.forwarder = AlertForwarder(
            cfg.alerting,
            external_labels=cfg.global_config.external_labels,
            registry=registry,
            queue_capacity=args.notification_queue_capacity,
        )
        self._tasks: list[asyncio.Task[None]] = []

    def _load_am_config(self) -> AlertmanagerConfig:
        from erpmon.alerting.config import load_alertmanager_config

        path = self._args.alertmanager_config_file
        try:
            return load_alertmanager_config(path, expand_env=self._args.alertmanager_config_expand_env)
        except OSError as err:
            raise AlertingConfigError(f"loading {path}: {err}") from err

    def _prepare_service(self) -> Callable[[], None]:
        assert self.service is not None
        cfg = self._load_am_config()
        try:
            return self.service.prepare_config(cfg)
        except (OSError, ValueError) as err:  # templates and receivers that cannot be built
            raise AlertingConfigError(f"{self._args.alertmanager_config_file}: {err}") from err

    def notify(self, expr: str, alerts: Sequence[RuleAlert]) -> None:
        """The rules' NotifyFunc: convert once, hand to the forwarder and the embedded dispatcher."""
        converted = rule_alerts_to_am(expr, alerts, external_url=self._external_url)
        if not converted:
            return
        self.forwarder.send(converted)
        if self.service is not None:
            now = self.service.now_ns()
            self.service.put_alerts([dataclasses.replace(a, updated_at=now) for a in converted])

    def prepare_reload(self, cfg: PrometheusConfig) -> Callable[[], None]:
        """Build what a new prometheus.yml and alertmanager.yml describe; the returned call swaps it in.

        Raises (keeping the running setup) when a file is bad, so the caller can check every file
        before applying any.
        """
        apply_am = self._prepare_service() if self.service is not None else None

        def apply() -> None:
            if apply_am is not None:
                apply_am()
            self.forwarder.apply_config(cfg.alerting, cfg.global_config.external_labels)

        return apply

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self.forwarder.run()))
        if self.service is not None:
            self._tasks.append(loop.create_task(self.service.run()))

    async def stop(self) -> None:
        await self.forwarder.stop()
        if self.service is not None:
            await self.service.stop()
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def routes(self) -> list[BaseRoute]:
        async def alertmanagers(_: Request) -> Response:
            data = alertmanagers_api_data(self.forwarder.alertmanagers)
            return JSONResponse({"status": "success", "data": data})

        routes: list[BaseRoute] = [Route("/api/v1/alertmanagers", alertmanagers)]
        if self.service is not None:
            from erpmon.cli._up_alertmanager_api import alertmanager_api_routes

            routes.extend(alertmanager_api_routes(self.service, self._registry))
        return routes
